"""The cost of 1,000 calls of a measured mix: each line is its requests times the list price, nothing else."""

from __future__ import annotations

import pytest

from scripts import costs


def test_each_line_is_requests_times_list_prices() -> None:
    mix = costs.CallRequests(
        sma_invocations=5,
        sma_seconds=0.05,
        api_requests=2,
        api_seconds=0.1,
        dynamodb_writes=8,
        dynamodb_reads=7,
        write_units_per_write=2,
    )
    lines = dict(costs.per_thousand_calls(mix))
    sma, api, writes, reads = lines.values()
    gb_second = costs.LAMBDA_GB_SECOND_ARM.usd
    assert sma == pytest.approx(5000 * (costs.LAMBDA_REQUEST.usd + 0.05 * gb_second))
    assert api == pytest.approx(
        2000 * (costs.HTTP_API_REQUEST.usd + costs.LAMBDA_REQUEST.usd + 0.1 * gb_second)
    )
    assert writes == pytest.approx(16_000 * costs.DYNAMODB_WRITE.usd)
    assert reads == pytest.approx(7000 * costs.DYNAMODB_READ.usd)


def test_no_requests_cost_nothing() -> None:
    idle = costs.CallRequests(0, 0, 0, 0, 0, 0, 1)
    assert sum(amount for _, amount in costs.per_thousand_calls(idle)) == 0
