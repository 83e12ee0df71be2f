"""When something fails on the line: a failed action, a refused response, an event we do not know, broken settings."""

from __future__ import annotations

import dataclasses

from call_control import actions
from call_control.attributes import Phase
from call_control.events import LEG_A, SmaEvent
from call_control.logic.decision import CallState, Decision, OnFault
from call_control.logic.leaving import continue_leaving, end_call, end_change, fail_call, goodbye_actions
from call_control.settings import Settings
from calls.record import EndReason


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
                    actions=goodbye_actions(event, None, settings),
                    note="goodbye failed; hanging up",
                    problem=error,
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
                actions=goodbye_actions(event, None, settings), note="hangup failed; again", problem=error
            )
        case "CallAndBridge":
            record = state.record
            change = (
                end_change(EndReason.FAILED, state.now, error)
                if record is not None and record.is_active
                else None
            )
            return Decision(
                actions=goodbye_actions(event, settings.apology_message, settings),
                attributes=attributes.replace(phase=Phase.CLOSING, end_reason=EndReason.FAILED),
                change=change,
                delete_meeting=True,
                note="transfer failed",
                problem=error,
            )
        case _:
            if caller is not None and caller.connected:
                return fail_call(event, state, settings, EndReason.ERROR, error)
            return Decision(note="an action failed on a call with nobody connected", problem=error)


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
        attributes=state.attributes.replace(phase=Phase.CLOSING, end_reason=EndReason.ERROR, join_token=None),
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


def after_record_fault(
    event: SmaEvent, state: CallState, settings: Settings, decision: Decision, problem: str
) -> Decision:
    """The decision's record change failed for a reason other than its condition: act by its `on_fault`."""
    match decision.on_fault:
        case OnFault.PROCEED:
            return dataclasses.replace(decision, change=None, problem=problem)
        case OnFault.IGNORE:
            return Decision(
                note=f"ignored ({decision.note}) because the record could not be updated", problem=problem
            )
        case OnFault.APOLOGISE:
            return end_call(
                event, state, settings, EndReason.ERROR, change=None, note="apologising", problem=problem
            )
