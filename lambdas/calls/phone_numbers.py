"""The one phone-number policy: what a number is (libphonenumber), and whether the line may dial it.

Numbers are accepted only in E.164 written with ASCII: "+", then ASCII digits, nothing else, exactly as
libphonenumber formats the number back. Full-width and other Unicode digits are refused, not normalised:
libphonenumber (and regex `\\d`) would read full-width "+1876…" as +1876…, so a check done on the text and a dial
done on the normalised number could disagree, and what an agent sent would not be what we store, log and
show. Refusing keeps one spelling of every number from the request to the SIP media application.

Whether a valid number may be dialled (DialPolicy.check), in this order:
1. a denied prefix covering it refuses it, whatever else allows it (deny wins);
2. an allowed prefix covering it admits it, whatever its country or type: a prefix is the deployer's
   deliberate exception (e.g. +1900 for one premium line), so a whole geographic calling code such as +1
   or +33 is refused as a prefix; countries name those, with the type rules;
3. otherwise its region must be an allowed country (ISO 3166 alpha-2, as libphonenumber assigns it: +1876
   is JM, not US) and its type an allowed one (default: fixed line, mobile and toll-free).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType, ValidationResult

from calls.e164 import ASCII_DIGITS, MAX_DIGITS

# The deploy settings (stacks/settings.py) and the refusals name them: one home for the names.
COUNTRIES_SETTING = "outboundAllowedCountries"
PREFIXES_SETTING = "outboundAllowedPrefixes"
DENIED_PREFIXES_SETTING = "outboundDeniedPrefixes"
NUMBER_TYPES_SETTING = "outboundAllowedNumberTypes"
# The Lambdas read the policy from this variable, written by DialPolicy.to_json.
ENV_VAR = "DIAL_POLICY"

NON_GEOGRAPHIC = "001"  # libphonenumber's region for +800, +808, +870, +881-+883, +888, +979
_CALLING_CODES: dict[int, tuple[str, ...]] = dict(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


class NumberType(StrEnum):
    """libphonenumber's PhoneNumberType, by name (the names deployers write in settings)."""

    FIXED_LINE = "FIXED_LINE"
    MOBILE = "MOBILE"
    FIXED_LINE_OR_MOBILE = "FIXED_LINE_OR_MOBILE"  # where the numbering plan does not tell them apart (NANP)
    TOLL_FREE = "TOLL_FREE"
    PREMIUM_RATE = "PREMIUM_RATE"
    SHARED_COST = "SHARED_COST"
    VOIP = "VOIP"
    PERSONAL_NUMBER = "PERSONAL_NUMBER"
    PAGER = "PAGER"
    UAN = "UAN"
    VOICEMAIL = "VOICEMAIL"
    UNKNOWN = "UNKNOWN"  # never the type of a valid number: libphonenumber calls those invalid


# Toll-free is allowed by default: the called party pays its carrier, nobody earns from our minutes (the
# premium-rate, shared-cost and personal-number fraud model), and company help lines are where agents
# transfer callers. Whole non-geographic freephone codes (+800) still need a prefix: they have no country.
DEFAULT_NUMBER_TYPES = frozenset(
    {NumberType.FIXED_LINE, NumberType.MOBILE, NumberType.FIXED_LINE_OR_MOBILE, NumberType.TOLL_FREE}
)
_NAMEABLE_TYPES = frozenset(NumberType) - {NumberType.UNKNOWN}
_LIBRARY_TYPES = {
    getattr(PhoneNumberType, kind.value): kind for kind in NumberType
}  # PhoneNumberType's values are ints


class InvalidNumber(ValueError):
    """The text is not a valid phone number written in ASCII E.164; the message says why."""


class DestinationRefused(ValueError):
    """A valid number the policy does not let the line dial; the message names the setting that would."""


class PolicyError(ValueError):
    """A policy value is unusable; the message says what is wrong (the caller names the setting)."""


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    e164: str  # ASCII, exactly as given
    region: str  # ISO 3166 alpha-2, or "001" for non-geographic numbers
    number_type: NumberType


