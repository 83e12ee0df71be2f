"""Leaving a call: out of the meeting first, then a goodbye and the hang-up; why a call ended."""

from __future__ import annotations

from datetime import datetime

from call_control import actions
from call_control.actions import Action
from call_control.attributes import CallAttributes, Phase
from call_control.events import LEG_A, Participant, SmaEvent
from call_control.logic.decision import CallState, Decision, OnFault, RecordChange
from call_control.settings import Settings
from calls.e164 import is_e164
from calls.record import ACTIVE_STATUSES, CallStatus, Direction, EndReason, iso


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


def goodbye_actions(event: SmaEvent, message: str | None, settings: Settings) -> tuple[Action, ...]:
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


def meeting_side_leg(event: SmaEvent, attributes: CallAttributes) -> Participant | None:
    """LEG-B when it is the meeting side (not a transfer target) and still connected."""
    leg = event.meeting_leg
    if leg is None or not leg.connected or attributes.phase in {Phase.BRIDGING, Phase.BRIDGED}:
        return None
    return leg


def end_call(
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
    meeting_leg = meeting_side_leg(event, state.attributes)
    if meeting_leg is not None:
        return Decision(
            actions=(actions.hangup(call_id=meeting_leg.call_id),),
            attributes=state.attributes.replace(phase=Phase.LEAVING, end_reason=reason, join_token=None),
            change=change,
            on_fault=on_fault,
            note=note,
            problem=problem,
        )
    return Decision(
        actions=goodbye_actions(event, message_for(reason, settings), settings),
        attributes=state.attributes.replace(phase=Phase.CLOSING, end_reason=reason, join_token=None),
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
    return end_call(event, state, settings, reason, change=change, note=error, problem=error)


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
                attributes=attributes.replace(phase=Phase.BRIDGING),
                delete_meeting=True,
                note="left the meeting; transferring",
            )
        reason = EndReason.FAILED
    return Decision(
        actions=goodbye_actions(event, message_for(reason, settings), settings),
        attributes=attributes.replace(phase=Phase.CLOSING, end_reason=reason),
        delete_meeting=True,
        note="left the meeting; saying goodbye",
    )


SIP_BUSY = frozenset({486, 600})
SIP_NO_ANSWER = frozenset({0, 408, 480, 487})


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
            actions=goodbye_actions(event, None, settings),
            attributes=attributes.replace(phase=Phase.CLOSING, end_reason=EndReason.TRANSFERRED),
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
        actions=goodbye_actions(event, message_for(reason, settings), settings),
        attributes=attributes.replace(phase=Phase.CLOSING, end_reason=reason, join_token=None),
        change=end_change(reason, state.now, error) if active else None,
        delete_meeting=True,
        note="the meeting ended under the caller",
    )
