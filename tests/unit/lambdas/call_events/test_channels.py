"""Which channels a calls-table change goes to and what agents receive: the API's own view, nothing else."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from call_events.channels import QueueKind, call_channel, publications, queue_channel
from calls.record import CallRecord, CallStatus, Direction, EndReason
from calls.store import to_item
from meeting_api.models import Call

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
CALL_ID = "3f2b8c1e-7d4a-4b6e-9c0f-1a2b3c4d5e6f"


def ringing_call(**changes: Any) -> CallRecord:
    record = CallRecord.new(
        call_id=CALL_ID,
        direction=Direction.INBOUND,
        from_number="+12065550100",
        to_number="+12065550199",
        status=CallStatus.RINGING,
        now=NOW,
        transaction_id="tx-secret",
        meeting_id="8c1e3f2b-7d4a-4b6e-9c0f-1a2b3c4d5e6f",
        caller_attendee_id="attendee-internal",
    )
    return record.replace(**changes)


def stream_record(
    new: CallRecord | None, old: CallRecord | None = None, *, event_name: str = "MODIFY", seq: str = "100"
) -> dict[str, Any]:
    key = (new or old).call_id  # type: ignore[union-attr]
    change: dict[str, Any] = {"Keys": {"call_id": {"S": key}}, "SequenceNumber": seq}
    if new:
        change["NewImage"] = to_item(new)
    if old:
        change["OldImage"] = to_item(old)
    return {"eventName": event_name, "eventSource": "aws:dynamodb", "dynamodb": change}


def test_a_new_ringing_call_goes_to_the_queue_and_its_own_channel_as_the_api_shows_it() -> None:
    call = ringing_call()
    found = publications(stream_record(call, event_name="INSERT", seq="42"))
    assert [p.channel for p in found] == ["/queue/ringing", f"/call/{CALL_ID}/status"]
    event = json.loads(found[0].event)
    assert event == {"kind": "ringing", "call": call.to_view()}
    assert found[0].event == found[1].event
    assert {p.sequence_number for p in found} == {"42"}
    # Exactly the fields of the API's Call model (GET /calls), by their JSON names.
    api_fields = {field.alias or name for name, field in Call.model_fields.items()}
    assert set(event["call"]) == api_fields
    assert Call.model_validate(event["call"]).model_dump(by_alias=True) == event["call"]
    # Internal fields never leave the table.
    for secret in ("tx-secret", "attendee-internal", "expires_at", "list_pk"):
        assert secret not in found[0].event


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (CallStatus.CONNECTING, QueueKind.NEW),
        (CallStatus.DIALING, QueueKind.NEW),
        (CallStatus.RINGING, QueueKind.RINGING),
        (CallStatus.IN_PROGRESS, QueueKind.ANSWERED),
        (CallStatus.TRANSFERRING, QueueKind.ANSWERED),
        (CallStatus.ENDED, QueueKind.ENDED),
    ],
)
def test_every_status_has_its_queue_channel(status: CallStatus, kind: QueueKind) -> None:
    (queue, _) = publications(stream_record(ringing_call(status=status)))
    assert queue.channel == queue_channel(kind)
    assert json.loads(queue.event)["kind"] == kind.value


def test_rate_limit_items_are_not_calls() -> None:
    item = {"call_id": {"S": "outbound#agent-sub"}, "uses": {"S": "[]"}, "version": {"N": "3"}}
    record = {"eventName": "MODIFY", "dynamodb": {"Keys": {"call_id": item["call_id"]}, "NewImage": item}}
    assert publications(record) == []


def test_deletions_and_changes_agents_cannot_see_publish_nothing() -> None:
    call = ringing_call()
    assert publications(stream_record(None, call, event_name="REMOVE")) == []
    internal_only = call.replace(meeting_ended_at="2026-12-02T08:01:00.000Z", agent_attendee_id="a2")
    assert publications(stream_record(internal_only, call)) == []


def test_a_visible_change_is_published() -> None:
    before = ringing_call()
    after = before.replace(
        status=CallStatus.ENDED, end_reason=EndReason.CALLER_HUNG_UP, ended_at="2026-12-02T08:02:00.000Z"
    )
    (queue, status) = publications(stream_record(after, before))
    assert queue.channel == "/queue/ended"
    assert json.loads(status.event)["call"]["endReason"] == "caller_hung_up"


def test_an_id_that_is_not_a_safe_channel_segment_gets_no_call_channel() -> None:
    assert call_channel("a.b:c", "status") is None
    assert call_channel("x" * 51, "transcript") is None
    (only,) = publications(stream_record(ringing_call(call_id="legacy.id:1")))
    assert only.channel == "/queue/ringing"
