"""The synthesized names follow the prefix, and each one is the deploy settings' (one home per name)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from stacks.settings import settings_from_context
from tests.unit.stacks.conftest import CDK_CONTEXT, VARIANT_CONTEXT, Synthesized

ACCOUNT = "<AWS::AccountId>"


def strings(value: Any) -> Iterator[str]:
    """Every string of a template; an Fn::Join as one string, the account id shown as <AWS::AccountId>."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict) and set(value) == {"Fn::Join"}:
        yield rendered(value)
        for part in value["Fn::Join"][1]:
            if not isinstance(part, str):
                yield from strings(part)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def rendered(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value == {"Ref": "AWS::AccountId"}:
        return ACCOUNT
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return str(separator).join(rendered(part) for part in parts)
    return "<token>"


def test_every_prefixed_name_is_one_the_settings_give(variant_app: Synthesized) -> None:
    settings = settings_from_context({**CDK_CONTEXT, **VARIANT_CONTEXT})
    names = {
        settings.calls_metrics_namespace,
        settings.api_metrics_namespace,
        settings.phone_number_parameter_name,
        settings.telephony_dashboard_name,
        settings.api_dashboard_name,
        settings.sip_media_application_name,
        settings.voice_connector_name,
        settings.events_api_name,
        settings.number_sip_rule_name,
        settings.trunk_sip_rule_name,
        settings.site_bucket_name(ACCOUNT),
        settings.cognito_domain_prefix(ACCOUNT),
    }
    found = {text for template in variant_app.templates.values() for text in strings(template)}
    assert names <= found, sorted(names - found)
    stacks = {settings.stack_name(part) for part in variant_app.templates}
    elsewhere = sorted(
        text
        for text in found
        if "line-b" in text
        and text != settings.prefix  # the app-prefix tag, the preflight's name prefix
        and text != VARIANT_CONTEXT["azureOpenAiSecretArn"]
        and not any(name in text for name in names | stacks)
    )
    assert not elsewhere, "prefixed names not built by the settings: " + ", ".join(elsewhere)


def test_no_name_keeps_the_default_prefix(variant_app: Synthesized) -> None:
    assert "phoneline" not in json.dumps(variant_app.templates)
