"""Pure decisions: this SMA event, in this call state, gives these actions and these side effects.

Nothing here talks to AWS. The service (`service.py`) loads the state, asks for a decision, applies its
record change as a conditional write (re-deciding once with the fresh record if the write is refused),
deletes the meeting when asked, and returns the actions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from call_control import actions
from call_control.actions import Action
from call_control.attributes import CallAttributes, Phase
from call_control.events import LEG_A, EventType, Participant, SmaEvent
from call_control.settings import Settings
from calls.contracts import TRANSFER_TO, UPDATE_ACTION, CallMetric, OutboundArgument, UpdateAction
from calls.e164 import is_e164
from calls.phone_numbers import DestinationRefused, DialPolicy, InvalidNumber
from calls.record import ACTIVE_STATUSES, CallRecord, CallStatus, Direction, EndReason, iso, parse_iso

JOIN_CHIME_MEETING = "JoinChimeMeeting"
HANGUP = "Hangup"
SPEAK = "Speak"
PLAY_AUDIO = "PlayAudio"
CALL_AND_BRIDGE = "CallAndBridge"

# SIP response codes on HANGUP of an outbound leg that never answered (developer guide, "Ending a call").
SIP_BUSY = frozenset({486, 600})
SIP_NO_ANSWER = frozenset({0, 408, 480, 487})


class OnFault(StrEnum):
    """What the call gets when the decision's record change fails for a reason other than its condition."""

    PROCEED = "proceed"  # the actions stand (hanging up, recording a ring)
    APOLOGISE = "apologise"  # the caller hears the apology and the call ends
    IGNORE = "ignore"  # nothing happens; whoever asked may ask again (timeouts, transfers)


@dataclass(frozen=True, slots=True)
class RecordChange:
    """A conditional status change of the call record: applied only if the call is in `from_statuses`."""

    to: CallStatus
    from_statuses: frozenset[CallStatus]
    set_fields: Mapping[str, str | None]
    answered_by_absent: bool = False


@dataclass(frozen=True, slots=True)
class MetricPoint:
    name: str
    unit: str  # "Count" | "Milliseconds" | "Seconds"
    value: float


@dataclass(frozen=True, slots=True)
class Decision:
    actions: tuple[Action, ...] = ()
    attributes: CallAttributes | None = None  # None keeps the stored TransactionAttributes
    change: RecordChange | None = None
    on_fault: OnFault = OnFault.PROCEED
    delete_meeting: bool = False  # claim and delete the call's meeting (once) after the change
    metrics: tuple[MetricPoint, ...] = ()
    note: str = ""  # why, for the log
    problem: str | None = None  # something went wrong that an operator should see


@dataclass(frozen=True, slots=True)
class CallState:
    attributes: CallAttributes
    record: CallRecord | None  # None: no record for this call (or it could not be read)
    now: datetime


@dataclass(frozen=True, slots=True)
class MeetingRequest:
    request_token: str
    external_meeting_id: str
    caller_user_id: str


@dataclass(frozen=True, slots=True)
class CallerMeeting:
    meeting_id: str
    attendee_id: str
    join_token: str


@dataclass(frozen=True, slots=True)
class InboundSetup:
    record: CallRecord
    meeting: MeetingRequest
    metrics: tuple[MetricPoint, ...] = field(default=())


# ---------------------------------------------------------------------------------------------------------
# Small helpers


def record_id(event: SmaEvent, attributes: CallAttributes) -> str | None:
    """The call record this event belongs to: remembered in the attributes, else derived.

    None for an outbound call whose attributes are gone: the service finds it by its TransactionId.
    """
    if attributes.call_id:
        return attributes.call_id
    argument = event.arguments.get(OutboundArgument.CALL_ID)
    if argument:
        return argument
    if attributes.direction is Direction.OUTBOUND or is_outbound_leg(event):
        return None
    return event.transaction_id  # inbound calls are recorded under their TransactionId


