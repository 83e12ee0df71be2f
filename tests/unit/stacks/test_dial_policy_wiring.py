"""The deploy settings' dial policy reaches every Lambda that dials, in the one form the module parses."""

from __future__ import annotations

from typing import Any

from calls.phone_numbers import ENV_VAR, DialPolicy
from stacks.settings import settings_from_context
from tests.unit.stacks.conftest import CDK_CONTEXT, Synthesized
from tests.unit.stacks.test_telephony_stack import function_by_handler

DIALLERS = {
    "meeting-api": "meeting_api.handler.lambda_handler",  # places calls, requests transfers
    "telephony": "call_control.handler.lambda_handler",  # performs transfers
}


def policies(app: Synthesized) -> dict[str, DialPolicy]:
    found = {}
    for part, handler in DIALLERS.items():
        _, function = function_by_handler(app.raw(part), handler)
        found[handler] = DialPolicy.from_json(function["Properties"]["Environment"]["Variables"][ENV_VAR])
    return found


def test_by_default_no_lambda_may_dial(default_app: Synthesized) -> None:
    assert set(policies(default_app).values()) == {DialPolicy()}


def test_both_lambdas_get_the_policy_the_settings_describe(synth_cache: Any) -> None:
    outbound = {
        "outboundAllowedCountries": "US,CA",
        "outboundAllowedPrefixes": "+1876",
        "outboundDeniedPrefixes": "+1206555",
        "outboundAllowedNumberTypes": "FIXED_LINE_OR_MOBILE,MOBILE",
        "alarmEmail": "ops@example.com",
    }
    expected = settings_from_context({**CDK_CONTEXT, **outbound}).agents.dial_policy
    assert expected.enabled
    assert set(policies(synth_cache(**outbound)).values()) == {expected}
