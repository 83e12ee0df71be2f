"""Twenty calls at once: every record, meeting and answer belongs to its own call."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from call_control.runtime import Runtime
from calls.record import CallStatus, EndReason
from calls.store import CallStore
from simulator.environment import LocalAws
from tests.unit.lambdas.call_control.harness import action, invoke, load_event

CALLS = 20


def one_call(index: int) -> dict[str, Any]:
    transaction_id = f"tx-{index:02d}-{'x' * 8}"
    caller = f"+1206555{index:04d}"
    first = invoke(load_event("new_inbound_call", transaction_id=transaction_id, caller=caller))
    join = action(first, "JoinChimeMeeting")
    joined = load_event(
        "action_successful_join", transaction_id=transaction_id, attributes=first["TransactionAttributes"]
    )
    joined["CallDetails"]["Participants"][0]["From"] = caller
    joined["ActionData"]["Parameters"].update(JoinToken=join["JoinToken"], MeetingId=join["MeetingId"])
    second = invoke(joined)
    gone = load_event(
        "hangup_caller", transaction_id=transaction_id, attributes=second["TransactionAttributes"]
    )
    invoke(gone)
    return {
        "transaction_id": transaction_id,
        "caller": caller,
        "meeting_id": join["MeetingId"],
        "token": join["JoinToken"],
    }


def test_twenty_concurrent_calls_do_not_cross_talk(
    runtime: Runtime, aws: LocalAws, store: CallStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Twenty threads on a busy test machine can outlast the 4 s answer budget, and the handler would then
    # (rightly) apologise; this test is about isolation, not speed.
    monkeypatch.setattr(runtime.control, "budget_seconds", 60.0)
    with ThreadPoolExecutor(max_workers=CALLS) as pool:
        results = list(pool.map(one_call, range(CALLS)))
    assert len({result["meeting_id"] for result in results}) == CALLS
    assert len({result["token"] for result in results}) == CALLS
    created = {
        request.params["ClientRequestToken"]: request
        for request in aws.chime.calls_to("CreateMeetingWithAttendees")
    }
    assert len(created) == CALLS
    for result in results:
        record = store.require(result["transaction_id"])
        assert record.from_number == result["caller"]
        assert record.meeting_id == result["meeting_id"]
        assert record.status is CallStatus.ENDED and record.end_reason is EndReason.CALLER_HUNG_UP
        assert record.joined_at is not None and record.meeting_ended_at is not None
        request = created[f"sma-{result['transaction_id']}"]
        assert request.params["Attendees"] == [{"ExternalUserId": f"caller-{result['transaction_id']}"}]
    assert aws.chime.meetings == {} and aws.chime.violations == []
    assert len(aws.chime.calls_to("DeleteMeeting")) == CALLS
