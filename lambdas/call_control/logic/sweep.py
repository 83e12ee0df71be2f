"""The sweeper's plan for one call (run every minute): time it out, force its end, or delete its meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from call_control.logic.decision import RecordChange
from call_control.logic.leaving import end_change
from calls.record import CallRecord, CallStatus, Direction, EndReason, parse_iso

LOOKBACK = timedelta(hours=25)  # meetings end by themselves after 24 hours; older calls need nothing
CONNECTING_LIMIT = timedelta(minutes=2)  # the SMA drops a call after ~20 s without an answer from us
DIALING_LIMIT = timedelta(minutes=5)
OUTBOUND_RINGING_LIMIT = timedelta(minutes=5)
TIMEOUT_GRACE = timedelta(minutes=3)  # after asking for a timeout, how long before forcing the end
CLEANUP_GRACE = timedelta(minutes=1)  # leave the SMA Lambda time to delete the meeting itself


class SweepKind(StrEnum):
    REQUEST_TIMEOUT = "request_timeout"  # ask the SMA Lambda to say goodbye (CALL_UPDATE_REQUESTED timeout)
    FORCE_END = "force_end"  # stuck: end the record, delete the meeting, ask the SMA to hang up
    DELETE_MEETING = "delete_meeting"  # over (or transferred away) but its meeting was never deleted


@dataclass(frozen=True, slots=True)
class SweepStep:
    kind: SweepKind
    call: CallRecord
    change: RecordChange | None = None


def plan_sweep(call: CallRecord, now: datetime, wait_timeout: timedelta) -> SweepStep | None:
    age = now - parse_iso(call.created_at)
    idle = now - parse_iso(call.updated_at)
    only = frozenset({call.status})
    match call.status:
        case CallStatus.CONNECTING if age > CONNECTING_LIMIT:
            change = end_change(EndReason.ERROR, now, "stuck while connecting", from_statuses=only)
            return SweepStep(SweepKind.FORCE_END, call, change)
        case CallStatus.DIALING if age > DIALING_LIMIT:
            change = end_change(EndReason.FAILED, now, "the outbound call never rang", from_statuses=only)
            return SweepStep(SweepKind.FORCE_END, call, change)
        case CallStatus.RINGING if call.direction is Direction.OUTBOUND:
            if idle > OUTBOUND_RINGING_LIMIT:
                return SweepStep(
                    SweepKind.FORCE_END, call, end_change(EndReason.NO_ANSWER, now, from_statuses=only)
                )
        case CallStatus.RINGING if call.answered_by is None:
            if idle > wait_timeout + TIMEOUT_GRACE:
                change = end_change(EndReason.TIMEOUT, now, from_statuses=only, answered_by_absent=True)
                return SweepStep(SweepKind.FORCE_END, call, change)
            if idle >= wait_timeout:
                return SweepStep(SweepKind.REQUEST_TIMEOUT, call)
        case CallStatus.TRANSFERRING | CallStatus.ENDED if call.meeting_id and call.meeting_ended_at is None:
            since = now - parse_iso(call.ended_at or call.updated_at)
            if since > CLEANUP_GRACE:
                return SweepStep(SweepKind.DELETE_MEETING, call)
    return None
