"""The Powertools logger, metrics and tracer every call-control module shares (configured by environment)."""

from __future__ import annotations

import os
import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "call-control"

logger = Logger(service=SERVICE)
# A namespace is required to flush metrics; the stack sets POWERTOOLS_METRICS_NAMESPACE.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "AiPhoneLine", service=SERVICE)
tracer = Tracer(service=SERVICE)

# Most SMA events record no metric; Powertools would warn about that on every one of them.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
