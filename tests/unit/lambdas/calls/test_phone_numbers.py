"""The one phone-number policy: what a number is (libphonenumber), and whether the line may dial it."""

from __future__ import annotations

import json

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calls.e164 import is_e164
from calls.phone_numbers import (
    COUNTRIES_SETTING,
    DENIED_PREFIXES_SETTING,
    NUMBER_TYPES_SETTING,
    PREFIXES_SETTING,
    DestinationRefused,
    DialPolicy,
    InvalidNumber,
    NumberType,
    PolicyError,
    parse_countries,
    parse_number,
    parse_number_types,
    parse_prefixes,
)

US = DialPolicy(countries=frozenset({"US"}))
US_CA = DialPolicy(countries=frozenset({"US", "CA"}))

# Digits from other scripts that str.isdigit() and regex \d accept and libphonenumber would normalise.
FULL_WIDTH = "+１８７６５５５０１２３"  # noqa: RUF001 - the point of the test
FULL_WIDTH_US = "＋１２０６５５５０１２３"  # noqa: RUF001
ARABIC_INDIC = "+١٢٠٦٥٥٥٠١٢٣"
DEVANAGARI_MIXED = "+1206५५५0123"
MIXED_JAMAICA = "+1８７６5550123"  # noqa: RUF001 - ASCII +1, full-width area code


@pytest.mark.parametrize(
    "text", [FULL_WIDTH, FULL_WIDTH_US, ARABIC_INDIC, DEVANAGARI_MIXED, MIXED_JAMAICA, "+1206555\u00a00123"]
)
def test_numbers_written_with_anything_but_ascii_are_refused_not_normalised(text: str) -> None:
    # libphonenumber itself would read these as +18765550123 / +12065550123; we refuse instead of guessing.
    assert phonenumbers.is_valid_number(phonenumbers.parse(text.replace("\u00a0", ""), None))
    with pytest.raises(InvalidNumber, match="ASCII"):
        parse_number(text)
    with pytest.raises(InvalidNumber):
        US_CA.check(text)
    assert not is_e164(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("12065550123", "start with +"),
        ("+1 206 555 0123", "only digits"),
        ("+1-206-555-0123", "only digits"),
        ("+0123456789", "country calling code"),
        ("+1206555", "too short"),
        ("+1206555012345678", "too long"),
        ("+120655501234", "too long"),  # 11 national digits: wrong length for NANP
        ("+12065550", "wrong length|too short"),
        ("+17005550100", "not a valid"),  # 700 is not a NANP area code in use
        ("+15555550123", "not a valid"),  # 555 is not an area code either
        ("+4402079460000", "E.164"),  # the UK trunk 0 has no place in E.164
    ],
)
def test_invalid_numbers_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidNumber, match=reason):
        parse_number(text)


def test_a_valid_number_is_classified_by_region_and_type() -> None:
    number = parse_number("+18765550123")
    assert (number.e164, number.region, number.number_type) == ("+18765550123", "JM", NumberType.MOBILE)
    assert parse_number("+12065550123").region == "US"
    assert parse_number("+14165550123").region == "CA"
    assert parse_number("+19005550123").number_type is NumberType.PREMIUM_RATE
    # 976 exchanges were pay-per-call lines; libphonenumber calls them geographic, we call them premium.
    assert parse_number("+12129761234").number_type is NumberType.PREMIUM_RATE
    assert parse_number("+80012345678").region == "001"


@pytest.mark.parametrize(
    "number",
    [
        "+18765550123",  # Jamaica shares +1 but is JM, not US
        "+18095550123",  # Dominican Republic
        "+12845550123",  # British Virgin Islands
        "+19005550123",  # premium rate
        "+12129761234",  # a 976 exchange
        "+15005550100",  # 500: personal numbers
        "+15335550100",  # 533: personal numbers
        "+16005550100",  # 600: Canadian non-geographic
        "+17005550100",  # 700: invalid
        "+33142685300",  # France
        "+80012345678",  # international freephone: no country
    ],
)
def test_us_and_canada_do_not_cover_the_rest_of_the_nanp_or_costly_numbers(number: str) -> None:
    with pytest.raises((DestinationRefused, InvalidNumber)):
        US_CA.check(number)