def parse_number(text: str) -> PhoneNumber:
    """A valid number written exactly in ASCII E.164, classified; InvalidNumber says what is wrong."""
    if not text:
        raise InvalidNumber("the number is empty")
    if len(text) > MAX_DIGITS + 1:
        shown = repr(text[:20]) + ("..." if len(text) > 20 else "")
        raise InvalidNumber(f"{shown} is too long: E.164 numbers have at most {MAX_DIGITS} digits")
    if not text.isascii():
        raise InvalidNumber(
            f"{text!r} is not written in ASCII: use the digits 0-9 (full-width or other scripts' digits "
            "are refused, not converted)"
        )
    if not text.startswith("+"):
        raise InvalidNumber(f"{text!r} must start with + and the country calling code, e.g. +12065550100")
    if not set(text[1:]) <= ASCII_DIGITS or len(text) == 1:
        raise InvalidNumber(f"{text!r} must be + followed by only digits (no spaces or punctuation)")
    if text[1] == "0":
        raise InvalidNumber(f"{text!r}: no country calling code starts with 0")
    try:
        parsed = phonenumbers.parse(text, None)
    except NumberParseException as error:
        raise InvalidNumber(f"{text!r} is not a phone number: {_parse_failure(error)}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(f"{text!r} {_invalidity(parsed)}")
    e164 = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
    if e164 != text:
        raise InvalidNumber(f"{text!r} is not in E.164 form; the number is written {e164}")
    region = phonenumbers.region_code_for_number(parsed) or NON_GEOGRAPHIC
    return PhoneNumber(e164, region, _classify(e164, phonenumbers.number_type(parsed)))


def _classify(e164: str, library_type: int) -> NumberType:
    # NANP 976 exchanges (+1 NPA 976 xxxx) were pay-per-call lines; libphonenumber has them as ordinary
    # geographic numbers, so a country-wide allow would reach them. Treat them as premium rate.
    if e164.startswith("+1") and e164[5:8] == "976":
        return NumberType.PREMIUM_RATE
    return _LIBRARY_TYPES.get(library_type, NumberType.UNKNOWN)


def _parse_failure(error: NumberParseException) -> str:
    return {
        NumberParseException.INVALID_COUNTRY_CODE: "no country uses that calling code",
        NumberParseException.TOO_SHORT_NSN: "too short",
        NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
        NumberParseException.TOO_LONG: "too long",
    }.get(error.error_type, "it cannot be read as one")


def _invalidity(parsed: phonenumbers.PhoneNumber) -> str:
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    code = f"+{parsed.country_code}"
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        return "has no country calling code in use"
    if reason == ValidationResult.TOO_SHORT:
        return f"is too short for {code}"
    if reason == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return f"is too short for {code}: it reads like a local number without its area code"
    if reason == ValidationResult.TOO_LONG:
        return f"is too long for {code}"
    if reason == ValidationResult.INVALID_LENGTH:
        return f"has the wrong length for {code}"
    return f"is not a valid number: nothing in {code} is numbered that way (unassigned or reserved range)"


# ---------------------------------------------------------------------------------------------------------
# Policy values: parsed here for both the deploy settings and the Lambdas' environment.


def parse_countries(values: list[str] | tuple[str, ...]) -> frozenset[str]:
    known = phonenumbers.SUPPORTED_REGIONS
    for value in values:
        if value not in known:
            close = difflib.get_close_matches(str(value).upper(), known, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise PolicyError(f"{value!r} is not an ISO 3166 alpha-2 country code with phone numbers{hint}")
    return frozenset(values)


def parse_prefixes(values: list[str] | tuple[str, ...], *, allowing: bool = True) -> tuple[str, ...]:
    """Prefixes as + and ASCII digits starting with a calling code in use. An allowed prefix must be
    narrower than a geographic calling code: "+1" would admit every premium and Caribbean NANP number."""
    seen: list[str] = []
    for value in values:
        digits = value[1:] if isinstance(value, str) else ""
        if not value.startswith("+") or not digits or not set(digits) <= ASCII_DIGITS:
            raise PolicyError(f"{value!r} must be + and ASCII digits, e.g. +1876 or +4420")
        if len(digits) > MAX_DIGITS:
            raise PolicyError(f"{value!r} is longer than an E.164 number ({MAX_DIGITS} digits)")
        code = next((digits[:n] for n in (1, 2, 3) if int(digits[:n]) in _CALLING_CODES), None)
        if code is None:
            raise PolicyError(f"{value!r} does not start with a country calling code in use")
        regions = _CALLING_CODES[int(code)]
        if allowing and digits == code and regions != (NON_GEOGRAPHIC,):
            raise PolicyError(
                f"{value!r} is a whole calling code ({', '.join(regions)}); a prefix admits every number under "
                f"it, premium-rate included, so name the countries in {COUNTRIES_SETTING} (e.g. "
                f"{regions[0]}) and keep prefixes for exceptions such as +1876"
            )
        if value not in seen:
            seen.append(value)
    return tuple(seen)


def parse_number_types(values: list[str] | tuple[str, ...]) -> frozenset[NumberType]:
    names = sorted(kind.value for kind in _NAMEABLE_TYPES)
    for value in values:
        if value == NumberType.UNKNOWN:
            raise PolicyError("UNKNOWN is not a type to allow: libphonenumber calls such numbers invalid")
        if value not in names:
            close = difflib.get_close_matches(str(value).upper(), names, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise PolicyError(f"{value!r} is not a number type; {hint}Use: {', '.join(names)}")
    return frozenset(NumberType(value) for value in values)


@dataclass(frozen=True, slots=True)
class DialPolicy:
    """Which numbers the line may dial (outbound calls and transfers). Empty: outbound is off."""

    countries: frozenset[str] = frozenset()
    allowed_prefixes: tuple[str, ...] = ()
    denied_prefixes: tuple[str, ...] = ()
    number_types: frozenset[NumberType] = field(default=DEFAULT_NUMBER_TYPES)

    @property
    def enabled(self) -> bool:
        return bool(self.countries or self.allowed_prefixes)

    def check(self, text: str) -> PhoneNumber:
        """The number, if it is valid and the line may dial it; else InvalidNumber or DestinationRefused."""
        number = parse_number(text)
        e164 = number.e164
        denied = next((prefix for prefix in self.denied_prefixes if e164.startswith(prefix)), None)
        if denied is not None:
            raise DestinationRefused(f"{e164} is under {denied}, which {DENIED_PREFIXES_SETTING} refuses")
        if not self.enabled:
            raise DestinationRefused(
                f"outbound calling is off: no destination is allowed (set {COUNTRIES_SETTING}, e.g. US)"
            )
        if any(e164.startswith(prefix) for prefix in self.allowed_prefixes):
            return number
        if number.region == NON_GEOGRAPHIC:
            raise DestinationRefused(
                f"{e164} is a non-geographic number (no country); name its prefix in {PREFIXES_SETTING} to "
                "allow it"
            )
        if number.region not in self.countries:
            raise DestinationRefused(
                f"{e164} is in {number.region}, not an allowed country; add {number.region} to "
                f"{COUNTRIES_SETTING}, or a prefix covering it to {PREFIXES_SETTING}"
            )
        if number.number_type not in self.number_types:
            kind = number.number_type.value.lower().replace("_", " ")
            raise DestinationRefused(
                f"{e164} is a {kind} number, not an allowed type; add {number.number_type.value} to "
                f"{NUMBER_TYPES_SETTING}, or a prefix covering it to {PREFIXES_SETTING}"
            )
        return number

    def to_json(self) -> str:
        """The one serialisation, for the Lambdas' DIAL_POLICY variable; from_json reads it back."""
        return json.dumps(
            {
                "countries": sorted(self.countries),
                "allowedPrefixes": list(self.allowed_prefixes),
                "deniedPrefixes": list(self.denied_prefixes),
                "numberTypes": sorted(kind.value for kind in self.number_types),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> DialPolicy:
        """Parse DIAL_POLICY (empty: outbound off); PolicyError names the bad field."""
        if not text.strip():
            return cls()
        try:
            raw: Any = json.loads(text)
        except json.JSONDecodeError as error:
            raise PolicyError(f"is not valid JSON ({error.msg})") from None
        if not isinstance(raw, dict):
            raise PolicyError("must be a JSON object")
        unknown = sorted(set(raw) - {"countries", "allowedPrefixes", "deniedPrefixes", "numberTypes"})
        if unknown:
            raise PolicyError(f"has unknown fields {unknown}")

        def strings(name: str, default: list[str]) -> list[str]:
            value = raw.get(name, default)
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise PolicyError(f"{name} must be a list of strings")
            return value

        name = "countries"
        try:
            countries = parse_countries(strings(name, []))
            name = "allowedPrefixes"
            allowed = parse_prefixes(strings(name, []))
            name = "deniedPrefixes"
            denied = parse_prefixes(strings(name, []), allowing=False)
            name = "numberTypes"
            types = parse_number_types(strings(name, sorted(DEFAULT_NUMBER_TYPES)))
        except PolicyError as error:
            raise PolicyError(f"{name}: {error}") from None
        return cls(countries, allowed, denied, types)
