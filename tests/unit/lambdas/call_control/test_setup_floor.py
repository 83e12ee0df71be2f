"""A new inbound call at the floor: one Chime call (the meeting) and one DynamoDB write (the record)."""

from __future__ import annotations

from collections import Counter

import pytest
from botocore.exceptions import ReadTimeoutError

from call_control.events import parse_event
from call_control.runtime import Runtime
from calls.faults import AwsFault
from calls.record import CallRecord, CallStatus, EndReason
from calls.store import CallStore
from simulator.environment import LocalAws
from tests.unit.lambdas.call_control.harness import action, invoke, load_event, types

TX = "2a4a3c1d-6b7e-4f0a-9a3b-1c2d3e4f5a6b"
WRITES = ("dynamodb.PutItem", "dynamodb.UpdateItem", "dynamodb.DeleteItem", "dynamodb.TransactWriteItems")


def chime_calls(counts: Counter[str]) -> int:
    return sum(count for name, count in counts.items() if name.startswith("chime"))


def writes(counts: Counter[str]) -> int:
    return sum(counts[name] for name in WRITES)


def test_a_new_caller_costs_one_chime_call_and_one_dynamodb_write(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    aws.timer.reset()
    response = invoke(load_event("new_inbound_call"))
    assert types(response) == ["Speak", "JoinChimeMeeting"]
    counts = aws.timer.counts
    assert (chime_calls(counts), writes(counts)) == (1, 1), counts
    assert counts["dynamodb.PutItem"] == 1 and counts["dynamodb.GetItem"] == 0, counts
    # The one write is the whole record, meeting included.
    record = store.require(TX)
    join = action(response, "JoinChimeMeeting")
    assert record.status is CallStatus.CONNECTING
    assert record.meeting_id == join["MeetingId"] and record.caller_attendee_id is not None


def test_a_retried_event_gets_the_same_meeting_and_answer_for_one_more_read(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    event = load_event("new_inbound_call")
    first = invoke(event)
    aws.timer.reset()
    second = invoke(event)  # the SMA re-sends an event it got no answer for in ~5 s
    assert second == first
    counts = aws.timer.counts
    # The meeting again (idempotent by its request token), the put refused by its condition, one read.
    assert (chime_calls(counts), counts["dynamodb.PutItem"], counts["dynamodb.GetItem"]) == (1, 1, 1), counts
    assert writes(counts) == 1 and len(aws.chime.meetings) == 1
    tokens = {
        request.params["ClientRequestToken"] for request in aws.chime.calls_to("CreateMeetingWithAttendees")
    }
    assert tokens == {f"sma-{TX}"}
    assert store.require(TX).meeting_id == action(first, "JoinChimeMeeting")["MeetingId"]


class Killed(Exception):
    """The invocation dies here (Lambda timeout, out of memory): the SMA gets no answer and retries."""


def test_dying_between_the_meeting_and_the_record_is_healed_by_the_retry(
    runtime: Runtime, aws: LocalAws, store: CallStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(*_: object, **__: object) -> bool:
        raise Killed

    monkeypatch.setattr(CallStore, "create", killed)
    event = load_event("new_inbound_call")
    assert runtime.control is not None
    with pytest.raises(Killed):
        runtime.control.handle(parse_event(event))
    assert len(aws.chime.meetings) == 1 and store.get(TX) is None  # a meeting nobody has recorded
    monkeypatch.undo()
    response = invoke(event)  # the SMA's retry
    assert types(response) == ["Speak", "JoinChimeMeeting"]
    [meeting] = aws.chime.meetings.values()  # the same meeting, not a second one
    join = action(response, "JoinChimeMeeting")
    assert join["MeetingId"] == meeting.meeting_id
    assert join["JoinToken"] == meeting.attendees[f"caller-{TX}"].join_token
    record = store.require(TX)
    assert record.status is CallStatus.CONNECTING and record.meeting_id == meeting.meeting_id


def test_a_retry_after_the_call_ended_apologises_and_leaves_no_meeting(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    first = invoke(load_event("new_inbound_call"))
    invoke(load_event("hangup_caller", attributes=first["TransactionAttributes"]))
    assert aws.chime.meetings == {} and store.require(TX).status is CallStatus.ENDED
    late = invoke(load_event("new_inbound_call"))  # a late retry of the first event
    assert types(late) == ["Speak", "Hangup"]
    assert aws.chime.meetings == {}  # whatever the retry's CreateMeetingWithAttendees returned is gone
    assert store.require(TX).end_reason is EndReason.CALLER_HUNG_UP  # the record keeps its story


def test_meeting_creation_failing_records_the_failed_call_in_one_write(
    runtime: Runtime, aws: LocalAws, store: CallStore
) -> None:
    aws.chime.fail_next("CreateMeetingWithAttendees", "ServiceUnavailableException", times=2)
    aws.timer.reset()
    response = invoke(load_event("new_inbound_call"))
    assert types(response) == ["Speak", "Hangup"]
    assert writes(aws.timer.counts) == 1 and aws.timer.counts["dynamodb.PutItem"] == 1
    record = store.require(TX)
    assert (record.status, record.end_reason, record.meeting_id) == (CallStatus.ENDED, EndReason.ERROR, None)


def test_a_put_that_landed_but_timed_out_still_ends_cleanly(
    runtime: Runtime, aws: LocalAws, store: CallStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_create = CallStore.create

    def landed_then_timed_out(self: CallStore, record: CallRecord) -> bool:
        real_create(self, record)
        # What the store raises when the answer to its PutItem never arrives (calls.faults).
        raise AwsFault.from_error("DynamoDB", "PutItem", ReadTimeoutError(endpoint_url="dynamodb"))

    monkeypatch.setattr(CallStore, "create", landed_then_timed_out)
    first = invoke(load_event("new_inbound_call"))
    monkeypatch.undo()
    assert types(first) == ["Speak", "Hangup"]  # the handler cannot know the write landed
    assert aws.chime.meetings == {}  # so it deleted the meeting
    assert store.require(TX).status is CallStatus.CONNECTING
    invoke(load_event("hangup_caller", attributes=first["TransactionAttributes"]))  # after the apology
    record = store.require(TX)
    assert record.status is CallStatus.ENDED and record.end_reason is EndReason.ERROR
