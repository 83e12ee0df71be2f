"""docs/openapi.json is generated from the resolver; it must not drift from the code the web client calls."""

from __future__ import annotations

import json
from pathlib import Path

from meeting_api.openapi import openapi_json

DOCUMENT = Path(__file__).parents[4] / "docs" / "openapi.json"
REFRESH = "PYTHONPATH=lambdas .venv/bin/python -m meeting_api.openapi > docs/openapi.json"


def test_the_committed_document_is_current() -> None:
    assert DOCUMENT.exists(), f"docs/openapi.json is missing; generate it: {REFRESH}"
    assert DOCUMENT.read_text() == openapi_json(), f"docs/openapi.json is stale; refresh it: {REFRESH}"


def test_the_document_lists_every_route_with_its_errors_in_one_shape() -> None:
    document = json.loads(openapi_json())
    operations = {
        f"{method.upper()} {path}": operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    assert sorted(operations) == [
        "DELETE /meetings/{meeting_id}",
        "GET /calls",
        "GET /calls/{call_id}",
        "GET /health",
        "POST /calls",
        "POST /calls/{call_id}/answer",
        "POST /calls/{call_id}/hangup",
        "POST /calls/{call_id}/leave",
        "POST /calls/{call_id}/transfer",
        "POST /meetings",
        "POST /realtime/session",
    ]
    error_schema = {"$ref": "#/components/schemas/ErrorResponse"}
    for reference in {
        part.split('"')[0] for part in json.dumps(document).split('"#/components/schemas/')[1:]
    }:
        assert reference in document["components"]["schemas"], reference
    for name, operation in operations.items():
        assert "422" not in operation["responses"], name
        for status, answer in operation["responses"].items():
            if int(status) >= 400:
                assert answer["content"]["application/json"]["schema"] == error_schema, (name, status)
        assert "500" in operation["responses"], name
        if name != "GET /health":
            assert "401" in operation["responses"], name
            assert "403" in operation["responses"], name  # an unverified e-mail
    assert operations["GET /health"]["security"] == [{}]