def is_outbound_leg(event: SmaEvent) -> bool:
    """LEG-A was dialled by us (CreateSipMediaApplicationCall): every event of the call says Outbound."""
    caller = event.caller
    return caller is not None and (caller.direction or "").lower() == "outbound"


def recovered_attributes(attributes: CallAttributes, record: CallRecord) -> CallAttributes:
    """What the SMA should have kept for this call, rebuilt from its record (what it did keep stays)."""
    return attributes.but(
        call_id=attributes.call_id or record.call_id,
        meeting_id=attributes.meeting_id or record.meeting_id,
        direction=attributes.direction or record.direction,
    )


def ending(reason: EndReason, now: datetime, error: str | None = None) -> dict[str, str | None]:
    fields: dict[str, str | None] = {"end_reason": reason.value, "ended_at": iso(now)}
    if error is not None:
        fields["error"] = error[:500]
    return fields


def end_change(
    reason: EndReason,
    now: datetime,
    error: str | None = None,
    *,
    from_statuses: frozenset[CallStatus] = ACTIVE_STATUSES,
    answered_by_absent: bool = False,
) -> RecordChange:
    return RecordChange(
        to=CallStatus.ENDED,
        from_statuses=from_statuses,
        set_fields=ending(reason, now, error),
        answered_by_absent=answered_by_absent,
    )


def message_for(reason: EndReason, settings: Settings) -> str | None:
    """What the caller hears before we hang up on them; None: nothing (e.g. the agent hung up)."""
    if reason is EndReason.TIMEOUT:
        return settings.timeout_message
    if reason in {EndReason.ERROR, EndReason.FAILED}:
        return settings.apology_message
    return None


def farewell(event: SmaEvent, message: str | None, settings: Settings) -> tuple[Action, ...]:
    """Say `message` to the phone party (if connected), then hang it up.

    Only LEG-A: its meeting leg goes with it, and a bridged leg is hung up on the HANGUP that follows
    (a Hangup of another leg first would report back and have the rest of this list replaced).
    """
    caller = event.caller
    if caller is None:
        return (actions.hangup(participant_tag=LEG_A),)
    if not caller.present:  # the phone party is gone already: hang up whatever is left
        return tuple(actions.hangup(call_id=leg.call_id) for leg in event.participants if leg.connected)
    said: list[Action] = []
    if caller.connected and message:
        said.append(
            actions.speak(
                call_id=caller.call_id,
                text=message,
                voice_id=settings.voice.voice_id,
                language_code=settings.voice.language_code,
            )
        )
    return (*said, actions.hangup(call_id=caller.call_id))


def _meeting_leg(event: SmaEvent, attributes: CallAttributes) -> Participant | None:
    """LEG-B when it is the meeting side (not a transfer target) and still connected."""
    leg = event.meeting_leg
    if leg is None or not leg.connected or attributes.phase in {Phase.BRIDGING, Phase.BRIDGED}:
        return None
    return leg


def goodbye(
    event: SmaEvent,
    state: CallState,
    settings: Settings,
    reason: EndReason,
    *,
    change: RecordChange | None,
    on_fault: OnFault = OnFault.PROCEED,
    note: str,
    problem: str | None = None,
) -> Decision:
    """End the call politely: first take the caller out of the meeting, then speak and hang up.

    Speak runs on a leg that is not in a meeting; a Hangup of the meeting leg takes the caller out and
    the SMA reports it with ACTION_SUCCESSFUL (developer guide, Hangup), where `continue_leaving` goes on.
    """
    meeting_leg = _meeting_leg(event, state.attributes)
    if meeting_leg is not None:
        return Decision(
            actions=(actions.hangup(call_id=meeting_leg.call_id),),
            attributes=state.attributes.but(phase=Phase.LEAVING, end_reason=reason, join_token=None),
            change=change,
            on_fault=on_fault,
            note=note,
            problem=problem,
        )
    return Decision(
        actions=farewell(event, message_for(reason, settings), settings),
        attributes=state.attributes.but(phase=Phase.CLOSING, end_reason=reason, join_token=None),
        change=change,
        on_fault=on_fault,
        delete_meeting=True,
        note=note,
        problem=problem,
    )