@pytest.mark.parametrize(
    "number", ["+12065550123", "+14165550123", "+18005550100", "+18885550100", "+12042345678"]
)
def test_ordinary_us_and_canadian_numbers_pass(number: str) -> None:
    assert US_CA.check(number).e164 == number


def test_canada_is_not_the_us() -> None:
    with pytest.raises(DestinationRefused, match=r"CA.*outboundAllowedCountries"):
        US.check("+14165550123")


def test_a_named_country_or_prefix_admits_what_us_does_not() -> None:
    assert DialPolicy(countries=frozenset({"US", "JM"})).check("+18765550123").region == "JM"
    # An explicit prefix is the deployer's deliberate exception: it skips the country and type checks.
    premium = DialPolicy(countries=frozenset({"US"}), allowed_prefixes=("+1900",))
    assert premium.check("+19005550123").number_type is NumberType.PREMIUM_RATE
    assert DialPolicy(allowed_prefixes=("+1876",)).check("+18765550123").e164 == "+18765550123"
    assert DialPolicy(allowed_prefixes=("+800",)).check("+80012345678").region == "001"
    typed = DialPolicy(countries=frozenset({"US"}), number_types=frozenset({NumberType.PREMIUM_RATE}))
    assert typed.check("+12129761234").number_type is NumberType.PREMIUM_RATE
    with pytest.raises(DestinationRefused, match="fixed"):
        typed.check("+12065550123")  # types replace the defaults, they do not add to them


def test_an_allowed_prefix_still_needs_a_valid_number() -> None:
    with pytest.raises(InvalidNumber):
        DialPolicy(allowed_prefixes=("+1900",)).check("+1900555")


def test_deny_wins_over_every_allow() -> None:
    policy = DialPolicy(
        countries=frozenset({"US"}), allowed_prefixes=("+1206",), denied_prefixes=("+120655501",)
    )
    assert policy.check("+12065550200").e164 == "+12065550200"
    with pytest.raises(DestinationRefused, match=r"\+120655501.*outboundDeniedPrefixes"):
        policy.check("+12065550123")


@pytest.mark.parametrize(
    ("policy", "number", "says"),
    [
        (DialPolicy(), "+12065550123", f"off.*{COUNTRIES_SETTING}"),
        (US, "+33142685300", f"FR.*{COUNTRIES_SETTING}.*{PREFIXES_SETTING}"),
        (US, "+19005550123", f"premium.rate.*{NUMBER_TYPES_SETTING}.*{PREFIXES_SETTING}"),
        (US, "+80012345678", f"no country.*{PREFIXES_SETTING}"),
        (
            DialPolicy(countries=frozenset({"US"}), denied_prefixes=("+1206",)),
            "+12065550123",
            DENIED_PREFIXES_SETTING,
        ),
    ],
)
def test_a_refusal_says_why_and_which_setting_would_allow_it(
    policy: DialPolicy, number: str, says: str
) -> None:
    with pytest.raises(DestinationRefused, match=says):
        policy.check(number)


@pytest.mark.parametrize(
    ("parse", "values", "says"),
    [
        (parse_countries, ["US", "XX"], "XX"),
        (parse_countries, ["us"], "us"),
        (parse_countries, ["001"], "001"),
        (parse_prefixes, ["1876"], r"\+ and ASCII digits"),
        (parse_prefixes, ["+１８７６"], r"\+ and ASCII digits"),  # noqa: RUF001
        (parse_prefixes, ["+"], r"\+ and ASCII digits"),
        (parse_prefixes, ["+0"], "calling code"),
        (parse_prefixes, ["+999"], "calling code"),
        (parse_prefixes, ["+1234567890123456"], "15 digits"),
        (parse_number_types, ["PREMIUM"], "PREMIUM"),
        (parse_number_types, ["UNKNOWN"], "UNKNOWN"),
    ],
)
def test_bad_policy_values_are_refused(parse: object, values: list[str], says: str) -> None:
    with pytest.raises(PolicyError, match=says):
        parse(values)  # type: ignore[operator]


