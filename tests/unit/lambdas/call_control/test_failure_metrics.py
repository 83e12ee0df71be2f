"""A failure the handler answers politely still shows up where the alarms look: in its own metrics."""

from __future__ import annotations

from typing import Any

import pytest

from call_control import handler
from call_control.observability import metrics
from call_control.runtime import Runtime
from calls.contracts import CallMetric
from tests.unit.lambdas.call_control.harness import load_event


@pytest.fixture
def published() -> Any:
    metrics.clear_metrics()
    yield metrics.metric_set
    metrics.clear_metrics()


def test_an_unexpected_error_hangs_up_politely_and_is_counted(
    runtime: Runtime, published: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(event: Any) -> Any:
        raise KeyError("a bug in a decision path")

    assert runtime.control is not None
    monkeypatch.setattr(runtime.control, "handle", broken)
    response = handler.handle_event(load_event("new_inbound_call"))
    assert [action["Type"] for action in response["Actions"]][-1] == "Hangup"
    assert CallMetric.HANDLER_FAILURES in published
    assert CallMetric.CALLS_FAILED in published


def test_a_malformed_event_with_a_caller_on_the_line_counts_as_a_failed_call(published: Any) -> None:
    event = load_event("new_inbound_call")
    del event["InvocationEventType"]
    response = handler.handle_event(event)
    assert [action["Type"] for action in response["Actions"]][-1] == "Hangup"
    assert CallMetric.MALFORMED_EVENTS in published
    assert CallMetric.CALLS_FAILED in published
