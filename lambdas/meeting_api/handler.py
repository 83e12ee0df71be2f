"""Lambda entry point (meeting_api.handler.lambda_handler): observability around the API's resolver."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from calls.tracing import traced
from meeting_api import runtime
from meeting_api.api import app
from meeting_api.observability import logger, metrics, tracer

if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    runtime.current()  # validate settings, create clients during init: bad configuration fails the cold start


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@traced(tracer, capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # CORS is API Gateway's (stacks/meeting_api/api.py): it ignores CORS headers an integration returns.
    return app.resolve(event, context)
