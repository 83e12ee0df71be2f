"""The per-agent cost with the push channel: idle agents cost connection minutes and a slow poll."""

from __future__ import annotations

import pytest

from scripts import costs


def test_an_idle_agent_costs_under_five_cents_a_month_apart_from_the_sign_in() -> None:
    lines = dict(costs.estimate(toll_free=False, alarms=0, dashboards=0).per_agent_month)
    idle = sum(amount for name, amount in lines.items() if not name.startswith("Cognito"))
    assert idle < 0.05
    # 10,560 connection minutes at $0.08 a million; 21,120 safety-net polls.
    assert lines["call list pushed (AppSync Events): connection minutes, 8 h x 22 days"] == pytest.approx(
        10_560 * 0.08e-6
    )
    assert any("every 30 s" in name for name in lines)


def test_a_calls_events_cost_grows_with_the_agents_who_receive_them() -> None:
    assert costs.push_per_call(agents=0) == pytest.approx(4 * 2 * 1e-6)
    assert costs.push_per_call(agents=50) == pytest.approx(4 * 52 * 1e-6)
