"""Cold start: Lambda's init builds call control's clients (every new call needs both) without any network."""

from __future__ import annotations

from calls.phone_numbers import DialPolicy
from tests.unit.lambdas.lambda_init import lambda_init

ENV = {"CALLS_TABLE_NAME": "calls", "MEETING_REGION": "us-east-1"}


def test_lambda_init_creates_its_two_clients_offline_with_tracing_on() -> None:
    used = lambda_init("call_control.handler", ENV)
    assert sorted(used.clients) == ["chime-sdk-meetings", "dynamodb"]


def test_validating_the_transfer_dial_policy_at_init_loads_no_region_metadata() -> None:
    policy = DialPolicy.from_json('{"countries": ["US", "GB"]}').to_json()
    assert lambda_init("call_control.handler", {**ENV, "DIAL_POLICY": policy}).phone_metadata == []
