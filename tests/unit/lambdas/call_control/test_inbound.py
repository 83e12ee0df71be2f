"""Inbound calls through the real handler: DynamoDB in moto, Chime SDK requests validated by the real models."""

from __future__ import annotations

from typing import Any

import pytest

from call_control.runtime import Runtime, build_runtime, use_runtime
from calls.record import CallStatus, EndReason
from calls.store import CallStore
from simulator.environment import LocalAws
from tests.unit.lambdas.call_control.harness import T0, Clock, action, invoke, load_event, types

TX = "2a4a3c1d-6b7e-4f0a-9a3b-1c2d3e4f5a6b"


def start(aws: LocalAws, transaction_id: str = TX) -> tuple[dict[str, Any], dict[str, Any]]:
    """NEW_INBOUND_CALL, then JoinChimeMeeting's ACTION_SUCCESSFUL with what the first answer said."""
    first = invoke(load_event("new_inbound_call", transaction_id=transaction_id))
    join = action(first, "JoinChimeMeeting")
    event = load_event(
        "action_successful_join", transaction_id=transaction_id, attributes=first["TransactionAttributes"]
    )
    event["ActionData"]["Parameters"].update(JoinToken=join["JoinToken"], MeetingId=join["MeetingId"])
    return first, invoke(event)


def test_a_caller_is_recorded_greeted_and_joined_with_one_chime_call(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    aws.timer.reset()
    response = invoke(load_event("new_inbound_call"))
    assert types(response) == ["Speak", "JoinChimeMeeting"]
    [create] = aws.chime.calls_to("CreateMeetingWithAttendees")
    assert create.params["ClientRequestToken"] == f"sma-{TX}"
    assert create.params["MediaRegion"] == "us-east-1"
    assert [item["ExternalUserId"] for item in create.params["Attendees"]] == [f"caller-{TX}"]
    assert aws.chime.violations == []
    writes = aws.timer.counts["dynamodb.PutItem"] + aws.timer.counts["dynamodb.UpdateItem"]
    assert writes <= 2 and sum(v for k, v in aws.timer.counts.items() if k.startswith("chime")) == 1
    join = action(response, "JoinChimeMeeting")
    meeting = aws.chime.meetings[join["MeetingId"]]
    assert join["JoinToken"] == meeting.attendees[f"caller-{TX}"].join_token
    assert join["CallId"] == load_event("new_inbound_call")["CallDetails"]["Participants"][0]["CallId"]
    record = store.require(TX)
    assert (record.status, record.meeting_id, record.transaction_id) == (
        CallStatus.CONNECTING,
        meeting.meeting_id,
        TX,
    )
    assert (record.from_number, record.to_number) == ("+12065550100", "+12065550199")
    assert record.caller_attendee_id == meeting.attendees[f"caller-{TX}"].attendee_id
    attributes = response["TransactionAttributes"]
    assert attributes["callId"] == TX and attributes["meetingId"] == meeting.meeting_id


def test_joining_makes_the_call_ring_for_agents(runtime: Runtime, aws: LocalAws, store: CallStore) -> None:
    _, joined = start(aws)
    assert joined["Actions"] == []
    assert "joinToken" not in joined["TransactionAttributes"]
    record = store.require(TX)
    assert record.status is CallStatus.RINGING and record.joined_at is not None


def test_the_same_event_twice_gives_the_same_answer_and_one_meeting(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    event = load_event("new_inbound_call")
    first, second = invoke(event), invoke(event)
    assert first == second
    assert len(aws.chime.meetings) == 1
    assert store.require(TX).status is CallStatus.CONNECTING


def test_hangup_deletes_the_meeting_once_and_a_repeat_changes_nothing(
    runtime: Runtime, aws: LocalAws, store: CallStore, clock: Clock
) -> None:
    first, _ = start(aws)
    clock.advance(42)
    hangup = load_event("hangup_caller", attributes={**first["TransactionAttributes"], "phase": "meeting"})
    assert invoke(hangup)["Actions"] == []
    record = store.require(TX)
    assert record.status is CallStatus.ENDED and record.end_reason is EndReason.CALLER_HUNG_UP
    assert record.duration_seconds() == pytest.approx(42)
    assert record.meeting_ended_at is not None and aws.chime.meetings == {}
    deletes = len(aws.chime.calls_to("DeleteMeeting"))
    aws.timer.reset()
    assert invoke(hangup)["Actions"] == []
    assert len(aws.chime.calls_to("DeleteMeeting")) == deletes == 1
    assert aws.timer.counts["dynamodb.UpdateItem"] == 0  # a second HANGUP writes nothing
    assert store.require(TX) == record


def test_a_hangup_before_the_join_success_is_recorded_and_the_late_success_ends_nothing(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    first = invoke(load_event("new_inbound_call"))
    invoke(load_event("hangup_caller", attributes=first["TransactionAttributes"]))
    late = load_event("action_successful_join", attributes=first["TransactionAttributes"])
    for participant in late["CallDetails"]["Participants"]:
        participant["Status"] = "Disconnected"
    assert invoke(late)["Actions"] == []
    record = store.require(TX)
    assert record.status is CallStatus.ENDED and record.end_reason is EndReason.CALLER_HUNG_UP
    assert record.joined_at is None and aws.chime.meetings == {}


def test_no_greeting_joins_straight_away_and_an_audio_greeting_plays(
    aws: LocalAws, clock: Clock, store: CallStore
) -> None:
    for env, expected in (
        ({"GREETING_TEXT": ""}, ["JoinChimeMeeting"]),
        (
            {"GREETING_AUDIO_BUCKET": "greetings", "GREETING_AUDIO_KEY": "hello.wav"},
            ["PlayAudio", "JoinChimeMeeting"],
        ),
    ):
        built = build_runtime({**aws.env, **env}, clock=clock.now, session=aws.session)
        use_runtime(built)
        try:
            response = invoke(load_event("new_inbound_call", transaction_id=f"tx-{len(expected)}"))
        finally:
            use_runtime(None)
        assert types(response) == expected


def test_a_timeout_request_says_goodbye_outside_the_meeting(
    runtime: Runtime, aws: LocalAws, store: CallStore, clock: Clock
) -> None:
    start(aws)
    clock.advance(301)
    attributes = {
        "callId": TX,
        "meetingId": store.require(TX).meeting_id or "",
        "direction": "inbound",
        "phase": "meeting",
    }
    leaving = invoke(load_event("call_update_requested_timeout", attributes=attributes))
    assert types(leaving) == ["Hangup"]
    meeting_leg = load_event("call_update_requested_timeout")["CallDetails"]["Participants"][1]
    assert action(leaving, "Hangup")["CallId"] == meeting_leg["CallId"]
    record = store.require(TX)
    assert record.status is CallStatus.ENDED and record.end_reason is EndReason.TIMEOUT
    goodbye = invoke(
        load_event("action_successful_hangup_meeting_leg", attributes=leaving["TransactionAttributes"])
    )
    assert types(goodbye) == ["Speak", "Hangup"]
    assert aws.chime.meetings == {} and store.require(TX).meeting_ended_at is not None


def test_a_timeout_loses_to_an_agent_who_answered_first(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    start(aws)
    store.transition(
        TX, CallStatus.IN_PROGRESS, now=T0, set_fields={"answered_by": "ann"}, answered_by_absent=True
    )
    attributes = {"callId": TX, "direction": "inbound", "phase": "meeting"}
    response = invoke(load_event("call_update_requested_timeout", attributes=attributes))
    assert response["Actions"] == []
    assert store.require(TX).status is CallStatus.IN_PROGRESS
