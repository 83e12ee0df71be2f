"""Outbound calling spends money: synth refuses it without MFA and without someone to receive its alarms."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.settings import SettingsError, settings_from_context

BASE = {"phoneAreaCode": "206"}
OUTBOUND = {**BASE, "outboundAllowedCountries": "US", "alarmEmail": "ops@example.com"}


def refusal(context: dict[str, Any]) -> str:
    with pytest.raises(SettingsError) as error:
        settings_from_context(context)
    message = str(error.value)
    assert "\n" not in message
    return message


def test_outbound_is_off_by_default_and_mfa_then_defaults_to_optional() -> None:
    settings = settings_from_context(BASE)
    assert settings.outbound_enabled is False
    assert settings.agents.mfa == "optional"
    assert settings.alarm_email is None


def test_enabling_outbound_makes_mfa_required_by_default() -> None:
    settings = settings_from_context(OUTBOUND)
    assert settings.outbound_enabled is True
    assert settings.agents.mfa == "required"


@pytest.mark.parametrize("mfa", ["optional", "off"])
def test_outbound_with_mfa_not_required_is_refused_naming_mfa(mfa: str) -> None:
    message = refusal({**OUTBOUND, "mfa": mfa})
    assert message.startswith(f'setting mfa="{mfa}": must be required while outbound calling is enabled')


def test_outbound_without_an_alarm_email_is_refused_naming_alarm_email() -> None:
    message = refusal({**BASE, "outboundAllowedCountries": "US"})
    assert message.startswith("setting alarmEmail=null: is required while outbound calling is enabled")


def test_without_outbound_mfa_may_stay_optional_and_alarms_unaddressed() -> None:
    settings = settings_from_context({**BASE, "mfa": "off"})
    assert settings.agents.mfa == "off"


def test_caps_and_the_azure_secret_lifetime_have_safe_defaults() -> None:
    agents = settings_from_context(BASE).agents
    assert agents.outbound_calls_per_day == 200
    assert agents.realtime_sessions_per_agent_per_hour == 30
    assert agents.realtime_secret_seconds == 60


def test_caps_and_lifetime_read_from_the_command_line() -> None:
    agents = settings_from_context(
        {
            **BASE,
            "outboundCallsPerDay": "50",
            "realtimeSessionsPerAgentPerHour": "5",
            "realtimeSecretSeconds": "0",
        }
    ).agents
    assert (agents.outbound_calls_per_day, agents.realtime_sessions_per_agent_per_hour) == (50, 5)
    assert agents.realtime_secret_seconds == 0
