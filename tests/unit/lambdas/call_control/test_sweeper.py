"""The sweeper: agent-less callers are timed out, stuck calls ended, meetings left behind deleted — once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import botocore.session
import pytest

from call_control import sweeper as sweeper_module
from call_control.sweeper import Sweeper, build_sweeper
from calls.contracts import hangup_request, timeout_request
from calls.record import CallRecord, CallStatus, Direction, EndReason, iso, utc_now
from calls.store import CallStore
from simulator.environment import LocalAws
from tests.unit.lambdas.call_control.harness import T0, Context


@pytest.fixture
def updates(aws: LocalAws) -> list[tuple[str, dict[str, str]]]:
    """UpdateSipMediaApplicationCall requests the fake voice endpoint accepted (for live transactions)."""
    seen: list[tuple[str, dict[str, str]]] = []

    def accept(sma_id: str, transaction_id: str, arguments: dict[str, str]) -> bool:
        if transaction_id.startswith("gone"):
            return False
        seen.append((transaction_id, arguments))
        return True

    aws.chime.on_update_call = accept
    return seen


@pytest.fixture
def sweeper(aws: LocalAws) -> Sweeper:
    return build_sweeper(aws.env, session=botocore.session.get_session())


def meeting(aws: LocalAws, name: str) -> str:
    client = boto3.client("chime-sdk-meetings")
    created = client.create_meeting_with_attendees(
        ClientRequestToken=f"test-{name}",
        MediaRegion="us-east-1",
        ExternalMeetingId=f"call-{name}",
        Attendees=[{"ExternalUserId": f"caller-{name}"}],
    )
    return created["Meeting"]["MeetingId"]


def put(
    store: CallStore,
    aws: LocalAws,
    call_id: str,
    status: CallStatus,
    *,
    age: float,
    now: datetime = T0,
    **fields: Any,
) -> CallRecord:
    at = now - timedelta(seconds=age)
    record = CallRecord.new(
        call_id=call_id,
        direction=fields.pop("direction", Direction.INBOUND),
        from_number="+12065550100",
        to_number="+12065550199",
        status=status,
        now=at,
        transaction_id=fields.pop("transaction_id", f"tx-{call_id}"),
        meeting_id=fields.pop("meeting_id", meeting(aws, call_id)),
        **fields,
    )
    store.create(record)
    return record


def test_a_caller_waiting_too_long_is_timed_out_through_the_sma(
    aws: LocalAws, store: CallStore, sweeper: Sweeper, updates: list[Any]
) -> None:
    put(store, aws, "waiting", CallStatus.RINGING, age=301)
    put(store, aws, "patient", CallStatus.RINGING, age=100)
    put(store, aws, "answered", CallStatus.IN_PROGRESS, age=3000, answered_by="ann")
    report = sweeper.sweep(now=T0)
    assert updates == [("tx-waiting", timeout_request())]
    assert (report.examined, report.timeouts_requested) == (3, 1)
    assert store.require("waiting").status is CallStatus.RINGING  # the SMA Lambda ends it after its goodbye


def test_a_timed_out_call_the_sma_no_longer_knows_is_ended_and_its_meeting_deleted(
    aws: LocalAws, store: CallStore, sweeper: Sweeper, updates: list[Any]
) -> None:
    put(store, aws, "vanished", CallStatus.RINGING, age=400, transaction_id="gone-1")
    sweeper.sweep(now=T0)
    record = store.require("vanished")
    assert record.status is CallStatus.ENDED and record.end_reason is EndReason.TIMEOUT
    assert record.meeting_ended_at is not None and aws.chime.meetings == {}


def test_a_caller_the_timeout_did_not_reach_is_ended_by_force(
    aws: LocalAws, store: CallStore, sweeper: Sweeper, updates: list[Any]
) -> None:
    put(store, aws, "ignored", CallStatus.RINGING, age=300 + 200)
    report = sweeper.sweep(now=T0)
    assert report.calls_force_ended == 1
    assert store.require("ignored").end_reason is EndReason.TIMEOUT
    assert aws.chime.meetings == {}  # deleting the meeting drops the caller's meeting leg
    assert updates == [("tx-ignored", hangup_request())]


def test_a_caller_in_the_meeting_is_ended_by_deleting_it_so_the_goodbye_is_not_cut_short(
    aws: LocalAws, store: CallStore, sweeper: Sweeper, updates: list[Any]
) -> None:
    """Deleting the meeting makes the SMA Lambda say goodbye and hang up; a hang-up request would replace
    those actions and cut the goodbye off."""
    put(store, aws, "joined", CallStatus.RINGING, age=300 + 200, joined_at=iso(T0 - timedelta(seconds=499)))
    report = sweeper.sweep(now=T0)
    assert report.calls_force_ended == 1
    assert store.require("joined").end_reason is EndReason.TIMEOUT
    assert aws.chime.meetings == {}
    assert updates == []


def test_calls_stuck_in_setup_are_ended(
    aws: LocalAws, store: CallStore, sweeper: Sweeper, updates: list[Any]
) -> None:
    put(store, aws, "connecting", CallStatus.CONNECTING, age=180)
    put(store, aws, "dialing", CallStatus.DIALING, age=400, direction=Direction.OUTBOUND)
    put(store, aws, "fresh", CallStatus.CONNECTING, age=10)
    sweeper.sweep(now=T0)
    assert store.require("connecting").end_reason is EndReason.ERROR
    assert store.require("dialing").end_reason is EndReason.FAILED
    assert store.require("fresh").status is CallStatus.CONNECTING
    assert len(aws.chime.meetings) == 1


def test_orphaned_meetings_are_deleted_once(
    aws: LocalAws, store: CallStore, sweeper: Sweeper, updates: list[Any]
) -> None:
    put(store, aws, "orphan", CallStatus.ENDED, age=120, ended_at=iso(T0 - timedelta(seconds=120)))
    put(store, aws, "just-ended", CallStatus.ENDED, age=30, ended_at=iso(T0 - timedelta(seconds=30)))
    put(store, aws, "old", CallStatus.ENDED, age=26 * 3600, ended_at=iso(T0 - timedelta(hours=26)))
    sweeper.sweep(now=T0)
    assert store.require("orphan").meeting_ended_at is not None
    assert (
        store.require("just-ended").meeting_ended_at is None
    )  # the SMA Lambda's own HANGUP gets to it first
    assert len(aws.chime.calls_to("DeleteMeeting")) == 1
    sweeper.sweep(now=T0)
    assert len(aws.chime.calls_to("DeleteMeeting")) == 1
    assert updates == []


def test_a_deletion_that_fails_is_tried_again_next_minute(
    aws: LocalAws, store: CallStore, sweeper: Sweeper, updates: list[Any]
) -> None:
    put(store, aws, "orphan", CallStatus.ENDED, age=120, ended_at=iso(T0 - timedelta(seconds=120)))
    aws.chime.fail_next("DeleteMeeting", "ServiceFailureException", times=3)
    sweeper.sweep(now=T0)
    assert store.require("orphan").meeting_ended_at is None
    sweeper.sweep(now=T0 + timedelta(minutes=1))
    assert store.require("orphan").meeting_ended_at is not None and aws.chime.meetings == {}


@pytest.fixture
def lambda_env(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sweeper_module, "_sweeper", None)
    yield
    monkeypatch.setattr(sweeper_module, "_sweeper", None)


def test_the_scheduled_lambda_reports_what_it_did(
    aws: LocalAws, store: CallStore, updates: list[Any], lambda_env: None
) -> None:
    put(store, aws, "waiting", CallStatus.RINGING, age=1000, now=utc_now())  # the Lambda sweeps at real time
    report = sweeper_module.lambda_handler({"source": "aws.events"}, Context())
    assert report["examined"] == 1 and report["calls_force_ended"] == 1


def test_the_sweeper_refuses_to_run_without_the_sma_id(
    aws: LocalAws, monkeypatch: pytest.MonkeyPatch, lambda_env: None
) -> None:
    monkeypatch.delenv("SMA_ID")
    assert "SMA_ID" in sweeper_module.lambda_handler({}, Context())["error"]
