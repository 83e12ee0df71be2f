"""Decisions when a leg hangs up or the meeting ends: why the call ended, what is said, the meeting deleted."""

from __future__ import annotations

import pytest

from call_control.attributes import CallAttributes
from call_control.events import parse_event
from call_control.logic.decision import CallState
from call_control.logic.dispatch import decide as decide_event
from call_control.settings import Settings
from calls.record import CallStatus, Direction, EndReason, iso
from tests.unit.lambdas.call_control.decisions import (
    TX,
    decide,
    kinds,
    record,
)
from tests.unit.lambdas.call_control.harness import T0, load_event


def test_the_caller_hanging_up_ends_the_call_and_its_meeting(settings: Settings) -> None:
    decision = decide("hangup_caller", record(CallStatus.IN_PROGRESS, answered_by="ann"), settings)
    assert decision.actions == ()  # nobody is left to act on
    assert decision.change is not None and decision.change.to is CallStatus.ENDED
    assert decision.change.set_fields["end_reason"] == EndReason.CALLER_HUNG_UP.value
    assert decision.delete_meeting


def test_a_second_hangup_changes_nothing_but_still_checks_the_meeting(settings: Settings) -> None:
    ended = record(CallStatus.ENDED, end_reason=EndReason.CALLER_HUNG_UP, meeting_ended_at=iso(T0))
    decision = decide("hangup_caller", ended, settings)
    assert decision.change is None and decision.actions == ()


@pytest.mark.parametrize(
    ("code", "reason"),
    [(486, EndReason.BUSY), (480, EndReason.NO_ANSWER), (0, EndReason.NO_ANSWER), (404, EndReason.FAILED)],
)
def test_an_outbound_call_that_never_answered_ends_by_its_sip_code(
    settings: Settings, code: int, reason: EndReason
) -> None:
    raw = load_event("hangup_outbound_busy")
    raw["ActionData"]["Parameters"]["SipResponseCode"] = code
    event = parse_event(raw)
    dialing = record(CallStatus.RINGING, direction=Direction.OUTBOUND)
    state = CallState(CallAttributes.from_map(event.attributes), dialing, T0)
    decision = decide_event(event, state, settings)
    assert decision.change is not None
    assert decision.change.set_fields["end_reason"] == reason.value


def test_the_meeting_ending_under_a_waiting_caller_is_an_apology(settings: Settings) -> None:
    decision = decide("hangup_meeting_leg", record(CallStatus.RINGING), settings)
    assert kinds(decision) == ["Speak", "Hangup"]
    assert decision.actions[0]["Parameters"]["Text"] == "Sorry, goodbye."
    assert decision.change is not None and decision.change.set_fields["end_reason"] == EndReason.ERROR.value


def test_the_meeting_ending_during_a_conversation_is_the_agent_hanging_up(settings: Settings) -> None:
    decision = decide("hangup_meeting_leg", record(CallStatus.IN_PROGRESS, answered_by="ann"), settings)
    assert kinds(decision) == ["Hangup"]
    assert decision.change is not None
    assert decision.change.set_fields["end_reason"] == EndReason.AGENT_HUNG_UP.value


def test_after_a_transfer_connects_the_target_hanging_up_ends_the_call(settings: Settings) -> None:
    bridging = {"callId": TX, "direction": "inbound", "phase": "bridging", "transferTo": "+14155550123"}
    late = decide("hangup_meeting_leg", record(CallStatus.TRANSFERRING), settings, attributes=bridging)
    assert late.actions == () and late.change is None  # the old meeting leg, reported late
    bridged = decide(
        "hangup_meeting_leg",
        record(CallStatus.TRANSFERRING),
        settings,
        attributes={**bridging, "phase": "bridged"},
    )
    assert kinds(bridged) == ["Hangup"]
    assert (
        bridged.change is not None and bridged.change.set_fields["end_reason"] == EndReason.TRANSFERRED.value
    )


def test_an_invalid_response_report_hangs_up_plainly(settings: Settings) -> None:
    decision = decide("invalid_lambda_response", record(CallStatus.RINGING), settings)
    assert kinds(decision) == ["Hangup"]
    assert decision.problem is not None and "TransactionAttributesInvalidMapSize" in decision.problem


@pytest.mark.parametrize(
    "name", ["action_interrupted", "digits_received", "action_successful_speak", "ringing"]
)
def test_informational_events_change_nothing(settings: Settings, name: str) -> None:
    decision = decide(name, record(CallStatus.IN_PROGRESS), settings)
    assert decision.actions == () and decision.change is None
