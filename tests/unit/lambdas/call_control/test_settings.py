"""Settings are read once and every bad variable is named, so a broken deployment says what to fix."""

from __future__ import annotations

from datetime import timedelta

import pytest

from call_control.settings import SettingsError, load_settings
from calls.phone_numbers import DialPolicy
from calls.regions import DEFAULT_CONTROL_REGION

BASE = {"CALLS_TABLE_NAME": "calls", "MEETING_REGION": "us-east-1", "AWS_REGION": "us-east-1"}


def test_defaults() -> None:
    settings = load_settings(BASE)
    assert settings.wait_timeout == timedelta(seconds=300)
    assert settings.retention == timedelta(days=90)
    assert (settings.voice.voice_id, settings.voice.language_code) == ("Joanna", "en-US")
    assert settings.greeting.text is None and settings.greeting.audio_bucket is None
    assert settings.control_region == "us-east-1"
    assert settings.sma_id is None


def test_a_region_without_a_meetings_endpoint_uses_the_default_control_region() -> None:
    settings = load_settings({**BASE, "AWS_REGION": "eu-west-1", "MEETING_REGION": "eu-west-1"})
    assert settings.control_region == DEFAULT_CONTROL_REGION
    assert settings.media_region == "eu-west-1"


def test_a_region_with_a_meetings_endpoint_is_its_own_control_region() -> None:
    settings = load_settings({**BASE, "AWS_REGION": "eu-west-2", "MEETING_REGION": "eu-west-2"})
    assert settings.control_region == "eu-west-2"


def test_an_audio_greeting_replaces_the_spoken_one() -> None:
    settings = load_settings(
        {
            **BASE,
            "GREETING_TEXT": "Hello",
            "GREETING_AUDIO_BUCKET": "greetings",
            "GREETING_AUDIO_KEY": "hi.wav",
        }
    )
    assert settings.greeting.audio_key == "hi.wav" and settings.greeting.text is None


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(
            {
                "MEETING_REGION": "mars-1",
                "WAIT_TIMEOUT_SECONDS": "soon",
                "CALL_RETENTION_DAYS": "0",
                "GREETING_AUDIO_BUCKET": "only-the-bucket",
                "GREETING_VOICE": "joanna!",
                "APOLOGY_MESSAGE": "x" * 1001,
                "MEETINGS_CONTROL_REGION": "eu-west-1",
            }
        )
    problems = " ".join(refused.value.problems)
    for name in (
        "CALLS_TABLE_NAME",
        "MEETING_REGION",
        "WAIT_TIMEOUT_SECONDS",
        "CALL_RETENTION_DAYS",
        "GREETING_AUDIO_KEY",
        "GREETING_VOICE",
        "APOLOGY_MESSAGE",
        "MEETINGS_CONTROL_REGION",
    ):
        assert name in problems


def test_the_dial_policy_is_read_with_the_policy_modules_parser() -> None:
    assert load_settings(BASE).dial_policy == DialPolicy()  # unset: every transfer is refused
    settings = load_settings({**BASE, "DIAL_POLICY": '{"countries":["US"],"allowedPrefixes":["+1876"]}'})
    assert settings.dial_policy == DialPolicy(countries=frozenset({"US"}), allowed_prefixes=("+1876",))


@pytest.mark.parametrize("value", ["+1,+44", '{"countries": ["XX"]}', '{"allowedPrefixes": ["+1"]}'])
def test_a_bad_dial_policy_is_named(value: str) -> None:
    with pytest.raises(SettingsError, match="DIAL_POLICY"):
        load_settings({**BASE, "DIAL_POLICY": value})
