"""The environment contract with the stack: parsed once, defaults where safe, every bad variable named."""

from __future__ import annotations

from typing import Any

import pytest

from calls.phone_numbers import DialPolicy
from meeting_api.settings import ConfigurationError, Settings
from tests.unit.lambdas.meeting_api.harness import REQUIRED_ENV as REQUIRED


def test_the_required_variables_suffice_and_the_rest_take_defaults() -> None:
    settings = Settings.from_env({**REQUIRED, "POWERTOOLS_SERVICE_NAME": "ignored", "PATH": "/bin"})
    assert settings.azure_openai_endpoint == "https://myres.openai.azure.com"
    assert settings.azure_openai_voice == "marin"
    assert settings.azure_openai_transcription_model == "whisper-1"
    assert settings.dial_policy == DialPolicy()
    assert not settings.outbound_enabled
    assert settings.outbound_calls_per_agent_per_hour == 20
    assert settings.call_retention.days == 90


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            **REQUIRED,
            "AZURE_OPENAI_VOICE": "cedar",
            "AZURE_OPENAI_INSTRUCTIONS": "Be brief.",
            "AZURE_OPENAI_TRANSCRIPTION_MODEL": "",
            "DIAL_POLICY": '{"countries":["US"],"allowedPrefixes":["+4420"]}',
            "OUTBOUND_CALLS_PER_AGENT_PER_HOUR": "5",
            "CALL_RETENTION_DAYS": "7",
        }
    )
    assert (settings.azure_openai_voice, settings.azure_openai_instructions) == ("cedar", "Be brief.")
    assert settings.azure_openai_transcription_model == ""
    assert settings.dial_policy == DialPolicy(countries=frozenset({"US"}), allowed_prefixes=("+4420",))
    assert settings.outbound_enabled
    assert settings.outbound_calls_per_agent_per_hour == 5
    assert settings.call_retention.days == 7


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"CALLS_TABLE_NAME": None}, "CALLS_TABLE_NAME"),
        ({"CALLS_TABLE_NAME": ""}, "CALLS_TABLE_NAME"),
        ({"SMA_ID": "my-sma"}, "SMA_ID"),
        ({"PHONE_NUMBER": "2065550100"}, "PHONE_NUMBER"),
        ({"MEETING_REGION": "virginia"}, "MEETING_REGION"),
        ({"AZURE_OPENAI_ENDPOINT": "http://myres.openai.azure.com"}, "AZURE_OPENAI_ENDPOINT"),
        ({"AZURE_OPENAI_ENDPOINT": "https://myres.openai.azure.com/openai/v1"}, "AZURE_OPENAI_ENDPOINT"),
        ({"AZURE_OPENAI_SECRET_ARN": "azure-openai"}, "AZURE_OPENAI_SECRET_ARN"),
        ({"PHONE_NUMBER": "+１２０６５５５０１００"}, "PHONE_NUMBER"),  # noqa: RUF001
        ({"DIAL_POLICY": '{"countries": ["XX"]}'}, "DIAL_POLICY: .*countries: 'XX'"),
        ({"DIAL_POLICY": '{"allowedPrefixes": ["+1"]}'}, "DIAL_POLICY: .*whole calling code"),
        ({"DIAL_POLICY": "+1,+44"}, "DIAL_POLICY: .*JSON"),
        ({"OUTBOUND_CALLS_PER_AGENT_PER_HOUR": "0"}, "OUTBOUND_CALLS_PER_AGENT_PER_HOUR"),
        ({"OUTBOUND_CALLS_PER_DAY": "0"}, "OUTBOUND_CALLS_PER_DAY"),
        ({"REALTIME_SESSIONS_PER_AGENT_PER_HOUR": "-1"}, "REALTIME_SESSIONS_PER_AGENT_PER_HOUR"),
        ({"REALTIME_SECRET_SECONDS": "5"}, "REALTIME_SECRET_SECONDS"),
        ({"REALTIME_SECRET_SECONDS": "7201"}, "REALTIME_SECRET_SECONDS"),
        ({"CALL_RETENTION_DAYS": "forever"}, "CALL_RETENTION_DAYS"),
    ],
)
def test_a_bad_environment_fails_naming_the_variable(changes: dict[str, Any], named: str) -> None:
    environ = {**REQUIRED, **changes}
    with pytest.raises(ConfigurationError, match=named):
        Settings.from_env({key: value for key, value in environ.items() if value is not None})


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ConfigurationError) as error:
        Settings.from_env({})
    # PHONE_NUMBER is one of two alternatives, checked once the fields themselves are valid (below).
    for name in set(REQUIRED) - {"AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT", "PHONE_NUMBER"}:
        assert name in str(error.value)


def test_our_number_must_come_from_somewhere() -> None:
    environ = {name: value for name, value in REQUIRED.items() if name != "PHONE_NUMBER"}
    with pytest.raises(ConfigurationError, match="exactly one of PHONE_NUMBER and PHONE_NUMBER_PARAMETER"):
        Settings.from_env(environ)


def test_without_an_azure_endpoint_the_assistant_is_off_but_the_api_starts() -> None:
    environ = {**REQUIRED, "AZURE_OPENAI_ENDPOINT": "", "AZURE_OPENAI_DEPLOYMENT": ""}
    assert not Settings.from_env(environ).azure_configured
    with pytest.raises(ConfigurationError, match="AZURE_OPENAI_DEPLOYMENT"):
        Settings.from_env({**REQUIRED, "AZURE_OPENAI_DEPLOYMENT": ""})


def test_a_local_http_endpoint_is_allowed_for_the_offline_fakes() -> None:
    settings = Settings.from_env({**REQUIRED, "AZURE_OPENAI_ENDPOINT": "http://127.0.0.1:8123"})
    assert settings.azure_openai_endpoint == "http://127.0.0.1:8123"
