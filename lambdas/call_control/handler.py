"""The SIP media application's Lambda: parse the event, decide, act on the edges, answer with actions."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from call_control import actions
from call_control.events import MalformedEvent, SmaEvent, parse_event, salvage
from call_control.logic.decision import Decision, MetricPoint
from call_control.logic.failures import broken_settings_reply
from call_control.observability import logger, metrics, traced_handler
from call_control.runtime import Runtime, get_runtime
from call_control.settings import FALLBACK_APOLOGY, FALLBACK_VOICE
from calls.contracts import CallMetric

_UNITS = {"Count": MetricUnit.Count, "Milliseconds": MetricUnit.Milliseconds, "Seconds": MetricUnit.Seconds}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@traced_handler(capture_response=False)  # responses carry meeting join tokens
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    return handle_event(event)


def handle_event(raw: Any) -> dict[str, Any]:
    """Always a valid SMA response, never an exception (which makes the SMA retry, then drop the call)."""
    try:
        return _handle(raw)
    except Exception:  # the last line of defence; every expected failure is handled below it
        logger.exception("unexpected failure; hanging up politely")
        # Lambda reports no error for an event answered this way: this metric is what the alarm sees.
        metrics.add_metric(name=CallMetric.HANDLER_FAILURES, unit=MetricUnit.Count, value=1)
        return _emergency_reply(raw)


def _handle(raw: Any) -> dict[str, Any]:
    try:
        event = parse_event(raw)
    except MalformedEvent as error:
        return _malformed(error)
    caller = event.caller
    logger.set_correlation_id(event.transaction_id)
    logger.append_keys(
        call_id=event.attributes.get("callId") or event.transaction_id,
        sma_call_id=caller.call_id if caller else None,
        event_type=event.event_type,
        sequence=event.sequence,
        action_type=event.action_type,
    )
    runtime = get_runtime()
    if runtime.control is None or runtime.settings is None:
        return _broken_settings(event, runtime)
    outcome = runtime.control.handle(event)
    if outcome.call_id:
        logger.append_keys(call_id=outcome.call_id)
    _publish(outcome.metrics)
    return _reply(outcome.decision)


def _reply(decision: Decision) -> dict[str, Any]:
    log = logger.error if decision.problem else logger.info
    log(
        decision.note or "answered",
        extra={
            "actions": [action["Type"] for action in decision.actions],
            "problem": decision.problem,
            "phase": decision.attributes.phase if decision.attributes else None,
        },
    )
    attributes = decision.attributes.to_map() if decision.attributes is not None else None
    return actions.response(decision.actions, attributes)


def _publish(points: tuple[MetricPoint, ...]) -> None:
    for point in points:
        metrics.add_metric(name=point.name, unit=_UNITS[point.unit], value=point.value)


def _broken_settings(event: SmaEvent, runtime: Runtime) -> dict[str, Any]:
    logger.error(
        "call-control settings are unusable; ending the call", extra={"problems": list(runtime.problems)}
    )
    caller = event.caller
    if caller is None or not caller.connected:
        return actions.response([])
    metrics.add_metric(name=CallMetric.CALLS_FAILED, unit=MetricUnit.Count, value=1)
    decision = broken_settings_reply(
        caller.call_id, FALLBACK_APOLOGY, FALLBACK_VOICE.voice_id, FALLBACK_VOICE.language_code
    )
    return actions.response(decision.actions)


def _malformed(error: MalformedEvent) -> dict[str, Any]:
    if error.transaction_id:
        logger.set_correlation_id(error.transaction_id)
    logger.error("malformed SMA event", extra={"reason": error.reason, "sma_call_id": error.caller_call_id})
    metrics.add_metric(name=CallMetric.MALFORMED_EVENTS, unit=MetricUnit.Count, value=1)
    if not error.caller_connected:
        return actions.response([])
    metrics.add_metric(name=CallMetric.CALLS_FAILED, unit=MetricUnit.Count, value=1)
    return actions.response(_goodbye_actions(error.caller_call_id))


def _emergency_reply(raw: Any) -> dict[str, Any]:
    try:
        salvaged = MalformedEvent("unexpected failure")
        if isinstance(raw, Mapping):
            salvaged = MalformedEvent("unexpected failure", **salvage(raw))
        if not salvaged.caller_connected:
            return actions.response([])
        metrics.add_metric(name=CallMetric.CALLS_FAILED, unit=MetricUnit.Count, value=1)
        return actions.response(_goodbye_actions(salvaged.caller_call_id))
    except Exception:  # even the salvage failed: an empty answer is still a valid one
        return {"SchemaVersion": actions.SCHEMA_VERSION, "Actions": []}


def _goodbye_actions(caller_call_id: str | None) -> list[actions.Action]:
    runtime = get_runtime()
    settings = runtime.settings
    apology = settings.apology_message if settings else FALLBACK_APOLOGY
    voice = settings.voice if settings else FALLBACK_VOICE
    decision = broken_settings_reply(caller_call_id, apology, voice.voice_id, voice.language_code)
    return list(decision.actions)


if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    get_runtime()  # in Lambda, build the clients during init, not during the first call
