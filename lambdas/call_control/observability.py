"""The Powertools logger, metrics and tracer every call-control module shares (configured by environment)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer

from calls.contracts import CALL_CONTROL_SERVICE
from calls.tracing import handler_tracer, traced

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or CALL_CONTROL_SERVICE

logger = Logger(service=SERVICE)
# A namespace is required to flush metrics; the stack sets POWERTOOLS_METRICS_NAMESPACE.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "AiPhoneLine", service=SERVICE)

# Most SMA events record no metric; Powertools would warn about that on every one of them.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

Handler = TypeVar("Handler", bound=Callable[..., Any])

# Call control calls out only through botocore (DynamoDB, Chime SDK meetings).
tracer: Tracer | None = handler_tracer(SERVICE, patch=("botocore",))


def traced_handler(*, capture_response: bool) -> Callable[[Handler], Handler]:
    """Tracer.capture_lambda_handler when tracing is on; otherwise the handler as it is."""
    return traced(tracer, capture_response=capture_response)
