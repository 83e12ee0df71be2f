"""A new inbound call: the meeting and the record it needs (steps the service runs), then greeting and join."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from datetime import datetime

from call_control import actions
from call_control.actions import Action
from call_control.attributes import CallAttributes, Phase
from call_control.events import LEG_A, Participant, SmaEvent
from call_control.logic.decision import (
    CallerMeeting,
    CallState,
    Decision,
    InboundSetup,
    MeetingRequest,
    MetricPoint,
    SetupResult,
)
from call_control.logic.leaving import goodbye_actions
from call_control.settings import Settings
from calls.contracts import CallMetric
from calls.record import CallRecord, CallStatus, Direction, EndReason, iso

_TOKEN = re.compile(r"^[-_a-zA-Z0-9]{2,60}$")
STARTED = MetricPoint(CallMetric.CALLS_STARTED, "Count", 1)
FAILED = MetricPoint(CallMetric.CALLS_FAILED, "Count", 1)


def meeting_request(transaction_id: str) -> MeetingRequest:
    """Names for the caller's meeting, derived from the TransactionId so a retried event gets the same one."""
    if _TOKEN.match(transaction_id):
        token = f"sma-{transaction_id}"
    else:  # ClientRequestToken allows [-_a-zA-Z0-9]{2,64}
        token = "sma-" + hashlib.sha256(transaction_id.encode()).hexdigest()[:60]
    return MeetingRequest(
        request_token=token,
        external_meeting_id=f"call-{transaction_id}"[:64],
        caller_user_id=f"caller-{transaction_id}"[:64],
    )


def inbound_setup(event: SmaEvent, settings: Settings, now: datetime) -> InboundSetup:
    caller = event.caller
    record = CallRecord.new(
        call_id=event.transaction_id,
        direction=Direction.INBOUND,
        from_number=(caller.from_number if caller else None) or "unknown",
        to_number=(caller.to_number if caller else None) or "unknown",
        status=CallStatus.CONNECTING,
        now=now,
        retention=settings.retention,
        transaction_id=event.transaction_id,
    )
    return InboundSetup(record=record, meeting=meeting_request(event.transaction_id))


def greeting_actions(caller: Participant, settings: Settings) -> tuple[Action, ...]:
    greeting = settings.greeting
    if greeting.audio_bucket and greeting.audio_key:
        return (
            actions.play_audio(call_id=caller.call_id, bucket=greeting.audio_bucket, key=greeting.audio_key),
        )
    if greeting.text:
        return (
            actions.speak(
                call_id=caller.call_id,
                text=greeting.text,
                voice_id=settings.voice.voice_id,
                language_code=settings.voice.language_code,
            ),
        )
    return ()


def new_inbound_call(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    """NEW_INBOUND_CALL: name the setup steps (meeting, then record); `after_setup` decides on their result."""
    if event.caller is None:
        return Decision(
            actions=(actions.hangup(participant_tag=LEG_A),), problem="a new inbound call without LEG-A"
        )
    return Decision(setup=inbound_setup(event, settings, state.now), note="setting up the caller's meeting")


def after_setup(
    event: SmaEvent, settings: Settings, now: datetime, setup: InboundSetup, result: SetupResult
) -> Decision:
    """Join the caller into the meeting the steps made, or apologise and leave nothing behind."""
    meeting, stored, error = result.meeting, result.stored, result.error or "setup failed"
    if meeting is None:  # no meeting: record the failed call, so agents and the alarms see it
        failed = setup.record.replace(
            status=CallStatus.ENDED, end_reason=EndReason.ERROR, ended_at=iso(now), error=error[:500]
        )
        return dataclasses.replace(
            setup_failed(event, settings, error), store=failed, metrics=(STARTED, FAILED)
        )
    if stored is None:  # a meeting without a record: nobody else could find it, so delete it now
        return dataclasses.replace(
            setup_failed(event, settings, error, meeting.meeting_id),
            delete_meeting=True,
            metrics=(STARTED, FAILED),
        )
    if not stored.is_active:  # a retry of a call that has already ended
        return dataclasses.replace(
            setup_failed(event, settings, "the call had already ended", meeting.meeting_id),
            delete_meeting=True,
        )
    joined = join_inbound(event, settings, meeting)
    return dataclasses.replace(joined, metrics=(STARTED,) if result.created else ())


def join_inbound(event: SmaEvent, settings: Settings, meeting: CallerMeeting) -> Decision:
    """Greet the caller (optionally) and put them into the meeting, remembering what later events need."""
    caller = event.caller
    if caller is None:  # new_inbound_call answers this before any setup step
        raise ValueError("a new inbound call without LEG-A")
    join = actions.join_chime_meeting(
        call_id=caller.call_id, join_token=meeting.join_token, meeting_id=meeting.meeting_id
    )
    attributes = CallAttributes(
        call_id=event.transaction_id,
        meeting_id=meeting.meeting_id,
        direction=Direction.INBOUND,
        phase=Phase.JOINING,
        join_token=meeting.join_token,  # kept until joined: a failed greeting drops the join after it
    )
    return Decision(
        actions=(*greeting_actions(caller, settings), join),
        attributes=attributes,
        note="caller recorded and meeting created; joining",
    )


def setup_failed(event: SmaEvent, settings: Settings, error: str, meeting_id: str | None = None) -> Decision:
    """The caller never reached the meeting: apologise and hang up."""
    attributes = CallAttributes(
        call_id=event.transaction_id,
        meeting_id=meeting_id,
        direction=Direction.INBOUND,
        phase=Phase.CLOSING,
        end_reason=EndReason.ERROR,
    )
    return Decision(
        actions=goodbye_actions(event, settings.apology_message, settings),
        attributes=attributes,
        note="could not put the caller into a meeting",
        problem=error,
    )
