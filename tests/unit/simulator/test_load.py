"""Thirty calls live at once through the real handlers: isolation and record integrity, not speed.

The run is played once per module; the checks are then shown to catch what they claim to, by handing
them the same run with one thing broken.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator

import pytest

from simulator.fake_chime import FakeChime, Meeting
from simulator.load import MIX, CallRun, LoadResult, plan_calls, run_load
from simulator.load_aws import Change
from simulator.load_checks import OR_ELSE, check, expected_path, path_problems, status_paths
from simulator.load_report import report

CALLS = 30
# One worker plays the run once for every test here (make test runs pytest -n 2 --dist loadgroup).
pytestmark = pytest.mark.xdist_group("load")


@pytest.fixture(scope="module")
def result() -> Iterator[LoadResult]:
    fake = FakeChime()
    fake.start()
    try:
        # 3 threads and a roomy answer budget: a busy machine slows the run but should not fail it.
        yield run_load(CALLS, workers=3, relaxed_budget=True, chime=fake)
    finally:
        fake.stop()


def _retried_transfers(result: LoadResult) -> tuple[str, ...]:
    """Known, and not this test's to fix: call_control answers the SMA's retry of a transfer request
    with no actions, so a caller whose first answer was lost is never transferred (yet recorded so)."""
    return tuple(
        f"call {run.plan.index} (transfer)"
        for run in result.runs
        if run.plan.kind == "transfer" and run.plan.retries
    )


def test_every_invariant_holds(result: LoadResult) -> None:
    known = _retried_transfers(result)
    assert [problem for problem in result.problems if not problem.startswith(known)] == []


def test_a_retried_transfer_request_still_transfers_the_caller(result: LoadResult) -> None:
    assert _retried_transfers(result)  # the run has such a call
    assert [problem for problem in result.problems if problem.startswith(_retried_transfers(result))] == []


def test_every_call_was_live_at_once_and_every_kind_played(result: LoadResult) -> None:
    assert result.live_at_peak == CALLS
    assert set(result.kinds()) == {kind for kind, _ in MIX}
    assert sum(run.plan.retries for run in result.runs) == CALLS // 4  # some SMAs deliver every event twice


def test_each_record_went_through_its_kind_of_call_once(result: LoadResult) -> None:
    paths = status_paths(result.changes)
    for run in result.runs:
        assert run.call_id is not None
        either = {expected_path(run.plan.kind), OR_ELSE.get(run.plan.kind, (None,))[0]}
        assert tuple(paths[run.call_id]) in either, run.plan


def test_each_call_has_its_own_meeting_and_none_is_left(result: LoadResult) -> None:
    meetings = [record.meeting_id for record in result.records.values() if record]
    assert len(set(meetings)) == len(meetings) == CALLS
    assert result.local.chime.meetings == {}
    deleted = {request.params["MeetingId"] for request in result.local.chime.calls_to("DeleteMeeting")}
    assert deleted >= set(meetings)


def test_every_aws_request_is_counted_for_the_call_that_made_it(result: LoadResult) -> None:
    chime = sum(
        count
        for counts in result.requests.by_call.values()
        for name, count in counts.items()
        if " chime-sdk" in name
    )
    assert chime == len(result.local.chime.requests)
    assert not any(name.startswith("chime") for name in result.requests.unattributed)
    for run in result.runs:
        counts = result.requests.by_call[run.plan.index]
        assert counts["sma dynamodb.PutItem"] >= 1 or counts["api dynamodb.PutItem"] >= 1, run.plan


def test_the_report_prints_the_figures(result: LoadResult) -> None:
    text = report(result)
    for expected in ("p50 ms", "p99 ms", "NEW_INBOUND_CALL", "POST /calls/{id}/answer", "per 1,000 calls"):
        assert expected in text
    assert "broken invariant" in text or "Invariants held" in text


# The checks catch what they claim to.


def _runs(result: LoadResult) -> list[CallRun]:
    return [copy.copy(run) for run in result.runs]


def test_a_call_handed_another_calls_record_is_caught(result: LoadResult) -> None:
    runs = _runs(result)
    first, second = [run for run in runs if run.plan.kind == "answered"][:2]
    first.call_id, second.call_id = second.call_id, first.call_id
    problems = check(dataclasses.replace(result, runs=runs))
    assert any("record is of" in problem for problem in problems)
    assert any("another call's meeting" in problem for problem in problems)


def test_a_lost_transition_is_caught(result: LoadResult) -> None:
    call_id = next(run.call_id for run in result.runs if run.plan.kind == "answered")
    kept = [
        change
        for change in result.changes
        if not (
            change.key == call_id
            and change.text("new", "status") == "in_progress"
            and change.text("old", "status") == "ringing"
        )
    ]
    problems = check(dataclasses.replace(result, changes=kept))
    assert any("never in_progress" in problem for problem in problems)


def test_a_repeated_transition_is_caught(result: LoadResult) -> None:
    call_id = next(run.call_id for run in result.runs if run.plan.kind == "outbound")
    again = next(
        change
        for change in result.changes
        if change.key == call_id
        and change.text("new", "status") == "in_progress"
        and change.text("old", "status") != "in_progress"
    )
    problems = check(dataclasses.replace(result, changes=[*result.changes, again]))
    assert any("entered in_progress 2 times" in problem for problem in problems)
    assert any("illegal transition ended -> in_progress" in problem for problem in problems)


def test_a_meeting_left_behind_is_caught(result: LoadResult) -> None:
    result.local.chime.meetings["left-behind"] = Meeting("left-behind", "call-x", "us-east-1")
    try:
        assert "meeting left-behind still exists" in check(result)
    finally:
        del result.local.chime.meetings["left-behind"]


def test_a_field_another_call_wrote_is_caught(result: LoadResult) -> None:
    change = next(c for c in result.changes if c.kind == "MODIFY" and "meeting_id" in c.old)
    swapped = Change(change.key, "MODIFY", change.old, {**change.new, "meeting_id": {"S": "someone-else"}})
    problems = check(dataclasses.replace(result, changes=[*result.changes, swapped]))
    assert any("meeting_id changed from" in problem for problem in problems)


def test_paths_are_judged_by_the_record_model() -> None:
    assert path_problems(["connecting", "ringing", "in_progress", "ended"], expected_path("answered")) == []
    assert path_problems(["dialing", "in_progress", "ended"], expected_path("outbound")) == ["never ringing"]
    assert "began ringing, expected connecting" in path_problems(["ringing", "ended"], ("connecting",))


def test_plans_are_the_same_for_the_same_count() -> None:
    assert plan_calls(200) == plan_calls(200)
    assert len({plan.number for plan in plan_calls(200)}) == 200


def test_the_simulator_command_runs_the_load(capsys: pytest.CaptureFixture[str]) -> None:
    from simulator.__main__ import main

    with pytest.raises(SystemExit) as done:
        main(["load", "--help"])
    assert done.value.code == 0
    assert "--calls" in capsys.readouterr().out