def fail_call(
    event: SmaEvent, state: CallState, settings: Settings, reason: EndReason, error: str
) -> Decision:
    record = state.record
    change = end_change(reason, state.now, error) if record is not None and record.is_active else None
    return goodbye(event, state, settings, reason, change=change, note=error, problem=error)


def our_number(event: SmaEvent, state: CallState) -> str | None:
    """Our phone number on this call: the dialled number inbound, the calling number outbound."""
    record = state.record
    caller = event.caller
    outbound = (record is not None and record.direction is Direction.OUTBOUND) or (
        state.attributes.direction is Direction.OUTBOUND
    )
    number: str | None = None
    if record is not None:
        number = record.from_number if outbound else record.to_number
    elif caller is not None:
        number = caller.from_number if outbound else caller.to_number
    return number if number and is_e164(number) else None


# ---------------------------------------------------------------------------------------------------------
# New inbound calls (the service runs these steps around its AWS calls)

_TOKEN = re.compile(r"^[-_a-zA-Z0-9]{2,60}$")


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


def join_inbound(event: SmaEvent, settings: Settings, meeting: CallerMeeting) -> Decision:
    """Greet the caller (optionally) and put them into the meeting, remembering what later events need."""
    caller = event.caller
    if caller is None:  # the service checks this before creating anything
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
        actions=farewell(event, settings.apology_message, settings),
        attributes=attributes,
        note="could not put the caller into a meeting",
        problem=error,
    )


def broken_settings_reply(caller_call_id: str | None, apology: str, voice_id: str, language: str) -> Decision:
    """Every call gets a polite goodbye while the configuration is unusable."""
    if caller_call_id is None:
        return Decision(actions=(actions.hangup(participant_tag=LEG_A),), note="settings are unusable")
    return Decision(
        actions=(
            actions.speak(call_id=caller_call_id, text=apology, voice_id=voice_id, language_code=language),
            actions.hangup(call_id=caller_call_id),
        ),
        note="settings are unusable",
    )


# ---------------------------------------------------------------------------------------------------------
# Every other event


