"""Each custom-resource provider function is granted exactly the AWS actions its own code can reach."""

from __future__ import annotations

from typing import Any

import pytest

from telephony_provider.iam import (
    LOG_DELIVERY_ACTIONS,
    SIP_MEDIA_APPLICATION_ACTIONS,
    VOICE_CONNECTOR_ACTIONS,
)
from tests.unit.stacks.conftest import Synthesized
from tests.unit.stacks.provider_calls import reachable, reachable_actions
from tests.unit.stacks.test_telephony_stack import actions_of, function_by_handler, policy_statements

# Every function's runtime plumbing (its own log group, X-Ray), granted by python_function, not by its code.
RUNTIME = {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def _statements(app: Synthesized, entry_point: str) -> list[dict[str, Any]]:
    template = app.raw("telephony")
    _, function = function_by_handler(template, f"telephony_provider.handler.{entry_point}")
    return policy_statements(template, function["Properties"]["Role"]["Fn::GetAtt"][0])


def _expected(entry_point: str) -> set[str]:
    actions = reachable_actions(entry_point)
    # PutVoiceConnectorLoggingConfiguration sets up vended-log delivery as the caller (dependent actions).
    if "chime:PutVoiceConnectorLoggingConfiguration" in actions:
        actions |= LOG_DELIVERY_ACTIONS
    return actions


@pytest.mark.parametrize("entry_point", ["on_event", "is_complete"])
def test_each_provider_function_is_granted_what_its_code_calls_and_nothing_else(
    entry_point: str, default_app: Synthesized
) -> None:
    granted = actions_of(_statements(default_app, entry_point)) - RUNTIME
    assert granted == _expected(entry_point)


def test_is_complete_only_reads_phone_number_orders() -> None:
    assert reachable_actions("is_complete") == {"chime:GetPhoneNumberOrder", "chime:GetPhoneNumber"}


def test_voice_connector_and_sma_actions_are_scoped_to_their_resource_type(default_app: Synthesized) -> None:
    for statement in _statements(default_app, "on_event"):
        actions = set(actions_of([statement]))
        if actions & (VOICE_CONNECTOR_ACTIONS | SIP_MEDIA_APPLICATION_ACTIONS):
            suffix = ":vc/*" if actions <= VOICE_CONNECTOR_ACTIONS else ":sma/*"
            assert actions <= VOICE_CONNECTOR_ACTIONS or actions <= SIP_MEDIA_APPLICATION_ACTIONS
            assert str(statement["Resource"]["Fn::Join"][1][-1]).endswith(suffix), statement


def test_the_call_graph_sees_a_call_added_anywhere_in_the_package() -> None:
    """Guard against a vacuous analysis: phone_number's is_complete path really is followed."""
    on_event = reachable_actions("on_event")
    assert {
        "chime:CreateSipRule",
        "chime:PutVoiceConnectorOrigination",
        "iam:CreateServiceLinkedRole",
    } <= on_event
    assert "chime:GetPhoneNumberOrder" not in on_event


def test_the_call_graph_follows_the_properties_package_to_each_parser_and_its_reader() -> None:
    """The parsers live in a subpackage and reach the handler through its re-exports: both are followed."""
    on_event = reachable("on_event")
    assert {
        ("properties.phone_number", "parse_phone_number"),
        ("properties.voice_connector", "parse_voice_connector_settings"),
        ("properties.sip_media_application", "parse_preflight"),
        ("properties.reader", "PropertyReader"),
    } <= on_event
    assert ("properties.phone_number", "parse_phone_number") in reachable("is_complete")
