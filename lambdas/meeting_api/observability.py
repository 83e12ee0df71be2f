"""One Logger, Metrics and Tracer for the function; Powertools reads POWERTOOLS_* from the environment."""

from __future__ import annotations

import logging
import os
import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

from calls.contracts import MEETING_API_SERVICE
from calls.tracing import handler_tracer

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", MEETING_API_SERVICE)

logger = Logger(service=SERVICE)
# A namespace is required to flush metrics; the stack sets POWERTOOLS_METRICS_NAMESPACE, this is the fallback.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "AiPhoneLine"), service=SERVICE)
# What patch_all patched in Lambda (its default leaves httplib alone, so Azure calls stay unwrapped).
tracer: Tracer | None = handler_tracer(SERVICE, patch=("botocore",))

# Most requests record no metric (agents poll GET /calls); Powertools would warn about each of them.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
# botocore logs whole response bodies at DEBUG; for Secrets Manager that is the Azure key. Never below INFO.
logging.getLogger("botocore.parsers").setLevel(logging.INFO)
