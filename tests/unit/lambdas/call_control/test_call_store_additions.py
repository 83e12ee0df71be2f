"""What call control added to the shared CallStore: the once-only meeting claim and the sweep listing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from calls.record import CallRecord, CallStatus, Direction
from calls.store import CallNotFound, CallStore
from simulator.environment import LocalAws
from tests.unit.lambdas.call_control.harness import T0


def call(call_id: str, *, minutes_ago: float = 0, meeting: str | None = "m-1") -> CallRecord:
    return CallRecord.new(
        call_id=call_id,
        direction=Direction.INBOUND,
        from_number="+12065550100",
        to_number="+12065550199",
        status=CallStatus.ENDED,
        now=T0 - timedelta(minutes=minutes_ago),
        meeting_id=meeting,
    )


def test_only_the_first_claim_wins_and_a_release_reopens_it(aws: LocalAws, store: CallStore) -> None:
    store.create(call("c-1"))
    assert store.claim_meeting_cleanup("c-1", now=T0) == "m-1"
    assert store.claim_meeting_cleanup("c-1", now=T0) is None
    assert store.require("c-1").meeting_ended_at is not None
    store.release_meeting_cleanup("c-1")
    assert store.require("c-1").meeting_ended_at is None
    assert store.claim_meeting_cleanup("c-1", now=T0) == "m-1"


def test_nothing_to_claim_without_a_meeting_and_no_call_is_an_error(aws: LocalAws, store: CallStore) -> None:
    store.create(call("c-2", meeting=None))
    assert store.claim_meeting_cleanup("c-2", now=T0) is None
    with pytest.raises(CallNotFound):
        store.claim_meeting_cleanup("missing", now=T0)


def test_listing_since_a_moment_pages_through_everything_newer(aws: LocalAws, store: CallStore) -> None:
    for index in range(7):
        store.create(call(f"c-{index}", minutes_ago=index * 10))
    recent = [record.call_id for record in store.list_created_since(T0 - timedelta(minutes=35), page_size=2)]
    assert recent == ["c-0", "c-1", "c-2", "c-3"]
