"""The decision tests' shared pieces: settings, a call record in a given state, an event decided alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from call_control.attributes import CallAttributes
from call_control.events import parse_event
from call_control.logic.decision import CallState, Decision
from call_control.logic.dispatch import decide as decide_event
from call_control.settings import Settings, load_settings
from calls.phone_numbers import DialPolicy
from calls.record import CallRecord, CallStatus, Direction
from tests.unit.lambdas.call_control.harness import T0, load_event

TX = "2a4a3c1d-6b7e-4f0a-9a3b-1c2d3e4f5a6b"
OUTBOUND_ID = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"
CALLER_LEG = "c70f341a-adde-4406-9dea-1e01d34d033d"
MEETING_LEG = "e3a1f7c2-5d4b-4c8e-9f6a-2b3c4d5e6f70"


def decision_settings() -> Settings:
    return load_settings(
        {
            "CALLS_TABLE_NAME": "calls",
            "MEETING_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "TIMEOUT_MESSAGE": "Nobody is free, goodbye.",
            "APOLOGY_MESSAGE": "Sorry, goodbye.",
            "DIAL_POLICY": DialPolicy(countries=frozenset({"US", "CA"})).to_json(),
        }
    )


def record(status: CallStatus, **fields: Any) -> CallRecord:
    direction = fields.pop("direction", Direction.INBOUND)
    return CallRecord.new(
        call_id=OUTBOUND_ID if direction is Direction.OUTBOUND else TX,
        direction=direction,
        from_number="+12065550100",
        to_number="+12065550199",
        status=status,
        now=T0,
        transaction_id=TX,
        meeting_id="0d1b8f2e-3c4a-4b5d-8e6f-7a8b9c0d1e2f",
        **fields,
    )


def decide(name: str, current: CallRecord | None, settings: Settings, **changes: Any) -> Decision:
    """The fixture event `name` (with `changes`), decided 30 s after T0 with `current` as the record."""
    event = parse_event(load_event(name, **changes))
    state = CallState(CallAttributes.from_map(event.attributes), current, T0 + timedelta(seconds=30))
    return decide_event(event, state, settings)


def kinds(decision: Decision) -> list[str]:
    return [action["Type"] for action in decision.actions]
