"""Helpers for the call-control tests: real-shaped events, a settable clock, the handler as the SMA calls it."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from call_control import handler
from simulator.sma_contract import check_response

EVENTS = Path(__file__).resolve().parents[3] / "events" / "sma"
T0 = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)


@cache
def _fixture(name: str) -> str:
    return (EVENTS / f"{name}.json").read_text()


def load_event(name: str, **changes: Any) -> dict[str, Any]:
    """A fixture event (a fresh copy); `transaction_id` / `attributes` / `arguments` replace those parts."""
    event: dict[str, Any] = json.loads(_fixture(name))
    details = event["CallDetails"]
    if "transaction_id" in changes:
        details["TransactionId"] = changes.pop("transaction_id")
    if "attributes" in changes:
        attributes = changes.pop("attributes")
        if attributes is None:
            details.pop("TransactionAttributes", None)
        else:
            details["TransactionAttributes"] = attributes
    if "arguments" in changes:
        event["ActionData"]["Parameters"]["Arguments"] = changes.pop("arguments")
    if "caller" in changes:
        details["Participants"][0]["From"] = changes.pop("caller")
    if changes:
        raise TypeError(f"unknown changes {sorted(changes)}")
    return event


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


class Context:
    function_name = "call-control"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:call-control"
    log_group_name = "/aws/lambda/call-control"
    log_stream_name = "test"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


def invoke(event: Any) -> dict[str, Any]:
    """Call the Lambda as the SMA does and insist the answer is one the SMA accepts."""
    response = handler.lambda_handler(copy.deepcopy(event), Context())
    assert check_response(response) == [], response
    json.dumps(response)  # the SMA gets JSON
    return response


def types(response: dict[str, Any]) -> list[str]:
    return [action["Type"] for action in response["Actions"]]


def action(response: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(item["Parameters"] for item in response["Actions"] if item["Type"] == kind)