def decide(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    match event.kind:
        case EventType.NEW_INBOUND_CALL:
            raise ValueError("new inbound calls are set up by the service (inbound_setup / join_inbound)")
        case EventType.NEW_OUTBOUND_CALL:
            return outbound_placed(event, state)
        case EventType.RINGING:
            return ringing(event, state)
        case EventType.CALL_ANSWERED:
            return outbound_answered(event, state, settings)
        case EventType.ACTION_SUCCESSFUL:
            return action_succeeded(event, state, settings)
        case EventType.ACTION_FAILED:
            return action_failed(event, state, settings)
        case EventType.HANGUP:
            return hung_up(event, state, settings)
        case EventType.CALL_UPDATE_REQUESTED:
            return update_requested(event, state, settings)
        case EventType.INVALID_LAMBDA_RESPONSE:
            return invalid_response(event, state)
        case EventType.ACTION_INTERRUPTED | EventType.DIGITS_RECEIVED:
            return Decision(note=f"{event.event_type} is informational here")
        case _:
            return unknown_event(event, state, settings)


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
            actions=farewell(event, None, settings),
            attributes=attributes.but(phase=Phase.CLOSING, join_token=None),
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
    return Decision(actions=(join,), attributes=attributes.but(phase=Phase.JOINING), note="answered; joining")


def action_succeeded(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    match event.action_type:
        case "JoinChimeMeeting":
            return joined(event, state, settings)
        case "Hangup":
            if state.attributes.phase is Phase.LEAVING:
                return continue_leaving(event, state, settings)
            return Decision(note="hangup completed")
        case "CallAndBridge":
            return Decision(attributes=state.attributes.but(phase=Phase.BRIDGED), note="transfer connected")
        case _:
            # Speak / PlayAudio report here only as the last action of a list; nothing follows them.
            return Decision(note=f"{event.action_type} completed")


def joined(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    attributes = state.attributes.but(phase=Phase.IN_MEETING, join_token=None)
    record = state.record
    if record is None:
        return goodbye(
            event,
            CallState(attributes, record, state.now),
            settings,
            EndReason.ERROR,
            change=None,
            note="joined, but the call has no record agents could see",
            problem="no call record for a joined call",
        )
    if not record.is_active:
        reason = record.end_reason or EndReason.ERROR
        return goodbye(
            event,
            CallState(attributes, record, state.now),
            settings,
            reason,
            change=None,
            note="call ended while joining",
        )
    if record.joined_at is not None:
        return Decision(attributes=attributes, note="already joined")
    now = iso(state.now)
    if record.direction is Direction.OUTBOUND:
        change = RecordChange(
            to=CallStatus.IN_PROGRESS,
            from_statuses=frozenset({CallStatus.DIALING, CallStatus.RINGING}),
            set_fields={"joined_at": now, "answered_at": now, "transaction_id": event.transaction_id},
        )
    else:
        change = RecordChange(
            to=CallStatus.RINGING,
            from_statuses=frozenset({CallStatus.CONNECTING}),
            set_fields={"joined_at": now},
        )
    return Decision(attributes=attributes, change=change, on_fault=OnFault.APOLOGISE, note="phone leg joined")


def continue_leaving(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    """The caller has left the meeting: transfer them, or say goodbye and hang up."""
    attributes = state.attributes
    reason = attributes.end_reason or EndReason.ERROR
    if reason is EndReason.TRANSFERRED and attributes.transfer_to:
        caller_id = our_number(event, state)
        if caller_id is not None:
            bridge = actions.call_and_bridge(caller_id_number=caller_id, destination=attributes.transfer_to)
            return Decision(
                actions=(bridge,),
                attributes=attributes.but(phase=Phase.BRIDGING),
                delete_meeting=True,
                note="left the meeting; transferring",
            )
        reason = EndReason.FAILED
    return Decision(
        actions=farewell(event, message_for(reason, settings), settings),
        attributes=attributes.but(phase=Phase.CLOSING, end_reason=reason),
        delete_meeting=True,
        note="left the meeting; saying goodbye",
    )


def action_failed(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    attributes = state.attributes
    data = event.action
    error = f"{event.action_type or 'action'} failed: {data.error_type if data else None}: "
    error += (data.error_message if data else None) or "no message"
    caller = event.caller
    match event.action_type:
        case "JoinChimeMeeting":
            return fail_call(event, state, settings, EndReason.ERROR, error)
        case "Speak" | "PlayAudio":
            if (
                attributes.phase is Phase.JOINING
                and caller
                and attributes.join_token
                and attributes.meeting_id
            ):
                join = actions.join_chime_meeting(
                    call_id=caller.call_id, join_token=attributes.join_token, meeting_id=attributes.meeting_id
                )
                return Decision(actions=(join,), note="greeting failed; joining anyway", problem=error)
            if attributes.phase is Phase.CLOSING:
                return Decision(
                    actions=farewell(event, None, settings), note="goodbye failed; hanging up", problem=error
                )
            return Decision(note="speech failed", problem=error)
        case "Hangup":
            if attributes.phase is Phase.LEAVING and attributes.end_reason is not EndReason.TRANSFERRED:
                return continue_leaving(event, state, settings)
            if attributes.phase is Phase.LEAVING:  # a caller still in the meeting cannot be bridged
                return fail_call(event, state, settings, EndReason.FAILED, error)
            if caller is None or not caller.connected:
                return Decision(note="hangup failed on a leg that is gone", problem=error)
            return Decision(
                actions=farewell(event, None, settings), note="hangup failed; again", problem=error
            )
        case "CallAndBridge":
            record = state.record
            change = (
                end_change(EndReason.FAILED, state.now, error)
                if record is not None and record.is_active
                else None
            )
            return Decision(
                actions=farewell(event, settings.apology_message, settings),
                attributes=attributes.but(phase=Phase.CLOSING, end_reason=EndReason.FAILED),
                change=change,
                delete_meeting=True,
                note="transfer failed",
                problem=error,
            )
        case _:
            if caller is not None and caller.connected:
                return fail_call(event, state, settings, EndReason.ERROR, error)
            return Decision(note="an action failed on a call with nobody connected", problem=error)


def hangup_reason(event: SmaEvent, state: CallState) -> tuple[EndReason, str | None]:
    """Why the call ended when the phone party hung up (or the SMA ended it)."""
    record = state.record
    if state.attributes.end_reason is not None:
        return state.attributes.end_reason, None
    if record is not None and record.status is CallStatus.TRANSFERRING:
        return EndReason.TRANSFERRED, None
    if record is not None and record.direction is Direction.OUTBOUND and record.joined_at is None:
        code = event.sip_response_code
        if code in SIP_BUSY:
            return EndReason.BUSY, None
        if code is None or code in SIP_NO_ANSWER:
            return EndReason.NO_ANSWER, None
        return EndReason.FAILED, f"far end answered the call attempt with SIP {code}"
    return EndReason.CALLER_HUNG_UP, None


def hung_up(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    record = state.record
    leg = event.hung_up_leg()
    caller = event.caller
    if leg is not None and leg.tag != LEG_A and caller is not None and caller.connected:
        return other_leg_gone(event, state, settings)
    # The phone party is gone: hang up whatever is left (a bridged transfer leg does not end by itself).
    remaining: tuple[Action, ...] = ()
    if leg is not None:
        remaining = tuple(
            actions.hangup(call_id=other.call_id) for other in event.other_connected_legs(leg.call_id)
        )
    change = None
    if record is not None and record.is_active:
        reason, error = hangup_reason(event, state)
        change = end_change(reason, state.now, error)
    return Decision(
        actions=remaining,
        change=change,
        delete_meeting=True,
        note=f"{leg.tag if leg else 'a leg'} hung up (SIP {event.sip_response_code})",
    )


def other_leg_gone(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    """LEG-B hung up with the caller still there: our own Hangup, a transfer target, or the meeting ended."""
    attributes = state.attributes
    record = state.record
    active = record is not None and record.is_active
    if attributes.phase is Phase.CLOSING:
        return Decision(note="meeting leg gone while closing")
    if attributes.phase is Phase.LEAVING:
        return continue_leaving(event, state, settings)
    if attributes.phase is Phase.BRIDGING:  # the transfer leg is not up yet: this is the old meeting leg
        return Decision(note="the meeting leg's hangup reported while the transfer dials")
    if attributes.phase is Phase.BRIDGED:
        return Decision(
            actions=farewell(event, None, settings),
            attributes=attributes.but(phase=Phase.CLOSING, end_reason=EndReason.TRANSFERRED),
            change=end_change(EndReason.TRANSFERRED, state.now) if active else None,
            delete_meeting=True,
            note="transfer target hung up",
        )
    error: str | None = None
    if record is not None and not record.is_active:
        reason = record.end_reason or EndReason.ERROR
    elif record is not None and record.status is CallStatus.IN_PROGRESS:
        reason = EndReason.AGENT_HUNG_UP
    else:
        reason, error = EndReason.ERROR, "the meeting ended before an agent answered"
    return Decision(
        actions=farewell(event, message_for(reason, settings), settings),
        attributes=attributes.but(phase=Phase.CLOSING, end_reason=reason, join_token=None),
        change=end_change(reason, state.now, error) if active else None,
        delete_meeting=True,
        note="the meeting ended under the caller",
    )


def update_requested(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    arguments = event.arguments
    requested = arguments.get(UPDATE_ACTION, "").strip().lower()
    match requested:
        case UpdateAction.HANGUP:
            return agent_hangup(event, state, settings)
        case UpdateAction.TRANSFER:
            return transfer(event, state, arguments.get(TRANSFER_TO, "").strip(), settings.dial_policy)
        case UpdateAction.TIMEOUT:
            return wait_timed_out(event, state, settings)
        case _:
            return Decision(note=f"refused an update request: unknown action {requested!r}", problem=None)


def agent_hangup(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    record = state.record
    active = record is not None and record.is_active
    return Decision(
        actions=farewell(event, None, settings),
        attributes=state.attributes.but(
            phase=Phase.CLOSING, end_reason=EndReason.AGENT_HUNG_UP, join_token=None
        ),
        change=end_change(EndReason.AGENT_HUNG_UP, state.now) if active else None,
        note="agent hung up",
    )


def transfer(event: SmaEvent, state: CallState, destination: str, policy: DialPolicy) -> Decision:
    record = state.record
    caller = event.caller
    meeting_leg = _meeting_leg(event, state.attributes)
    refusal = _destination_refusal(destination, policy)
    if refusal is not None:
        pass  # the number itself is refused; the call's state does not matter
    elif record is None or record.status not in {CallStatus.RINGING, CallStatus.IN_PROGRESS}:
        refusal = f"the call is {record.status.value if record else 'unknown'}"
    elif caller is None or not caller.connected or meeting_leg is None:
        refusal = "the caller is not in the meeting"
    elif our_number(event, state) is None:
        refusal = "the call has no number of ours to show as caller id"
    if refusal is not None or meeting_leg is None:
        return Decision(note=f"refused a transfer to {destination!r}: {refusal}")
    return Decision(
        actions=(actions.hangup(call_id=meeting_leg.call_id),),
        attributes=state.attributes.but(
            phase=Phase.LEAVING, end_reason=EndReason.TRANSFERRED, transfer_to=destination, join_token=None
        ),
        change=RecordChange(
            to=CallStatus.TRANSFERRING,
            from_statuses=frozenset({CallStatus.RINGING, CallStatus.IN_PROGRESS}),
            set_fields={"transfer_to": destination},
        ),
        on_fault=OnFault.IGNORE,
        note=f"transferring to {destination}",
    )


def _destination_refusal(destination: str, policy: DialPolicy) -> str | None:
    """Why the one phone-number policy refuses this transfer target, if it does. The API checked it first;
    this lock also holds for an update request that did not come through the API."""
    try:
        policy.check(destination)
    except (InvalidNumber, DestinationRefused) as refused:
        return str(refused)
    return None


def wait_timed_out(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    record = state.record
    if (
        record is None
        or record.status is not CallStatus.RINGING
        or record.direction is not Direction.INBOUND
        or record.answered_by is not None
    ):
        status = record.status.value if record else "unknown"
        return Decision(
            note=f"refused a timeout: the call is {status}, answered by {record and record.answered_by}"
        )
    change = end_change(
        EndReason.TIMEOUT, state.now, from_statuses=frozenset({CallStatus.RINGING}), answered_by_absent=True
    )
    return goodbye(
        event,
        state,
        settings,
        EndReason.TIMEOUT,
        change=change,
        on_fault=OnFault.IGNORE,
        note="nobody answered",
    )


def invalid_response(event: SmaEvent, state: CallState) -> Decision:
    """The SMA refused our last response: hang up plainly (no Speak, in case speech was the problem)."""
    data = event.action
    error_type = event.error_type or (data.error_type if data else None)
    message = event.error_message or (data.error_message if data else None)
    error = f"the SMA refused our response: {error_type}: {message}"
    caller = event.caller
    record = state.record
    if caller is None or not caller.connected:
        return Decision(note="invalid response reported with nobody connected", problem=error)
    return Decision(
        actions=(actions.hangup(call_id=caller.call_id),),
        attributes=state.attributes.but(phase=Phase.CLOSING, end_reason=EndReason.ERROR, join_token=None),
        change=end_change(EndReason.ERROR, state.now, error)
        if record is not None and record.is_active
        else None,
        note="hanging up after an invalid response",
        problem=error,
    )


def unknown_event(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    caller = event.caller
    error = f"unknown event type {event.event_type!r}"
    if caller is not None and caller.connected:
        return fail_call(event, state, settings, EndReason.ERROR, error)
    return Decision(note=error, problem=error)


# ---------------------------------------------------------------------------------------------------------
# Metrics that follow from a record change that was applied


def change_metrics(
    event: SmaEvent, change: RecordChange, after: CallRecord, now: datetime
) -> tuple[MetricPoint, ...]:
    points: list[MetricPoint] = []
    if "joined_at" in change.set_fields and after.joined_at is not None:
        points.append(MetricPoint(CallMetric.CALLS_ANSWERED, "Count", 1))
        caller = event.caller
        if caller is not None and caller.start_ms is not None:
            waited = now.timestamp() * 1000 - caller.start_ms
            if 0 <= waited <= 3_600_000:  # the guide's own examples carry implausible start times
                points.append(MetricPoint(CallMetric.TIME_TO_JOIN_MS, "Milliseconds", round(waited)))
    if change.to is CallStatus.ENDED:
        duration = after.duration_seconds()
        if duration is not None and duration >= 0:
            points.append(MetricPoint(CallMetric.CALL_DURATION_SECONDS, "Seconds", round(duration, 3)))
        if after.joined_at is None:
            points.append(MetricPoint(CallMetric.CALLS_FAILED, "Count", 1))
    return tuple(points)


# ---------------------------------------------------------------------------------------------------------
# The sweeper's plan for one call (run every minute)

LOOKBACK = timedelta(hours=25)  # meetings end by themselves after 24 hours; older calls need nothing
CONNECTING_LIMIT = timedelta(minutes=2)  # the SMA drops a call after ~20 s without an answer from us
DIALING_LIMIT = timedelta(minutes=5)
OUTBOUND_RINGING_LIMIT = timedelta(minutes=5)
TIMEOUT_GRACE = timedelta(minutes=3)  # after asking for a timeout, how long before forcing the end
CLEANUP_GRACE = timedelta(minutes=1)  # leave the SMA Lambda time to delete the meeting itself


class SweepKind(StrEnum):
    REQUEST_TIMEOUT = "request_timeout"  # ask the SMA Lambda to say goodbye (CALL_UPDATE_REQUESTED timeout)
    FORCE_END = "force_end"  # stuck: end the record, delete the meeting, ask the SMA to hang up
    DELETE_MEETING = "delete_meeting"  # over (or transferred away) but its meeting was never deleted


@dataclass(frozen=True, slots=True)
class SweepStep:
    kind: SweepKind
    call: CallRecord
    change: RecordChange | None = None


def plan_sweep(call: CallRecord, now: datetime, wait_timeout: timedelta) -> SweepStep | None:
    age = now - parse_iso(call.created_at)
    idle = now - parse_iso(call.updated_at)
    only = frozenset({call.status})
    match call.status:
        case CallStatus.CONNECTING if age > CONNECTING_LIMIT:
            change = end_change(EndReason.ERROR, now, "stuck while connecting", from_statuses=only)
            return SweepStep(SweepKind.FORCE_END, call, change)
        case CallStatus.DIALING if age > DIALING_LIMIT:
            change = end_change(EndReason.FAILED, now, "the outbound call never rang", from_statuses=only)
            return SweepStep(SweepKind.FORCE_END, call, change)
        case CallStatus.RINGING if call.direction is Direction.OUTBOUND:
            if idle > OUTBOUND_RINGING_LIMIT:
                return SweepStep(
                    SweepKind.FORCE_END, call, end_change(EndReason.NO_ANSWER, now, from_statuses=only)
                )
        case CallStatus.RINGING if call.answered_by is None:
            if idle > wait_timeout + TIMEOUT_GRACE:
                change = end_change(EndReason.TIMEOUT, now, from_statuses=only, answered_by_absent=True)
                return SweepStep(SweepKind.FORCE_END, call, change)
            if idle >= wait_timeout:
                return SweepStep(SweepKind.REQUEST_TIMEOUT, call)
        case CallStatus.TRANSFERRING | CallStatus.ENDED if call.meeting_id and call.meeting_ended_at is None:
            since = now - parse_iso(call.ended_at or call.updated_at)
            if since > CLEANUP_GRACE:
                return SweepStep(SweepKind.DELETE_MEETING, call)
    return None
