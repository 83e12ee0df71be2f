"""The call store against moto's DynamoDB: conditional writes keep the state machine honest."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from calls.record import TRANSITIONS, CallRecord, CallStatus, Direction, EndReason, statuses_leading_to
from calls.store import (
    CallNotFound,
    CallStore,
    InvalidCursor,
    TransitionRefused,
    decode_cursor,
    from_item,
    to_item,
)
from simulator.calls_table import create_calls_table

T0 = datetime(2026, 11, 24, 12, 0, 0, 123000, tzinfo=UTC)


@pytest.fixture
def store() -> Iterator[CallStore]:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_calls_table(client)
        yield CallStore(client, "calls")


def inbound(call_id: str = "tx-1", at: datetime = T0) -> CallRecord:
    return CallRecord.new(
        call_id=call_id,
        direction=Direction.INBOUND,
        from_number="+12065550100",
        to_number="+12065550199",
        status=CallStatus.CONNECTING,
        now=at,
        transaction_id=call_id,
    )


def test_item_round_trip_keeps_every_field() -> None:
    record = inbound().replace(
        meeting_id="m-1",
        answered_by="3c1f4b2e-8d7a-4f0e-9b61-2a5d7e9c0f11",
        answered_by_email="ann@example.com",
        end_reason=EndReason.BUSY,
        error="x",
    )
    assert from_item(to_item(record)) == record
    assert record.to_view()["answeredByEmail"] == "ann@example.com"


def test_an_item_stored_before_agents_were_keyed_by_sub_still_reads_and_shows_its_email() -> None:
    # Then answered_by held the agent's e-mail, and there was no answered_by_email attribute.
    item = to_item(inbound().replace(answered_by="ann@example.com"))
    assert "answered_by_email" not in item
    record = from_item(item)
    assert (record.answered_by, record.answered_by_email) == ("ann@example.com", None)
    assert (record.to_view()["answeredBy"], record.to_view()["answeredByEmail"]) == (
        "ann@example.com",
        "ann@example.com",
    )
    assert inbound().replace(answered_by="3c1f4b2e-8d7a-4f0e-9b61-2a5d7e9c0f11").answerer_email is None


def test_create_is_idempotent_and_keeps_the_first_write(store: CallStore) -> None:
    assert store.create(inbound()) is True
    assert store.create(inbound().replace(from_number="+19995550000")) is False
    assert store.require("tx-1").from_number == "+12065550100"


def test_transition_follows_the_state_machine(store: CallStore) -> None:
    store.create(inbound())
    ringing = store.transition("tx-1", CallStatus.RINGING, now=T0, set_fields={"meeting_id": "m-1"})
    assert (ringing.status, ringing.meeting_id) == (CallStatus.RINGING, "m-1")
    ended = store.transition(
        "tx-1",
        CallStatus.ENDED,
        now=T0 + timedelta(seconds=30),
        set_fields={"end_reason": EndReason.CALLER_HUNG_UP.value, "ended_at": "2026-11-24T12:00:30.123Z"},
    )
    assert ended.duration_seconds() == pytest.approx(30.0)
    with pytest.raises(TransitionRefused) as refused:
        store.transition("tx-1", CallStatus.RINGING, now=T0)
    assert refused.value.current is not None and refused.value.current.status is CallStatus.ENDED


def test_only_one_agent_can_claim_a_ringing_call(store: CallStore) -> None:
    store.create(inbound())
    store.transition("tx-1", CallStatus.RINGING, now=T0)
    store.transition(
        "tx-1",
        CallStatus.IN_PROGRESS,
        now=T0,
        set_fields={"answered_by": "ann"},
        from_statuses=[CallStatus.RINGING],
        answered_by_absent=True,
    )
    with pytest.raises(TransitionRefused) as refused:
        store.transition(
            "tx-1",
            CallStatus.IN_PROGRESS,
            now=T0,
            set_fields={"answered_by": "bob"},
            from_statuses=[CallStatus.RINGING],
            answered_by_absent=True,
        )
    assert refused.value.current is not None and refused.value.current.answered_by == "ann"


def test_removing_a_field_with_none(store: CallStore) -> None:
    store.create(inbound().replace(status=CallStatus.RINGING, answered_by="ann"))
    released = store.transition(
        "tx-1",
        CallStatus.RINGING,
        now=T0,
        set_fields={"answered_by": None},
        from_statuses=[CallStatus.RINGING],
    )
    assert released.answered_by is None


def test_unknown_call_is_refused_not_created(store: CallStore) -> None:
    with pytest.raises(TransitionRefused) as refused:
        store.transition("nope", CallStatus.ENDED, now=T0)
    assert refused.value.current is None
    with pytest.raises(CallNotFound):
        store.require("nope")


def test_setting_unknown_fields_is_a_programming_error(store: CallStore) -> None:
    store.create(inbound())
    with pytest.raises(ValueError, match="bogus"):
        store.transition("tx-1", CallStatus.RINGING, now=T0, set_fields={"bogus": "1"})


def test_list_recent_pages_newest_first(store: CallStore) -> None:
    for index in range(5):
        store.create(inbound(f"tx-{index}", T0 + timedelta(seconds=index)))
    first = store.list_recent(limit=2)
    assert [call.call_id for call in first.calls] == ["tx-4", "tx-3"]
    assert first.next_cursor
    second = store.list_recent(limit=3, cursor=first.next_cursor)
    assert [call.call_id for call in second.calls] == ["tx-2", "tx-1", "tx-0"]


@pytest.mark.parametrize("cursor", ["", "%%%", "e30", "eyJhIjogMX0"])
def test_a_forged_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor)


def test_every_status_but_the_first_can_be_reached_and_ended_is_final() -> None:
    assert TRANSITIONS[CallStatus.ENDED] == frozenset()
    reachable = {target for targets in TRANSITIONS.values() for target in targets}
    assert reachable == set(CallStatus) - {CallStatus.CONNECTING, CallStatus.DIALING}
    assert CallStatus.ENDED not in statuses_leading_to(CallStatus.RINGING)


def test_plain_fields_are_set_in_one_write_whatever_the_status(store: CallStore) -> None:
    store.create(inbound())
    store.transition("tx-1", CallStatus.RINGING, now=T0)
    updated = store.update_fields("tx-1", now=T0 + timedelta(seconds=1), set_fields={"meeting_id": "m-9"})
    assert (updated.status, updated.meeting_id) == (CallStatus.RINGING, "m-9")
    assert updated.updated_at == "2026-11-24T12:00:01.123Z"
    with pytest.raises(CallNotFound):
        store.update_fields("nope", now=T0, set_fields={"meeting_id": "m-9"})
    assert store.get("nope") is None  # refused, not created


def test_handing_the_agent_an_attendee_returns_the_one_it_replaces(store: CallStore) -> None:
    store.create(inbound().replace(answered_by="ann"))
    later = T0 + timedelta(seconds=5)
    record, previous = store.hand_agent_attendee("tx-1", agent="ann", attendee_id="a-1", now=T0)
    assert (record.agent_attendee_id, previous) == ("a-1", None)
    record, previous = store.hand_agent_attendee("tx-1", agent="ann", attendee_id="a-2", now=later)
    assert (record.agent_attendee_id, previous) == ("a-2", "a-1")
    assert record == store.require("tx-1")  # what it returns is what it stored
    assert record.updated_at == later.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_only_the_agent_holding_the_call_gets_an_attendee_on_it(store: CallStore) -> None:
    store.create(inbound().replace(answered_by="ann", agent_attendee_id="a-1"))
    with pytest.raises(TransitionRefused) as refused:
        store.hand_agent_attendee("tx-1", agent="bob", attendee_id="b-1", now=T0)
    assert refused.value.current is not None and refused.value.current.agent_attendee_id == "a-1"
    with pytest.raises(TransitionRefused) as missing:
        store.hand_agent_attendee("nope", agent="ann", attendee_id="a-2", now=T0)
    assert missing.value.current is None
