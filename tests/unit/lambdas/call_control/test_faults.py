"""AWS faults and broken input: the caller hears an apology, the call ends cleanly, the Lambda never raises."""

from __future__ import annotations

from typing import Any

import pytest

from call_control import handler
from call_control.runtime import Runtime, build_runtime, use_runtime
from calls.record import CallStatus, EndReason
from calls.store import CallStore
from simulator.environment import LocalAws
from tests.unit.lambdas.call_control.harness import Clock, action, invoke, load_event, types

TX = "2a4a3c1d-6b7e-4f0a-9a3b-1c2d3e4f5a6b"
APOLOGY = "Sorry, something went wrong on our side. Please try again later. Goodbye."


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "ServiceFailureException", "ServiceUnavailableException"]
)
def test_meeting_creation_failing_apologises_and_records_the_error(
    runtime: Runtime, aws: LocalAws, store: CallStore, code: str
) -> None:
    aws.chime.fail_next("CreateMeetingWithAttendees", code, times=2)  # both attempts the client makes
    response = invoke(load_event("new_inbound_call"))
    assert types(response) == ["Speak", "Hangup"]
    assert action(response, "Speak")["Text"] == APOLOGY
    assert len(aws.chime.calls_to("CreateMeetingWithAttendees")) == 2
    record = store.require(TX)
    assert record.status is CallStatus.ENDED and record.end_reason is EndReason.ERROR
    assert record.error is not None and code in record.error
    assert aws.chime.meetings == {}


def test_a_throttle_the_retry_absorbs_is_invisible_to_the_caller(runtime: Runtime, aws: LocalAws) -> None:
    aws.chime.fail_next("CreateMeetingWithAttendees", "ThrottlingException", times=1)
    assert types(invoke(load_event("new_inbound_call"))) == ["Speak", "JoinChimeMeeting"]


def test_dynamodb_down_apologises_and_deletes_the_meeting_it_made_first(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    aws.faults.down = True
    response = invoke(load_event("new_inbound_call"))
    assert types(response) == ["Speak", "Hangup"]
    # The meeting comes first (the setup floor); with no record to find it by, nobody else could delete it.
    assert [request.operation for request in aws.chime.requests] == [
        "CreateMeetingWithAttendees",
        "DeleteMeeting",
    ]
    assert aws.chime.meetings == {}


def test_the_record_write_failing_after_the_meeting_exists_deletes_it(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    aws.faults.fail_from("PutItem", 1)
    response = invoke(load_event("new_inbound_call"))
    assert types(response) == ["Speak", "Hangup"]
    assert len(aws.chime.calls_to("DeleteMeeting")) == 1 and aws.chime.meetings == {}
    aws.faults.down = False
    assert store.get(TX) is None


def test_dynamodb_failing_when_the_caller_joined_takes_them_out_politely(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    first = invoke(load_event("new_inbound_call"))
    aws.faults.down = True
    joined = load_event("action_successful_join", attributes=first["TransactionAttributes"])
    leaving = invoke(joined)
    assert types(leaving) == ["Hangup"]  # the meeting leg first, then the apology outside the meeting
    goodbye = invoke(
        load_event("action_successful_hangup_meeting_leg", attributes=leaving["TransactionAttributes"])
    )
    assert types(goodbye) == ["Speak", "Hangup"] and action(goodbye, "Speak")["Text"] == APOLOGY
    assert aws.chime.meetings == {}  # deleted without the record's claim: the table is down


def test_a_failing_meeting_deletion_is_left_to_the_sweeper(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    first = invoke(load_event("new_inbound_call"))
    aws.chime.fail_next("DeleteMeeting", "ServiceUnavailableException", times=2)
    invoke(load_event("hangup_caller", attributes=first["TransactionAttributes"]))
    record = store.require(TX)
    assert record.status is CallStatus.ENDED
    assert record.meeting_ended_at is None  # released: the sweeper will delete it
    assert len(aws.chime.meetings) == 1


@pytest.mark.parametrize(
    "mangle",
    [
        lambda e: e.pop("CallDetails"),
        lambda e: e["CallDetails"].pop("TransactionId"),
        lambda e: e["CallDetails"]["Participants"][0].pop("CallId"),
        lambda e: e["CallDetails"].update(Participants="LEG-A"),
        lambda e: e.update(ActionData=["x"]),
        lambda e: e["CallDetails"].update(TransactionAttributes=["x"]),
    ],
)
def test_truncated_events_get_a_valid_answer(runtime: Runtime, mangle: Any) -> None:
    event = load_event("call_update_requested_hangup")
    mangle(event)
    response = invoke(event)
    caller = event.get("CallDetails", {})
    if isinstance(caller, dict) and isinstance(caller.get("Participants"), list):
        leg = caller["Participants"][0]
        if leg.get("CallId"):  # the caller is known and connected: a polite goodbye
            assert types(response) == ["Speak", "Hangup"]
            return
    assert response["Actions"] == []


@pytest.mark.parametrize("event", [None, [], "HANGUP", 7, {}, {"InvocationEventType": "HANGUP"}])
def test_garbage_gets_an_empty_answer(runtime: Runtime, event: Any) -> None:
    assert invoke(event) == {"SchemaVersion": "1.0", "Actions": []}


def test_an_unknown_event_type_hangs_up_politely_on_a_connected_caller(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    first = invoke(load_event("new_inbound_call"))
    event = load_event("digits_received", attributes={**first["TransactionAttributes"], "phase": "meeting"})
    event["InvocationEventType"] = "SOMETHING_NEW"
    response = invoke(event)
    assert types(response) == ["Hangup"]  # out of the meeting first; the apology follows
    assert store.require(TX).end_reason is EndReason.ERROR
    for participant in event["CallDetails"]["Participants"]:
        participant["Status"] = "Disconnected"
    assert invoke(event)["Actions"] == []


def test_broken_settings_end_every_call_politely(aws: LocalAws, clock: Clock) -> None:
    use_runtime(build_runtime({**aws.env, "MEETING_REGION": "nowhere"}, clock=clock.now))
    try:
        response = invoke(load_event("new_inbound_call"))
        assert types(response) == ["Speak", "Hangup"]
        assert action(response, "Speak")["VoiceId"] == "Joanna"
        gone = load_event("hangup_caller")
        assert invoke(gone)["Actions"] == []
    finally:
        use_runtime(None)
    assert aws.chime.requests == []


def test_an_unexpected_exception_still_answers(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_: Any, **__: Any) -> Any:
        raise RuntimeError("boom")

    assert runtime.control is not None
    monkeypatch.setattr(runtime.control, "handle", explode)
    response = invoke(load_event("call_update_requested_hangup"))
    assert types(response) == ["Speak", "Hangup"]
    monkeypatch.setattr(handler, "_handle", explode)
    assert types(invoke(load_event("call_update_requested_hangup"))) == ["Speak", "Hangup"]
