"""The sliding-window cap against moto: never more than the limit in any window, and no refusal below it."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meeting_api.errors import RateLimited
from meeting_api.rate_limit import CapRule, SlidingWindowCap
from tests.unit.lambdas.meeting_api.harness import T0, Harness

WINDOW = timedelta(hours=1)
T0_MS = int(T0.timestamp() * 1000)
_subjects = itertools.count()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    limit=st.integers(min_value=1, max_value=5),
    gaps=st.lists(st.integers(min_value=0, max_value=40 * 60_000), min_size=1, max_size=15),
)
def test_uses_in_any_window_never_exceed_the_limit_and_refusals_are_exact(
    api: Harness, limit: int, gaps: list[int]
) -> None:
    cap = SlidingWindowCap(api.dynamodb, "calls", CapRule("test-quota", WINDOW, "{limit} uses"), limit=limit)
    subject = f"s{next(_subjects)}"  # a fresh item per example
    accepted: list[int] = []
    now_ms = T0_MS
    for gap in gaps:
        now_ms += gap
        in_window = [use for use in accepted if use > now_ms - 3_600_000]
        refusal: RateLimited | None = None
        try:
            cap.take(subject, label="agent", now=T0 + timedelta(milliseconds=now_ms - T0_MS))
        except RateLimited as refused:
            refusal = refused
        if refusal is None:
            assert len(in_window) < limit
            accepted.append(now_ms)
        else:  # refused only when the window is full, until the use that frees it leaves the window
            assert len(in_window) == limit
            frees_at = sorted(in_window)[-limit] + 3_600_000
            assert refusal.retry_after == max(1, -(-(frees_at - now_ms) // 1000))
    for end in accepted:
        assert sum(1 for use in accepted if end - 3_600_000 < use <= end) <= limit


def test_a_racing_use_is_retried_and_both_count(api: Harness) -> None:
    """Another request records a use between our read and write: our conditional write fails, we re-read."""
    cap = SlidingWindowCap(api.dynamodb, "calls", CapRule("test-quota", WINDOW, "{limit} uses"), limit=2)
    with api.dynamodb_fault(
        "UpdateItem", lambda params: True, instead=lambda: cap.take("racer", label="tab 2", now=T0)
    ):
        cap.take("racer", label="tab 1", now=T0)
    with pytest.raises(RateLimited):
        cap.take("racer", label="tab 3", now=T0)
