"""Lambda entry point (meeting_api.handler.lambda_handler): observability around the API's resolver."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from meeting_api import runtime
from meeting_api.api import app
from meeting_api.observability import logger, metrics, tracer

# A browser reads these cross-origin only when exposed (API Gateway's CORS config must expose them too).
_EXPOSED_HEADERS = "ETag, Retry-After"

if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    runtime.current()  # validate settings, create clients during init: bad configuration fails the cold start


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = app.resolve(event, context)
    origin = runtime.current().settings.allowed_origin
    if origin:
        headers = response.setdefault("headers", {})
        headers.setdefault("Access-Control-Allow-Origin", origin)
        headers.setdefault("Access-Control-Expose-Headers", _EXPOSED_HEADERS)
        headers.setdefault("Vary", "Origin")
    return response
