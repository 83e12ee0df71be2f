"""Which decision for which SMA event: `decide` is the one entry point the service calls."""

from __future__ import annotations

from call_control.attributes import CallAttributes, Phase
from call_control.events import EventType, SmaEvent
from call_control.logic.decision import CallState, Decision, OnFault, RecordChange
from call_control.logic.failures import action_failed, invalid_response, unknown_event
from call_control.logic.inbound import new_inbound_call
from call_control.logic.leaving import continue_leaving, end_call, hung_up
from call_control.logic.outbound import is_outbound_leg, outbound_answered, outbound_placed, ringing
from call_control.logic.update_requests import update_requested
from call_control.settings import Settings
from calls.contracts import OutboundArgument
from calls.record import CallStatus, Direction, EndReason, iso


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


def reads_record(event: SmaEvent) -> bool:
    """Whether `decide` needs the call's record. Not for the first event of a call: a new inbound call has
    none yet (and reading would cost every setup a request), and NEW_OUTBOUND_CALL's arguments say all
    (the meeting API's own write may not have landed yet)."""
    return event.kind not in {EventType.NEW_INBOUND_CALL, EventType.NEW_OUTBOUND_CALL}


def decide(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    match event.kind:
        case EventType.NEW_INBOUND_CALL:
            return new_inbound_call(event, state, settings)
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


def action_succeeded(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    match event.action_type:
        case "JoinChimeMeeting":
            return joined(event, state, settings)
        case "Hangup":
            if state.attributes.phase is Phase.LEAVING:
                return continue_leaving(event, state, settings)
            return Decision(note="hangup completed")
        case "CallAndBridge":
            return Decision(
                attributes=state.attributes.replace(phase=Phase.BRIDGED), note="transfer connected"
            )
        case _:
            # Speak / PlayAudio report here only as the last action of a list; nothing follows them.
            return Decision(note=f"{event.action_type} completed")


def joined(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    attributes = state.attributes.replace(phase=Phase.IN_MEETING, join_token=None)
    record = state.record
    if record is None:
        return end_call(
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
        return end_call(
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
