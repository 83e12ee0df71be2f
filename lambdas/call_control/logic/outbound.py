"""Outbound calls the meeting API placed: placed, ringing, answered, and their attributes rebuilt from the record."""

from __future__ import annotations

import dataclasses

from call_control import actions
from call_control.attributes import CallAttributes, Phase
from call_control.events import EventType, SmaEvent
from call_control.logic.decision import CallState, Decision, MetricPoint, RecordChange
from call_control.logic.leaving import fail_call, goodbye_actions
from call_control.settings import Settings
from calls.contracts import CallMetric, OutboundArgument
from calls.record import CallRecord, CallStatus, Direction, EndReason


def is_outbound_leg(event: SmaEvent) -> bool:
    """LEG-A was dialled by us (CreateSipMediaApplicationCall): every event of the call says Outbound."""
    caller = event.caller
    return caller is not None and (caller.direction or "").lower() == "outbound"


def recovered_attributes(attributes: CallAttributes, record: CallRecord) -> CallAttributes:
    """What the SMA should have kept for this call, rebuilt from its record (what it did keep stays)."""
    return attributes.replace(
        call_id=attributes.call_id or record.call_id,
        meeting_id=attributes.meeting_id or record.meeting_id,
        direction=attributes.direction or record.direction,
    )


def outbound_placed(event: SmaEvent, state: CallState) -> Decision:
    """NEW_OUTBOUND_CALL: keep the ArgumentsMap the meeting API placed the call with.

    The SMA ignores the answer to this event (developer guide, "Making an outbound call"), so the
    attributes may never come back; recording the TransactionId here as well as in the API lets later
    events find the call even when the API's own write is late or lost.
    """
    arguments = event.arguments
    record = state.record
    change = None
    if arguments.get(OutboundArgument.CALL_ID) and (record is None or record.status is CallStatus.DIALING):
        change = RecordChange(
            to=CallStatus.DIALING,
            from_statuses=frozenset({CallStatus.DIALING}),
            set_fields={"transaction_id": event.transaction_id},
        )
    attributes = CallAttributes(
        call_id=arguments.get(OutboundArgument.CALL_ID),
        meeting_id=arguments.get(OutboundArgument.MEETING_ID),
        direction=Direction.OUTBOUND,
        phase=Phase.DIALING,
        join_token=arguments.get(OutboundArgument.JOIN_TOKEN),
    )
    missing = [name.value for name in OutboundArgument if not arguments.get(name)]
    return Decision(
        attributes=attributes,
        change=change,
        metrics=(MetricPoint(CallMetric.CALLS_STARTED, "Count", 1),),
        note="outbound call placed",
        problem=f"outbound call placed without {', '.join(missing)}" if missing else None,
    )


def ringing(event: SmaEvent, state: CallState) -> Decision:
    record = state.record
    if record is None or record.direction is not Direction.OUTBOUND:
        return Decision(note="ringing of a leg that is not one of our outbound calls")
    if record.status is not CallStatus.DIALING:
        return Decision(note=f"ringing while {record.status.value}")
    return Decision(
        change=RecordChange(
            to=CallStatus.RINGING,
            from_statuses=frozenset({CallStatus.DIALING}),
            # The API stores the transaction id right after dialling; writing it here too means a lost
            # write there cannot leave an outbound call the agent is unable to hang up or transfer.
            set_fields={"transaction_id": event.transaction_id},
        ),
        note="far end is ringing",
    )


def outbound_answered(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    attributes = state.attributes
    record = state.record
    caller = event.caller
    if record is not None and not record.is_active:
        return Decision(
            actions=goodbye_actions(event, None, settings),
            attributes=attributes.replace(phase=Phase.CLOSING, join_token=None),
            note="answered after the call was cancelled",
        )
    if record is None and not attributes.join_token:
        # No attributes and no record with this TransactionId (the API's write not landed yet, or a call
        # that is not ours): nothing to join and nothing to end, so count the failure here.
        failed = fail_call(
            event, state, settings, EndReason.ERROR, "outbound call answered, but no call has its transaction"
        )
        return dataclasses.replace(failed, metrics=(MetricPoint(CallMetric.CALLS_FAILED, "Count", 1),))
    if caller is None or not attributes.join_token or not attributes.meeting_id:
        return fail_call(
            event, state, settings, EndReason.ERROR, "outbound call answered without its join token"
        )
    join = actions.join_chime_meeting(
        call_id=caller.call_id, join_token=attributes.join_token, meeting_id=attributes.meeting_id
    )
    return Decision(
        actions=(join,), attributes=attributes.replace(phase=Phase.JOINING), note="answered; joining"
    )


def phone_leg_token_wanted(event: SmaEvent, attributes: CallAttributes, record: CallRecord) -> str | None:
    """The meeting whose phone-leg join token this event needs, if any: CALL_ANSWERED of a live outbound
    call whose attributes lost the token. The service gets it from CreateAttendee with the phone leg's
    ExternalUserId, which returns the attendee the meeting API made."""
    if event.kind is EventType.CALL_ANSWERED and not attributes.join_token and record.is_active:
        return attributes.meeting_id
    return None
