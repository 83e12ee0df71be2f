"""The outbound settings: countries, prefix exceptions and number types become one DialPolicy, or synth stops."""

from __future__ import annotations

from typing import Any

import pytest

from calls.phone_numbers import DEFAULT_NUMBER_TYPES, DestinationRefused, DialPolicy, NumberType
from stacks.settings import SettingsError, settings_from_context
from tests.unit.settings.test_settings import with_defaults


def policy(**context: Any) -> DialPolicy:
    # Outbound calling needs someone to hear its alarms (test_outbound_safety.py).
    return settings_from_context(
        with_defaults({"alarmEmail": "ops@example.com", **context})
    ).agents.dial_policy


def test_outbound_is_off_by_default() -> None:
    assert policy() == DialPolicy()
    assert not settings_from_context(with_defaults({})).agents.outbound_enabled


def test_countries_prefixes_and_types_from_the_command_line() -> None:
    read = policy(
        outboundAllowedCountries="US,CA",
        outboundAllowedPrefixes="+1876, +1900555",
        outboundDeniedPrefixes='["+1206555"]',
        outboundAllowedNumberTypes="FIXED_LINE,MOBILE,FIXED_LINE_OR_MOBILE",
    )
    assert read == DialPolicy(
        countries=frozenset({"US", "CA"}),
        allowed_prefixes=("+1876", "+1900555"),
        denied_prefixes=("+1206555",),
        number_types=frozenset({NumberType.FIXED_LINE, NumberType.MOBILE, NumberType.FIXED_LINE_OR_MOBILE}),
    )
    with pytest.raises(DestinationRefused):
        read.check("+18005550100")  # toll-free left out of the types


def test_the_default_types_are_the_modules() -> None:
    assert policy(outboundAllowedCountries=["US"]).number_types == DEFAULT_NUMBER_TYPES


def test_us_does_not_reach_jamaica_or_premium_numbers() -> None:
    us = policy(outboundAllowedCountries=["US"])
    for number in ("+18765550123", "+19005550123", "+12129761234"):
        with pytest.raises(DestinationRefused):
            us.check(number)


BAD = [
    ({"outboundAllowedCountries": "US,XX"}, "outboundAllowedCountries", "'XX' is not an ISO 3166"),
    ({"outboundAllowedCountries": "USA"}, "outboundAllowedCountries", "ISO 3166"),
    ({"outboundAllowedCountries": [1]}, "outboundAllowedCountries", "must be text"),
    ({"outboundAllowedPrefixes": "1876"}, "outboundAllowedPrefixes", "+ and ASCII digits"),
    ({"outboundAllowedPrefixes": "+１８７６"}, "outboundAllowedPrefixes", "+ and ASCII digits"),  # noqa: RUF001
    # The old meaning of "+1" (US and Canada, Caribbean excluded) is gone: synth says what replaces it.
    ({"outboundAllowedPrefixes": "+1"}, "outboundAllowedPrefixes", "outboundAllowedCountries (e.g. US)"),
    ({"outboundAllowedPrefixes": "+44"}, "outboundAllowedPrefixes", "whole calling code"),
    ({"outboundDeniedPrefixes": "+1876x"}, "outboundDeniedPrefixes", "+ and ASCII digits"),
    ({"outboundDeniedPrefixes": "+999"}, "outboundDeniedPrefixes", "calling code"),
    ({"outboundAllowedNumberTypes": "PREMIUM"}, "outboundAllowedNumberTypes", "not a number type"),
    ({"outboundAllowedNumberTypes": "mobile"}, "outboundAllowedNumberTypes", "did you mean MOBILE"),
    ({"outboundAllowedNumberTypes": "UNKNOWN"}, "outboundAllowedNumberTypes", "UNKNOWN"),
    ({"phoneNumber": "+１２０６５５５０１００"}, "phoneNumber", "ASCII"),  # noqa: RUF001
    ({"phoneNumber": "+1 206 555 0100"}, "phoneNumber", "only digits"),
    ({"phoneNumber": "+12065550"}, "phoneNumber", "+12065550"),
    ({"phoneNumber": "+17005550100"}, "phoneNumber", "not a valid number"),
]


@pytest.mark.parametrize(("context", "key", "fragment"), BAD, ids=[f"{c[1]}-{i}" for i, c in enumerate(BAD)])
def test_a_bad_outbound_or_number_setting_fails_with_one_line_naming_it(
    context: dict[str, Any], key: str, fragment: str
) -> None:
    with pytest.raises(SettingsError) as error:
        settings_from_context(with_defaults(context))
    message = str(error.value)
    assert message.startswith(f"setting {key}=")
    assert fragment in message
    assert "\n" not in message
