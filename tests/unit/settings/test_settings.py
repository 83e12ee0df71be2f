"""Every deploy setting: defaults, the forms the CLI passes (strings) and the bad values synth refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stacks.settings import DEFAULTS, SettingsError, settings_from_context

REPO = Path(__file__).resolve().parents[3]


CDK_JSON = json.loads((REPO / "cdk.json").read_text())["context"]
PHONE_KEYS = {"phoneNumber", "phoneTollFreePrefix", "phoneAreaCode", "phoneNumberType"}


def with_defaults(context: dict[str, Any]) -> dict[str, Any]:
    """The shipped cdk.json settings overridden by `context` (its phone choice replaced if `context` has one)."""
    base = {
        key: value for key, value in CDK_JSON.items() if not (PHONE_KEYS & set(context) and key in PHONE_KEYS)
    }
    return {**base, **context}


def test_defaults_order_a_local_us_number_in_us_east_1_and_keep_it() -> None:
    settings = settings_from_context(CDK_JSON)
    assert settings.region == "us-east-1"
    assert settings.meeting_region == "us-east-1"
    assert settings.prefix == "phoneline"
    assert settings.phone.mode == "order"
    assert (settings.phone.country, settings.phone.number_type) == ("US", "Local")
    assert settings.phone.release_on_delete is False
    assert settings.voice_connector.require_encryption is True
    assert settings.voice_connector.termination_cidrs == ()
    assert not settings.agents.outbound_enabled  # outbound calling is off until allowed
    assert settings.azure.endpoint is None


def test_without_cdk_json_the_area_code_is_the_one_thing_to_choose() -> None:
    with pytest.raises(
        SettingsError, match=r"^setting phoneAreaCode=null: is required to order a Local US number"
    ):
        settings_from_context({})


def test_command_line_strings_are_parsed() -> None:
    settings = settings_from_context(
        {
            "region": "us-west-2",
            "meetingRegion": "us-east-2",
            "phoneAreaCode": "206",
            "releaseNumberOnDelete": "true",
            "voiceConnectorEncryption": "false",
            "terminationCidrs": "203.0.113.0/28, 198.51.100.7/32",
            "terminationCallingRegions": '["US", "CA"]',
            "waitTimeoutSeconds": "120",
            "agentEmails": "ann@example.com,bob@example.com",
            "outboundAllowedCountries": "US,GB",
            "alarmEmail": "ops@example.com",
            "azureOpenAiEndpoint": "https://my-res.openai.azure.com/",
        }
    )
    assert settings.region == "us-west-2"
    assert settings.meeting_region == "us-east-2"
    assert settings.phone.area_code == "206"
    assert settings.phone.release_on_delete is True
    assert settings.voice_connector.require_encryption is False
    assert settings.voice_connector.termination_cidrs == ("203.0.113.0/28", "198.51.100.7/32")
    assert settings.voice_connector.termination_calling_regions == ("US", "CA")
    assert settings.call_control.wait_timeout_seconds == 120
    assert settings.agents.emails == ("ann@example.com", "bob@example.com")
    assert settings.agents.dial_policy.countries == {"US", "GB"}
    assert settings.azure.endpoint == "https://my-res.openai.azure.com"


def test_an_existing_number_is_adopted_and_never_released() -> None:
    settings = settings_from_context({"phoneNumber": "+12065550100"})
    assert settings.phone.mode == "existing"
    assert settings.phone.existing == "+12065550100"
    assert settings.phone.release_on_delete is False


def test_the_greeting_language_follows_the_voice() -> None:
    assert (
        settings_from_context(with_defaults({"greetingVoice": "Lea"})).call_control.greeting_language
        == "fr-FR"
    )
    assert settings_from_context(CDK_JSON).call_control.greeting_language == "en-US"


def test_toll_free_prefix_implies_toll_free() -> None:
    settings = settings_from_context(with_defaults({"phoneTollFreePrefix": "888"}))
    assert settings.phone.number_type == "TollFree"


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"region": "eu-north-1"}, "region", "exist only in"),
    ({"region": "mars-1"}, "region", "exist only in"),
    ({"meetingRegion": "xx-1"}, "meetingRegion", "must be one of"),
    ({"prefix": "Phone Line"}, "prefix", "lowercase"),
    ({"prefix": "a"}, "prefix", "3-20"),
    ({"account": "12345"}, "account", "12-digit"),
    ({"phoneNumber": "2065550100"}, "phoneNumber", "E.164"),
    ({"phoneNumber": "+0123"}, "phoneNumber", "E.164"),
    ({"phoneNumber": "+12065550100", "phoneAreaCode": "206"}, "phoneAreaCode", "either use an existing"),
    (
        {"phoneNumber": "+12065550100", "releaseNumberOnDelete": True},
        "releaseNumberOnDelete",
        "never released",
    ),
    ({"phoneCountry": "ZZZ"}, "phoneCountry", "two-letter"),
    ({"phoneCountry": "DE"}, "phoneCountry", "only in US, CA"),
    ({"phoneAreaCode": "06"}, "phoneAreaCode", "3-digit"),
    ({"phoneAreaCode": "206", "phoneTollFreePrefix": "800"}, "phoneTollFreePrefix", "choose one"),
    ({"phoneTollFreePrefix": "123"}, "phoneTollFreePrefix", "must be one of"),
    ({"phoneNumberType": "Mobile"}, "phoneNumberType", "must be one of"),
    ({"phoneNumberType": "TollFree"}, "phoneTollFreePrefix", "required for TollFree"),
    ({"phoneNumberType": "Local"}, "phoneAreaCode", "required to order a Local US number"),
    ({"phoneAreaCode": "206", "phoneNumberType": "TollFree"}, "phoneNumberType", "must be Local"),
    ({"releaseNumberOnDelete": "maybe"}, "releaseNumberOnDelete", "true or false"),
    ({"voiceConnectorEncryption": 3}, "voiceConnectorEncryption", "true or false"),
    ({"terminationCidrs": "10.0.0.0/8"}, "terminationCidrs", "too wide"),
    ({"terminationCidrs": "not-an-ip"}, "terminationCidrs", "not an IPv4 CIDR"),
    ({"terminationCallingRegions": "USA"}, "terminationCallingRegions", "two-letter"),
    ({"terminationCpsLimit": "0"}, "terminationCpsLimit", "from 1 to 100"),
    ({"originationRoutes": '[{"port": 5060}]'}, "originationRoutes", '"host"'),
    ({"originationRoutes": '[{"host": "pbx", "protocol": "TLS"}]'}, "originationRoutes", "TCP, UDP"),
    ({"originationRoutes": "[oops"}, "originationRoutes", "not a valid JSON list"),
    ({"sipLogging": "on"}, "sipLogging", "true or false"),
    (
        {"mediaMetricsLogging": None, "sipLogging": "no", "region": "us-west-2", "x": 1},
        "x",
        "unknown setting",
    ),
    ({"mediaMetricsLogging": "enabled"}, "mediaMetricsLogging", "true or false"),
    ({"waitTimeoutSeconds": "ten"}, "waitTimeoutSeconds", "whole number"),
    ({"waitTimeoutSeconds": 5}, "waitTimeoutSeconds", "from 30 to 3600"),
    ({"callRetentionDays": 0}, "callRetentionDays", "from 1 to 3650"),
    ({"greetingVoice": "joanna!"}, "greetingVoice", "must be one of Ivy, Joanna"),
    ({"greetingVoice": "Ruth"}, "greetingVoice", "must be one of"),  # neural-only: Speak would fail
    ({"greetingText": "x" * 1001}, "greetingText", "at most 1000"),
    ({"azureOpenAiEndpoint": "http://my-res.openai.azure.com"}, "azureOpenAiEndpoint", "resource URL"),
    ({"azureOpenAiEndpoint": "https://evil.example.com"}, "azureOpenAiEndpoint", "resource URL"),
    ({"azureOpenAiDeployment": "has space"}, "azureOpenAiDeployment", "deployment name"),
    ({"azureOpenAiVoice": "robot"}, "azureOpenAiVoice", "must be one of"),
    ({"azureOpenAiInstructions": "   "}, "azureOpenAiInstructions", "non-empty"),
    ({"azureOpenAiInstructions": "x" * 2001}, "azureOpenAiInstructions", "at most 2000"),
    ({"azureOpenAiTranscriptionModel": "whisper 1"}, "azureOpenAiTranscriptionModel", "deployment name"),
    ({"azureOpenAiSecretArn": "my-secret"}, "azureOpenAiSecretArn", "secret ARN"),
    ({"agentEmails": "ann@example.com,not-an-email"}, "agentEmails", "not an e-mail"),
    ({"agentEmails": "ann@example.com,ann@example.com"}, "agentEmails", "twice"),
    ({"mfa": "sometimes"}, "mfa", "must be one of"),
    ({"outboundAllowedPrefixes": "1"}, "outboundAllowedPrefixes", "+ and ASCII digits"),
    ({"outboundAllowedCountries": "XX"}, "outboundAllowedCountries", "ISO 3166"),
    ({"outboundDeniedPrefixes": "+"}, "outboundDeniedPrefixes", "+ and ASCII digits"),
    ({"outboundAllowedNumberTypes": "CHEAP"}, "outboundAllowedNumberTypes", "not a number type"),
    ({"outboundCallsPerAgentPerHour": "0"}, "outboundCallsPerAgentPerHour", "from 1 to 1000"),
    ({"alarmEmail": "ops"}, "alarmEmail", "e-mail address"),
    ({"outboundCallsPerDay": "0"}, "outboundCallsPerDay", "from 1 to 2000"),
    ({"realtimeSessionsPerAgentPerHour": "many"}, "realtimeSessionsPerAgentPerHour", "whole number"),
    ({"realtimeSecretSeconds": 5}, "realtimeSecretSeconds", "from 10 to 7200"),
    ({"phoneAreacode": "206"}, "phoneAreacode", "did you mean phoneAreaCode"),
]


@pytest.mark.parametrize(
    ("context", "key", "fragment"), BAD, ids=[f"{case[1]}-{i}" for i, case in enumerate(BAD)]
)
def test_a_bad_setting_fails_with_one_line_naming_it(
    context: dict[str, Any], key: str, fragment: str
) -> None:
    with pytest.raises(SettingsError) as error:
        settings_from_context(with_defaults(context))
    message = str(error.value)
    assert message.startswith(f"setting {key}")
    assert fragment in message
    assert "\n" not in message


def test_every_setting_with_a_bad_case_is_covered() -> None:
    covered = {key for _, key, _ in BAD}
    untested = set(DEFAULTS) - covered
    assert untested == set(), f"no bad-input test for {sorted(untested)}"


def test_cdk_foreign_context_keys_are_not_settings() -> None:
    settings_from_context(
        {
            "phoneAreaCode": "206",
            "@aws-cdk/core:newStyleStackSynthesis": True,
            "aws:cdk:enable-path-metadata": True,
        }
    )


@pytest.mark.synth
def test_synth_stops_with_the_message_and_a_nonzero_exit() -> None:
    env = dict(
        os.environ,
        CDK_CONTEXT_JSON=json.dumps({"phoneAreaCode": "12"}),
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="1",
    )
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        'error: setting phoneAreaCode="12": must be a 3-digit area code such as 206'
    )
