"""The reader every resource type's properties go through: CloudFormation's strings become typed values.

CloudFormation hands a custom resource every scalar property as a string ("true", "5"), including
inside nested lists and objects, so each reader accepts both the string and the native form. Every
error names the resource type and the property path, e.g. ``Origination.Routes[0].Port``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypedDict, Unpack, cast, get_args

from telephony_provider.errors import InvalidProperty

# botocore's VoiceConnectorAwsRegion enum: where Voice Connectors and SIP media applications can live.
ChimeRegion = Literal[
    "us-east-1",
    "us-west-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
]
CHIME_REGIONS: tuple[str, ...] = get_args(ChimeRegion)

# Patterns from the botocore model, anchored.
_NAME = re.compile(r"[a-zA-Z0-9 _.-]{1,256}")  # SipMediaApplicationName, VoiceConnectorName, SipRuleName
_NAME_HINT = "1-256 letters, digits, spaces, '_', '.' or '-'"
COUNTRY = re.compile(r"[A-Z]{2}")
COUNTRY_HINT = "an ISO 3166 alpha-2 code such as US"

_FRAMEWORK_KEYS = frozenset({"ServiceToken", "ResourceType"})


class TextCheck(TypedDict, total=False):
    """What a text property must look like: a pattern or a test, and the hint its error message gives."""

    pattern: re.Pattern[str]
    valid: Callable[[str], bool]
    hint: str


class PropertyReader:
    """Reads one property object, producing messages like "PhoneNumber property Mode must be ..."."""

    def __init__(self, resource_type: str, values: Mapping[str, Any], path: str = "") -> None:
        self.resource_type = resource_type
        self.values = values
        self.path = path

    def error(self, name: str, problem: str) -> InvalidProperty:
        return InvalidProperty(f"{self.resource_type} property {self.path}{name} {problem}")

    def only(self, *allowed: str) -> None:
        """Reject unknown keys: a misspelt ReleaseOnDelete must not silently mean "false"."""
        permitted = set(allowed) | (_FRAMEWORK_KEYS if not self.path else set())
        unknown = sorted(set(self.values) - permitted)
        if unknown:
            where = f" in {self.path.rstrip('.')}" if self.path else ""
            raise InvalidProperty(
                f"{self.resource_type} has unknown propert{'y' if len(unknown) == 1 else 'ies'}{where}: "
                f"{', '.join(unknown)}. Known: {', '.join(sorted(allowed))}."
            )

    def _raw(self, name: str) -> Any:
        value = self.values.get(name)
        return None if value == "" else value

    def optional_text(self, name: str, **check: Unpack[TextCheck]) -> str | None:
        value = self._raw(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(name, f"must be a string, got {value!r}")
        pattern, valid = check.get("pattern"), check.get("valid")
        if (pattern is not None and not pattern.fullmatch(value)) or (valid is not None and not valid(value)):
            raise self.error(name, f"must be {check.get('hint', '')}, got {value!r}")
        return value

    def text(self, name: str, **check: Unpack[TextCheck]) -> str:
        value = self.optional_text(name, **check)
        if value is None:
            hint = check.get("hint", "")
            raise self.error(name, "is required" + (f" ({hint})" if hint else ""))
        return value

    def choice(self, name: str, choices: tuple[str, ...], *, default: str | None = None) -> str:
        value = self.optional_text(name)
        if value is None:
            if default is None:
                raise self.error(name, f"is required (one of {', '.join(choices)})")
            return default
        if value not in choices:
            raise self.error(name, f"must be one of {', '.join(choices)}, got {value!r}")
        return value

    def flag(self, name: str, *, default: bool | None = None) -> bool:
        value = self._raw(name)
        if value is None:
            if default is None:
                raise self.error(name, "is required ('true' or 'false')")
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self.error(name, f"must be 'true' or 'false', got {value!r}")

    def integer(
        self, name: str, *, default: int | None = None, minimum: int, maximum: int | None = None
    ) -> int:
        value = self._raw(name)
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        if value is None:
            if default is None:
                raise self.error(name, f"is required (a whole number {bounds})")
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            number = int(value)
        else:
            raise self.error(name, f"must be a whole number {bounds}, got {value!r}")
        if number < minimum or (maximum is not None and number > maximum):
            raise self.error(name, f"must be a whole number {bounds}, got {number}")
        return number

    def strings(
        self, name: str, *, pattern: re.Pattern[str] | None = None, hint: str = ""
    ) -> tuple[str, ...]:
        value = self._raw(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(name, f"must be a list of strings, got {value!r}")
        for index, item in enumerate(value):
            if pattern is not None and not pattern.fullmatch(item):
                raise self.error(f"{name}[{index}]", f"must be {hint}, got {item!r}")
        return tuple(value)

    def section(self, name: str) -> PropertyReader | None:
        value = self._raw(name)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self.error(name, f"must be an object, got {value!r}")
        return PropertyReader(self.resource_type, value, f"{self.path}{name}.")

    def sections(self, name: str) -> list[PropertyReader]:
        value = self._raw(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
            raise self.error(name, f"must be a list of objects, got {value!r}")
        return [
            PropertyReader(self.resource_type, item, f"{self.path}{name}[{i}].")
            for i, item in enumerate(value)
        ]

    def region(self, name: str) -> ChimeRegion:
        return cast(ChimeRegion, self.choice(name, CHIME_REGIONS))

    def optional_region(self, name: str) -> ChimeRegion | None:
        if self._raw(name) is None:
            return None
        return self.region(name)

    def name(self) -> str:
        """The Name property, which Voice Connectors, SIP media applications and SIP rules share."""
        return self.text("Name", pattern=_NAME, hint=_NAME_HINT)
