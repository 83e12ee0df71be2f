"""The Powertools logger, metrics and tracer every call-control module shares (configured by environment)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer

from calls.contracts import CALL_CONTROL_SERVICE

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or CALL_CONTROL_SERVICE

logger = Logger(service=SERVICE)
# A namespace is required to flush metrics; the stack sets POWERTOOLS_METRICS_NAMESPACE.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "AiPhoneLine", service=SERVICE)

# Most SMA events record no metric; Powertools would warn about that on every one of them.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

Handler = TypeVar("Handler", bound=Callable[..., Any])


def _tracing_on() -> bool:
    # Powertools' own rule (Lambda, not disabled), checked before building a Tracer: building one imports the
    # X-Ray SDK (about 150 ms of cold start) even when tracing then turns out to be disabled.
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }
    return bool(os.environ.get("LAMBDA_TASK_ROOT")) and not disabled


tracer: Tracer | None = Tracer(service=SERVICE) if _tracing_on() else None


def traced_handler(*, capture_response: bool) -> Callable[[Handler], Handler]:
    """Tracer.capture_lambda_handler when tracing is on; otherwise the handler as it is."""
    if tracer is None:
        return lambda handler: handler
    decorate: Callable[[Handler], Handler] = tracer.capture_lambda_handler(capture_response=capture_response)
    return decorate
