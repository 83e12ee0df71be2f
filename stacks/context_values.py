"""What settings may hold, and the readers of CDK context values: a bad value raises SettingsError naming the
setting, the value given and what is allowed, in one line."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from calls.regions import MEDIA_REGIONS
from stacks.settings_model import OriginationRoute
from telephony_provider.properties import CHIME_REGIONS

# Where Amazon Chime SDK Voice Connectors and SIP media applications exist (botocore's chime-sdk-voice
# region enum, kept by the provider that validates it too); the SMA's Lambda must live in the same region.
VOICE_REGIONS = CHIME_REGIONS

# Amazon Chime SDK meeting media regions (commercial partition).
MEETING_REGIONS = tuple(sorted(region for region in MEDIA_REGIONS if not region.startswith("us-gov-")))

# Countries whose numbers can be ordered through the API without identity documents. Numbers elsewhere
# are requested through AWS Support and then used here as an existing `phoneNumber`.
ORDERABLE_COUNTRIES = ("US", "CA")
TOLL_FREE_PREFIXES = ("800", "833", "844", "855", "866", "877", "888")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
AZURE_HOST = re.compile(
    r"^https://[a-z0-9][a-z0-9-]{1,62}\.(openai\.azure\.com|cognitiveservices\.azure\.com)/?$"
)
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$")
# Azure OpenAI Realtime voices (gpt-realtime family).
AZURE_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
# Amazon Polly voices available with the standard engine, which the SMA's Speak action uses by default
# (a neural-only voice would make every Speak fail: greeting, timeout and apology), and their language.
POLLY_STANDARD_VOICES = {
    "Ivy": "en-US", "Joanna": "en-US", "Joey": "en-US", "Justin": "en-US", "Kendra": "en-US",
    "Kimberly": "en-US", "Matthew": "en-US", "Salli": "en-US",
    "Amy": "en-GB", "Brian": "en-GB", "Emma": "en-GB",
    "Nicole": "en-AU", "Russell": "en-AU",
    "Raveena": "en-IN", "Geraint": "cy-GB",
    "Miguel": "es-US", "Penelope": "es-US", "Lupe": "es-US",
    "Conchita": "es-ES", "Enrique": "es-ES", "Lucia": "es-ES",
    "Celine": "fr-FR", "Lea": "fr-FR", "Mathieu": "fr-FR", "Chantal": "fr-CA",
    "Hans": "de-DE", "Marlene": "de-DE", "Vicki": "de-DE",
    "Carla": "it-IT", "Giorgio": "it-IT", "Bianca": "it-IT",
    "Camila": "pt-BR", "Ricardo": "pt-BR", "Vitoria": "pt-BR",
    "Mizuki": "ja-JP", "Takumi": "ja-JP",
}  # fmt: skip

DEFAULT_INSTRUCTIONS = (
    "You are a friendly, concise phone assistant answering calls for our team. Speak in short sentences, "
    "as people do on the phone. Greet the caller, find out what they need, and help with what you can. "
    "Never invent facts about accounts, orders or prices; if you are unsure or the caller asks for a "
    "person, say that a colleague will take over. Do not ask for passwords or full card numbers."
)


class SettingsError(ValueError):
    """One bad setting: the message names it, the value given and what is allowed."""


# ---------------------------------------------------------------------------------------------------
# Parsing: context values are JSON-typed from cdk.json and strings from `-c key=value`.


def fail(key: str, value: Any, allowed: str) -> SettingsError:
    return SettingsError(f"setting {key}={json.dumps(value)}: {allowed}")


def boolean(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "yes", "no", "1", "0"}:
        return value.strip().lower() in {"true", "yes", "1"}
    raise fail(key, value, "must be true or false")


def whole_number(key: str, value: Any, low: int, high: int) -> int:
    try:
        number = None if isinstance(value, bool) else int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise fail(key, value, f"must be a whole number from {low} to {high}")
    return number


def text_value(key: str, value: Any, *, max_length: int, allow_empty: bool = True) -> str:
    if not isinstance(value, str) or len(value) > max_length or (not allow_empty and not value.strip()):
        need = "non-empty " if not allow_empty else ""
        raise fail(key, value, f"must be {need}text of at most {max_length} characters")
    return value.strip()


def list_value(key: str, value: Any) -> list[Any]:
    """A list from JSON, or from a comma-separated string as typed on the command line."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                parsed = json.loads(stripped)
            except json.JSONDecodeError as error:
                raise fail(key, value, f"is not a valid JSON list ({error.msg})") from error
            if isinstance(parsed, list):
                return parsed
        return [part.strip() for part in stripped.split(",") if part.strip()]
    raise fail(key, value, "must be a list (JSON, or comma-separated text)")


def one_of(key: str, value: Any, options: tuple[str, ...]) -> str:
    if value not in options:
        raise fail(key, value, f"must be one of {', '.join(options)}")
    return str(value)


def matching(key: str, value: Any, pattern: re.Pattern[str], allowed: str) -> str:
    if not isinstance(value, str) or not pattern.match(value.strip()):
        raise fail(key, value, allowed)
    return value.strip()


def origination_routes(key: str, value: Any) -> tuple[OriginationRoute, ...]:
    routes = []
    for item in list_value(key, value):
        if not isinstance(item, dict) or not {"host"} <= set(item) <= {
            "host",
            "port",
            "protocol",
            "priority",
            "weight",
        }:
            raise fail(key, value, 'each route is {"host", "port"?, "protocol"?, "priority"?, "weight"?}')
        host = item["host"]
        if not isinstance(host, str) or not re.match(r"^[A-Za-z0-9.-]{1,253}$", host):
            raise fail(key, value, f"route host {host!r} must be a host name or IPv4 address")
        routes.append(
            OriginationRoute(
                host=host,
                port=whole_number(key, item.get("port", 5060), 1, 65535),
                protocol=one_of(key, item.get("protocol", "TCP"), ("TCP", "UDP")),
                priority=whole_number(key, item.get("priority", 1), 1, 99),
                weight=whole_number(key, item.get("weight", 1), 1, 99),
            )
        )
    if len(routes) > 20:
        raise fail(key, value, "at most 20 routes")
    return tuple(routes)


def cidr_blocks(key: str, value: Any) -> tuple[str, ...]:
    cidrs = []
    for item in list_value(key, value):
        try:
            network = ipaddress.IPv4Network(str(item), strict=True)
        except ValueError as error:
            raise fail(key, value, f"{item!r} is not an IPv4 CIDR block ({error})") from error
        if network.prefixlen < 27:
            raise fail(key, value, f"{item} is too wide: Voice Connector termination allows /27 or narrower")
        cidrs.append(str(network))
    return tuple(cidrs)
