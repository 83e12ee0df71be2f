"""What the call Lambdas, the SMA and the stacks say to each other, each named once: the SMA update
requests, the outbound-call arguments, and the metrics (names, services, namespace suffixes).

The values are wire formats: changing one breaks calls in flight and alarms, so a test pins them.
"""

from __future__ import annotations

from enum import StrEnum

# -- SMA update requests ----------------------------------------------------------------------------------
# UpdateSipMediaApplicationCall's Arguments (sent by the meeting API and the sweeper); the SMA hands them
# to the call-control Lambda as CALL_UPDATE_REQUESTED's ActionData.Parameters.Arguments.

UPDATE_ACTION = "action"  # which UpdateAction
TRANSFER_TO = "to"  # TRANSFER's destination, E.164


class UpdateAction(StrEnum):
    HANGUP = "hangup"  # an agent hangs up
    TRANSFER = "transfer"  # an agent transfers the caller to TRANSFER_TO
    TIMEOUT = "timeout"  # the sweeper: nobody answered in time


def hangup_request() -> dict[str, str]:
    return {UPDATE_ACTION: UpdateAction.HANGUP.value}


def timeout_request() -> dict[str, str]:
    return {UPDATE_ACTION: UpdateAction.TIMEOUT.value}


def transfer_request(to_number: str) -> dict[str, str]:
    return {UPDATE_ACTION: UpdateAction.TRANSFER.value, TRANSFER_TO: to_number}


# -- outbound calls -----------------------------------------------------------------------------------------
# CreateSipMediaApplicationCall's ArgumentsMap (sent by the meeting API); the SMA hands them to the
# call-control Lambda on NEW_OUTBOUND_CALL, which joins the phone leg to its meeting with them.


class OutboundArgument(StrEnum):
    CALL_ID = "callId"  # the call record's id
    MEETING_ID = "meetingId"  # the Chime SDK meeting the phone leg joins
    JOIN_TOKEN = "joinToken"  # noqa: S105 - the name of the phone leg's join token, not a secret


def outbound_arguments(*, call_id: str, meeting_id: str, join_token: str) -> dict[str, str]:
    return {
        OutboundArgument.CALL_ID.value: call_id,
        OutboundArgument.MEETING_ID.value: meeting_id,
        OutboundArgument.JOIN_TOKEN.value: join_token,
    }


# -- metrics ------------------------------------------------------------------------------------------------
# Powertools metrics: namespace `<prefix>/<suffix>` (the stack names it), dimension `service`.

CALLS_NAMESPACE_SUFFIX = "calls"  # call control and the sweeper
API_NAMESPACE_SUFFIX = "api"  # the meeting API
CALL_CONTROL_SERVICE = "call-control"
SWEEPER_SERVICE = "call-sweeper"
MEETING_API_SERVICE = "meeting-api"


class CallMetric(StrEnum):
    """Emitted in the calls namespace by call control (and, the Sweep* ones, by the sweeper)."""

    CALLS_STARTED = "CallsStarted"
    CALLS_ANSWERED = "CallsAnswered"
    CALLS_FAILED = "CallsFailed"  # alarmed: a caller heard the apology
    HANDLER_FAILURES = "HandlerFailures"  # alarmed: an unexpected error, answered politely
    MALFORMED_EVENTS = "MalformedEvents"
    TIME_TO_JOIN_MS = "TimeToJoinMs"
    CALL_DURATION_SECONDS = "CallDurationSeconds"
    SWEEP_TIMEOUTS_REQUESTED = "SweepTimeoutsRequested"
    SWEEP_CALLS_FORCE_ENDED = "SweepCallsForceEnded"
    SWEEP_MEETINGS_DELETED = "SweepMeetingsDeleted"


class ApiMetric(StrEnum):
    """Emitted in the API namespace by the meeting API."""

    CALLS_ANSWERED = "CallsAnswered"
    OUTBOUND_CALLS_PLACED = "OutboundCallsPlaced"  # alarmed: spend
    REALTIME_SESSIONS_MINTED = "RealtimeSessionsMinted"  # alarmed: spend
    UPSTREAM_FAILURES = "UpstreamFailures"
    UNHANDLED_ERRORS = "UnhandledErrors"  # alarmed


# --- the push channel (AppSync Events): what the stack creates and the publisher and browsers use ---------
#: The publisher's environment variable: https://<Events HTTP host>/event.
EVENTS_URL_ENV = "EVENTS_HTTP_URL"
EVENTS_QUEUE_NAMESPACE = "queue"  # /queue/<kind>: every call change, by what it means for the queue
EVENTS_CALL_NAMESPACE = "call"  # /call/<callId>/status, /call/<callId>/transcript
EVENTS_NAMESPACES = (EVENTS_QUEUE_NAMESPACE, EVENTS_CALL_NAMESPACE)
CALL_EVENTS_SERVICE = "call-events"
