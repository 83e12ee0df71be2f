"""The sweeper's plan for one call, decided alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from call_control.logic.sweep import SweepKind, plan_sweep
from calls.record import CallStatus, Direction, iso
from tests.unit.lambdas.call_control.decisions import (
    record,
)
from tests.unit.lambdas.call_control.harness import T0


def _swept(status: CallStatus, *, idle: float, **fields: Any) -> SweepKind | None:
    call = record(status, **fields).replace(updated_at=iso(T0))
    step = plan_sweep(call, T0 + timedelta(seconds=idle), timedelta(seconds=300))
    return step.kind if step else None


def test_the_sweep_plan() -> None:
    assert _swept(CallStatus.RINGING, idle=299) is None
    assert _swept(CallStatus.RINGING, idle=300) is SweepKind.REQUEST_TIMEOUT
    assert _swept(CallStatus.RINGING, idle=300 + 181) is SweepKind.FORCE_END
    assert _swept(CallStatus.RINGING, idle=10_000, answered_by="ann") is None
    assert _swept(CallStatus.IN_PROGRESS, idle=10_000) is None
    assert _swept(CallStatus.CONNECTING, idle=119) is None
    assert _swept(CallStatus.CONNECTING, idle=121) is SweepKind.FORCE_END
    assert _swept(CallStatus.DIALING, idle=301, direction=Direction.OUTBOUND) is SweepKind.FORCE_END
    assert _swept(CallStatus.ENDED, idle=61, ended_at=iso(T0)) is SweepKind.DELETE_MEETING
    assert _swept(CallStatus.ENDED, idle=59, ended_at=iso(T0)) is None
    assert _swept(CallStatus.ENDED, idle=600, ended_at=iso(T0), meeting_ended_at=iso(T0)) is None
    assert _swept(CallStatus.TRANSFERRING, idle=61) is SweepKind.DELETE_MEETING
