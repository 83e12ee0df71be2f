"""Every minute: time out callers nobody answered, end calls stuck in setup, delete meetings left behind.

The SMA only invokes the call-control Lambda when something happens on a call, so a caller waiting in a
meeting for an agent produces no events at all. This scheduled Lambda is the clock.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import botocore.session
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError

from call_control.adapters import CallRecords, MeetingGateway, call_edges, sweeper_client_config
from call_control.cleanup import MeetingJanitor
from call_control.logic.leaving import end_change
from call_control.logic.sweep import LOOKBACK, SweepKind, SweepStep, plan_sweep
from call_control.observability import logger, metrics, traced_handler
from call_control.settings import SettingsError, load_settings
from calls.chime import SmaCalls
from calls.contracts import CallMetric, hangup_request, timeout_request
from calls.faults import AwsFault
from calls.record import CallRecord, CallStatus, EndReason, utc_now
from calls.store import TransitionRefused

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient


@dataclass(slots=True)
class SweepReport:
    examined: int = 0
    timeouts_requested: int = 0
    calls_force_ended: int = 0
    meetings_deleted: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Sweeper:
    def __init__(
        self,
        *,
        records: CallRecords,
        meetings: MeetingGateway,
        calls: SmaCalls,
        wait_timeout_seconds: float,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._records = records
        self._calls = calls
        self._janitor = MeetingJanitor(records, meetings)
        self._wait = timedelta(seconds=wait_timeout_seconds)
        self._clock = clock

    def sweep(self, *, now: datetime | None = None, stop_at: float | None = None) -> SweepReport:
        """One pass over the calls of the last 25 hours. `stop_at` (time.monotonic) bounds the work."""
        now = now or self._clock()
        report = SweepReport()
        try:
            for call in self._records.created_since(now - LOOKBACK):
                if stop_at is not None and time.monotonic() > stop_at:
                    report.problems.append("stopped early: out of time")
                    break
                report.examined += 1
                step = plan_sweep(call, now, self._wait)
                if step is not None:
                    self._perform(step, now, report)
        except AwsFault as error:
            report.problems.append(f"could not list calls: {error}")
        return report

    def _perform(self, step: SweepStep, now: datetime, report: SweepReport) -> None:
        call = step.call
        logger.append_keys(call_id=call.call_id)
        try:
            match step.kind:
                case SweepKind.REQUEST_TIMEOUT:
                    self._request_timeout(call, now, report)
                case SweepKind.FORCE_END:
                    self._force_end(step, now, report)
                case SweepKind.DELETE_MEETING:
                    self._janitor.clean_up(call.call_id, call, None, now)
                    report.meetings_deleted += 1
        except AwsFault as error:
            report.problems.append(f"{call.call_id}: {error}")
            logger.warning(
                "sweep step failed; next sweep tries again", extra={"step": step.kind, "reason": str(error)}
            )
        finally:
            logger.remove_keys(["call_id"])

    def _request_timeout(self, call: CallRecord, now: datetime, report: SweepReport) -> None:
        if call.transaction_id is None:
            self._force_end(self._forced(call, now, "waiting call without a transaction"), now, report)
            return
        if self._calls.request_update(call.transaction_id, timeout_request()):
            report.timeouts_requested += 1
            logger.info("asked the SMA to time the caller out")
            return
        # The SMA no longer knows the call: it ended without us hearing of it.
        self._force_end(self._forced(call, now, "the call no longer exists"), now, report)

    def _forced(self, call: CallRecord, now: datetime, error: str) -> SweepStep:
        change = end_change(
            EndReason.TIMEOUT, now, error, from_statuses=frozenset({call.status}), answered_by_absent=True
        )
        return SweepStep(SweepKind.FORCE_END, call, change)

    def _force_end(self, step: SweepStep, now: datetime, report: SweepReport) -> None:
        call = step.call
        ended = call
        if step.change is not None:
            try:
                ended = self._records.apply(call.call_id, step.change, now=now)
            except TransitionRefused:
                logger.info("call moved on before the sweeper could end it")
                return
        report.calls_force_ended += 1
        logger.warning("ended a stuck call", extra={"status": call.status, "end_reason": ended.end_reason})
        # Deleting the meeting takes a caller out of it, and the SMA Lambda then says goodbye and hangs up;
        # a hang-up request on top would replace that goodbye. Only a call whose phone leg never joined a
        # meeting (still connecting or dialing) needs the hang-up request.
        self._janitor.clean_up(call.call_id, ended, None, now)
        in_meeting = call.meeting_id is not None and call.joined_at is not None
        if call.transaction_id and call.status is not CallStatus.ENDED and not in_meeting:
            self._calls.request_update(call.transaction_id, hangup_request())


def build_sweeper(
    env: Mapping[str, str],
    *,
    clock: Callable[[], datetime] = utc_now,
    session: botocore.session.Session | None = None,
) -> Sweeper:
    settings = load_settings(env)
    if not settings.sma_id:
        raise SettingsError(["SMA_ID is required by the sweeper (the SIP media application's id)"])
    session = session or botocore.session.get_session()
    config = sweeper_client_config()
    records, meetings = call_edges(session, settings, config)
    voice = cast("ChimeSDKVoiceClient", session.create_client("chime-sdk-voice", config=config))
    return Sweeper(
        records=records,
        meetings=meetings,
        calls=SmaCalls(voice, sip_media_application_id=settings.sma_id),
        wait_timeout_seconds=settings.wait_timeout.total_seconds(),
        clock=clock,
    )


_sweeper: Sweeper | None = None


def get_sweeper() -> Sweeper:
    global _sweeper  # noqa: PLW0603 - one per container
    if _sweeper is None:
        _sweeper = build_sweeper(os.environ)
    return _sweeper


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@traced_handler(capture_response=True)
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    try:
        sweeper = get_sweeper()
    except (SettingsError, BotoCoreError) as error:
        logger.error("the sweeper cannot run", extra={"reason": str(error)})
        return {"error": str(error)}
    stop_at = time.monotonic() + max(context.get_remaining_time_in_millis() / 1000 - 5, 1)
    report = sweeper.sweep(stop_at=stop_at)
    metrics.add_metric(
        name=CallMetric.SWEEP_TIMEOUTS_REQUESTED, unit=MetricUnit.Count, value=report.timeouts_requested
    )
    metrics.add_metric(
        name=CallMetric.SWEEP_CALLS_FORCE_ENDED, unit=MetricUnit.Count, value=report.calls_force_ended
    )
    metrics.add_metric(
        name=CallMetric.SWEEP_MEETINGS_DELETED, unit=MetricUnit.Count, value=report.meetings_deleted
    )
    log = logger.warning if report.problems else logger.info
    log("sweep finished", extra=report.as_dict())
    return report.as_dict()
