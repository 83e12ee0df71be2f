"""Decisions when the phone leg joins the meeting (or fails to): ring for agents, join once, end late joins."""

from __future__ import annotations

from call_control.attributes import Phase
from call_control.logic.decision import OnFault
from call_control.settings import Settings
from calls.record import CallStatus, Direction, EndReason, iso
from tests.unit.lambdas.call_control.decisions import (
    MEETING_LEG,
    OUTBOUND_ID,
    decide,
    kinds,
    record,
)
from tests.unit.lambdas.call_control.harness import T0


def test_joining_the_meeting_makes_an_inbound_call_ring_for_agents(settings: Settings) -> None:
    decision = decide("action_successful_join", record(CallStatus.CONNECTING), settings)
    assert decision.actions == ()
    assert decision.change is not None
    assert (decision.change.to, decision.change.from_statuses) == (
        CallStatus.RINGING,
        {CallStatus.CONNECTING},
    )
    assert "joined_at" in decision.change.set_fields
    assert decision.on_fault is OnFault.APOLOGISE
    assert decision.attributes is not None
    assert decision.attributes.phase is Phase.IN_MEETING and decision.attributes.join_token is None


def test_a_repeated_join_success_changes_nothing(settings: Settings) -> None:
    joined = record(CallStatus.RINGING, joined_at=iso(T0))
    decision = decide("action_successful_join", joined, settings)
    assert decision.change is None and decision.actions == ()


def test_a_call_that_ended_while_joining_is_taken_out_of_the_meeting(settings: Settings) -> None:
    ended = record(CallStatus.ENDED, end_reason=EndReason.AGENT_HUNG_UP)
    decision = decide("action_successful_join", ended, settings)
    assert kinds(decision) == ["Hangup"]
    assert decision.actions[0]["Parameters"]["CallId"] == MEETING_LEG
    assert decision.change is None


def test_an_outbound_join_means_the_agent_and_callee_talk(settings: Settings) -> None:
    dialing = record(CallStatus.RINGING, direction=Direction.OUTBOUND, answered_by="ann")
    attributes = {"callId": OUTBOUND_ID, "direction": "outbound", "phase": "joining", "meetingId": "m"}
    decision = decide("action_successful_join", dialing, settings, attributes=attributes)
    assert decision.change is not None and decision.change.to is CallStatus.IN_PROGRESS
    assert {"joined_at", "answered_at"} <= set(decision.change.set_fields)


def test_a_failed_join_apologises_and_records_the_error(settings: Settings) -> None:
    decision = decide("action_failed_join", record(CallStatus.CONNECTING), settings)
    assert kinds(decision) == ["Speak", "Hangup"]
    assert decision.change is not None
    assert decision.change.set_fields["end_reason"] == EndReason.ERROR.value
    assert "ErrorJoiningMeeting" in str(decision.change.set_fields["error"])


def test_a_failed_greeting_still_joins(settings: Settings) -> None:
    decision = decide("action_failed_speak", record(CallStatus.CONNECTING), settings)
    assert kinds(decision) == ["JoinChimeMeeting"]
    assert decision.actions[0]["Parameters"]["JoinToken"] == "meeting-attendee-join-token"
