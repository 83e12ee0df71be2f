"""The OpenAPI document, generated from the resolver: `python -m meeting_api.openapi > docs/openapi.json`."""

from __future__ import annotations

import json
import sys

from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from meeting_api.api import app

TITLE = "AI phone line: meeting API"
VERSION = "1.0.0"


# Powertools documents its own 422 validation answer; this API answers validation failures with 400 instead,
# and every route documents its 500 in the common error shape.
_UNUSED_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")
_INTERNAL_ERROR = {
    "description": "Internal Server Error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
}


def openapi_json() -> str:
    document = json.loads(
        app.get_openapi_json_schema(
            title=TITLE,
            version=VERSION,
            description=(
                "Agents list, answer, place and control phone calls, join their Chime SDK meetings and mint "
                "Azure OpenAI Realtime credentials. All routes but GET /health need the Cognito ID token "
                "of a signed-in agent. "
                'Errors are always {"error": {"code": "snake_case", "message": "..."}}.'
            ),
            security_schemes={"cognito": HTTPBearer(bearerFormat="JWT")},
            security=[{"cognito": []}],
        )
    )
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["responses"].pop("422", None)
            operation["responses"]["500"] = _INTERNAL_ERROR
    for name in _UNUSED_SCHEMAS:
        document["components"]["schemas"].pop(name, None)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(openapi_json())
