"""Outbound calls without the assumption: the SMA ignores our answer to NEW_OUTBOUND_CALL (developer guide,
"Making an outbound call"), so the attributes returned there may never come back. Later events then find
the call by its TransactionId, which the meeting API stores on the record after dialling."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from call_control import handler
from call_control.observability import metrics
from call_control.runtime import Runtime
from calls.contracts import CallMetric
from calls.record import CallRecord, CallStatus, Direction, EndReason, phone_leg_user_id
from calls.store import CallStore
from simulator.environment import LocalAws
from tests.unit.lambdas.call_control.harness import T0, action, invoke, load_event, types

TX = "2a4a3c1d-6b7e-4f0a-9a3b-1c2d3e4f5a6b"  # the fixtures' TransactionId
CALL_ID = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"  # the fixtures' callId argument


@pytest.fixture
def published() -> Any:
    metrics.clear_metrics()
    yield metrics.metric_set
    metrics.clear_metrics()


def placed(aws: LocalAws, store: CallStore, *, transaction_id: str | None = TX) -> tuple[str, str]:
    """What the meeting API does: meeting with the phone leg, record, dial, store the TransactionId."""
    meetings = boto3.client("chime-sdk-meetings", region_name=aws.env["AWS_REGION"])
    created = meetings.create_meeting_with_attendees(
        ClientRequestToken=f"out-{CALL_ID}",
        MediaRegion="us-east-1",
        ExternalMeetingId=f"call-{CALL_ID}",
        Attendees=[{"ExternalUserId": phone_leg_user_id(CALL_ID)}, {"ExternalUserId": "agent-a"}],
    )
    meeting_id = created["Meeting"]["MeetingId"]
    phone = created["Attendees"][0]
    store.create(
        CallRecord.new(
            call_id=CALL_ID,
            direction=Direction.OUTBOUND,
            from_number="+12065550199",
            to_number="+12065550100",
            status=CallStatus.DIALING,
            now=T0,
            meeting_id=meeting_id,
            caller_attendee_id=phone["AttendeeId"],
            answered_by="agent-a",
            placed_by="agent-a",
            transaction_id=transaction_id,
        )
    )
    return meeting_id, phone["JoinToken"]


def test_call_answered_without_attributes_joins_the_right_meeting(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    meeting_id, join_token = placed(aws, store)
    response = invoke(load_event("call_answered", attributes=None))
    assert types(response) == ["JoinChimeMeeting"]
    join = action(response, "JoinChimeMeeting")
    assert join["MeetingId"] == meeting_id
    assert join["JoinToken"] == join_token  # the same phone attendee the API created, not a new one
    remembered = response["TransactionAttributes"]
    assert remembered["callId"] == CALL_ID
    assert remembered["meetingId"] == meeting_id
    assert remembered["direction"] == "outbound"
    assert aws.chime.violations == []


def test_the_whole_call_goes_on_from_the_attributes_returned_at_the_answer(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    placed(aws, store)
    answered = invoke(load_event("call_answered", attributes=None))
    joined = load_event("action_successful_join", attributes=answered["TransactionAttributes"])
    joined["ActionData"]["Parameters"].update(action(answered, "JoinChimeMeeting"))
    invoke(joined)
    record = store.get(CALL_ID)
    assert record is not None
    assert record.status is CallStatus.IN_PROGRESS
    assert record.joined_at is not None


def test_call_answered_with_attributes_still_uses_them(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    placed(aws, store)
    before = len(aws.chime.calls_to("CreateAttendee"))
    response = invoke(load_event("call_answered"))
    join = action(response, "JoinChimeMeeting")
    assert join["JoinToken"] == "phone-leg-join-token"
    assert join["MeetingId"] == "0d1b8f2e-3c4a-4b5d-8e6f-7a8b9c0d1e2f"
    assert len(aws.chime.calls_to("CreateAttendee")) == before  # no lookup when the attributes are there


def test_an_unknown_transaction_gets_a_polite_hangup_and_is_counted(
    runtime: Runtime, aws: LocalAws, store: CallStore, published: Any
) -> None:
    placed(aws, store, transaction_id=None)  # the API's write has not landed yet
    response = handler.handle_event(load_event("call_answered", attributes=None))  # metrics unflushed
    assert types(response) == ["Speak", "Hangup"]
    caller_call_id = load_event("call_answered")["CallDetails"]["Participants"][0]["CallId"]
    assert action(response, "Hangup")["CallId"] == caller_call_id
    assert CallMetric.CALLS_FAILED in published
    assert response["TransactionAttributes"]["phase"] == "closing"


def test_ringing_and_hangup_without_attributes_update_the_record(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    placed(aws, store)
    invoke(load_event("ringing", attributes=None))
    record = store.get(CALL_ID)
    assert record is not None and record.status is CallStatus.RINGING
    busy = load_event("hangup_outbound_busy", attributes=None)
    busy["CallDetails"]["TransactionId"] = TX
    invoke(busy)
    record = store.get(CALL_ID)
    assert record is not None
    assert record.status is CallStatus.ENDED
    assert record.end_reason is EndReason.BUSY


def test_new_outbound_call_records_the_transaction_id_from_its_arguments(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    placed(aws, store, transaction_id=None)
    invoke(load_event("new_outbound_call"))
    record = store.get(CALL_ID)
    assert record is not None
    assert record.transaction_id == TX
    assert record.status is CallStatus.DIALING


def test_find_by_transaction(aws: LocalAws, store: CallStore) -> None:
    placed(aws, store)
    found = store.find_by_transaction(TX)
    assert found is not None and found.call_id == CALL_ID
    assert store.find_by_transaction("no-such-transaction") is None


def test_the_agent_hangs_up_a_ringing_outbound_call_whose_attributes_were_dropped(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    placed(aws, store)
    invoke(load_event("ringing", attributes=None))
    ringing = load_event("ringing")["CallDetails"]["Participants"]
    update = load_event("call_update_requested_hangup", attributes=None)
    update["CallDetails"]["Participants"] = ringing  # only the far end, still ringing, as we dialled it
    response = invoke(update)
    assert types(response) == ["Hangup"]
    record = store.get(CALL_ID)
    assert record is not None
    assert record.status is CallStatus.ENDED
    assert record.end_reason is EndReason.AGENT_HUNG_UP


def test_no_join_token_to_be_had_ends_the_call_and_its_meeting(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    meeting_id, _ = placed(aws, store)
    aws.chime.fail_next("CreateAttendee", "ServiceUnavailableException", times=5)
    response = invoke(load_event("call_answered", attributes=None))
    assert types(response) == ["Speak", "Hangup"]
    record = store.get(CALL_ID)
    assert record is not None
    assert record.status is CallStatus.ENDED
    assert record.end_reason is EndReason.ERROR
    assert record.meeting_ended_at is not None  # the agent is not left waiting in it
    assert meeting_id not in aws.chime.meetings
