"""Metrics that follow from a record change that was applied."""

from __future__ import annotations

from datetime import datetime

from call_control.events import SmaEvent
from call_control.logic.decision import MetricPoint, RecordChange
from calls.contracts import CallMetric
from calls.record import CallRecord, CallStatus


def change_metrics(
    event: SmaEvent, change: RecordChange, after: CallRecord, now: datetime
) -> tuple[MetricPoint, ...]:
    points: list[MetricPoint] = []
    if "joined_at" in change.set_fields and after.joined_at is not None:
        points.append(MetricPoint(CallMetric.CALLS_ANSWERED, "Count", 1))
        caller = event.caller
        if caller is not None and caller.start_ms is not None:
            waited = now.timestamp() * 1000 - caller.start_ms
            if 0 <= waited <= 3_600_000:  # the guide's own examples carry implausible start times
                points.append(MetricPoint(CallMetric.TIME_TO_JOIN_MS, "Milliseconds", round(waited)))
    if change.to is CallStatus.ENDED:
        duration = after.duration_seconds()
        if duration is not None and duration >= 0:
            points.append(MetricPoint(CallMetric.CALL_DURATION_SECONDS, "Seconds", round(duration, 3)))
        if after.joined_at is None:
            points.append(MetricPoint(CallMetric.CALLS_FAILED, "Count", 1))
    return tuple(points)