def test_a_whole_country_calling_code_is_not_an_allowed_prefix() -> None:
    # "+1" would admit every premium-rate and Caribbean number: countries name that, with the type rules.
    with pytest.raises(PolicyError, match=rf"whole calling code.*{COUNTRIES_SETTING}.*US"):
        parse_prefixes(["+1"], allowing=True)
    with pytest.raises(PolicyError, match=rf"FR.*{COUNTRIES_SETTING}"):
        parse_prefixes(["+33"], allowing=True)
    assert parse_prefixes(["+1"], allowing=False) == ("+1",)  # denying a whole code is fine
    assert parse_prefixes(["+800"], allowing=True) == ("+800",)  # non-geographic: no country to name


def test_policy_values_are_read_exactly() -> None:
    assert parse_countries(["US", "CA", "US"]) == frozenset({"US", "CA"})
    assert parse_number_types(["MOBILE", "FIXED_LINE"]) == frozenset(
        {NumberType.MOBILE, NumberType.FIXED_LINE}
    )
    with pytest.raises(PolicyError, match="did you mean MOBILE"):
        parse_number_types(["mobile"])
    with pytest.raises(PolicyError, match="did you mean US"):
        parse_countries(["us"])


def test_the_policy_round_trips_through_its_one_serialisation() -> None:
    policy = DialPolicy(
        countries=frozenset({"US", "JM"}),
        allowed_prefixes=("+1900",),
        denied_prefixes=("+1876555",),
        number_types=frozenset({NumberType.MOBILE}),
    )
    assert DialPolicy.from_json(policy.to_json()) == policy
    assert DialPolicy.from_json("") == DialPolicy()
    assert not DialPolicy().enabled and policy.enabled


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{", "JSON"),
        ("[]", "object"),
        ('{"countries": ["XX"]}', "countries.*XX"),
        ('{"allowedPrefixes": ["+1"]}', "allowedPrefixes.*whole calling code"),
        ('{"numberTypes": ["NOPE"]}', "numberTypes.*NOPE"),
        ('{"countries": "US"}', "countries.*list"),
        ('{"country": ["US"]}', "country"),
    ],
)
def test_a_bad_serialised_policy_is_refused(text: str, says: str) -> None:
    with pytest.raises(PolicyError, match=says):
        DialPolicy.from_json(text)


@pytest.mark.parametrize(
    ("text", "shaped"),
    [("+12065550100", True), ("+1", False), ("+12", True), ("+0123", False), ("12065550100", False)],
)
def test_the_e164_shape_alone(text: str, shaped: bool) -> None:
    assert is_e164(text) is shaped


EVERYTHING = DialPolicy(
    countries=frozenset(phonenumbers.SUPPORTED_REGIONS),
    number_types=frozenset(NumberType) - {NumberType.UNKNOWN},
)
EXAMPLES = sorted(
    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    for region in phonenumbers.SUPPORTED_REGIONS
    if (example := phonenumbers.example_number(region)) is not None
)
DIGITS = st.characters(categories=["Nd"])  # every decimal digit of every script


@given(
    st.one_of(
        st.sampled_from(EXAMPLES),
        st.sampled_from(EXAMPLES).map(lambda e164: e164[:-1]),
        st.builds(lambda tail: "+1" + tail, st.text(DIGITS, min_size=10, max_size=10)),
        st.builds(lambda tail: "+" + tail, st.text(DIGITS, min_size=1, max_size=16)),
        st.text(max_size=20),
    )
)
def test_anything_the_policy_accepts_is_ascii_e164_and_reparses_to_itself(text: str) -> None:
    try:
        number = EVERYTHING.check(text)
    except (InvalidNumber, DestinationRefused):
        return
    assert number.e164 == text and number.e164.isascii() and is_e164(number.e164)
    assert number.e164[1:].isdigit() and number.e164[1] != "0"
    assert parse_number(number.e164) == number
    reparsed = phonenumbers.parse(number.e164, None)
    assert phonenumbers.format_number(reparsed, phonenumbers.PhoneNumberFormat.E164) == number.e164


def test_every_example_number_is_accepted_when_its_country_and_type_are() -> None:
    for e164 in EXAMPLES:
        assert EVERYTHING.check(e164).e164 == e164


def test_the_policy_serialises_to_json_an_environment_variable_can_hold() -> None:
    text = DialPolicy(countries=frozenset({"US"})).to_json()
    assert json.loads(text)["countries"] == ["US"] and text.isascii() and len(text) < 200
