"""Properties of the Voice Connector and of its settings: termination, origination routes and logging."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any, cast, get_args

from calls.e164 import is_e164
from telephony_provider.properties.reader import COUNTRY, COUNTRY_HINT, PropertyReader
from telephony_provider.properties.values import (
    Logging,
    Origination,
    OriginationRoute,
    RouteProtocol,
    Termination,
    VoiceConnectorProps,
    VoiceConnectorSettingsProps,
)

_VOICE_CONNECTOR_ID = re.compile(
    r"[a-z0-9]{21,22}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def parse_voice_connector(raw: Mapping[str, Any]) -> VoiceConnectorProps:
    r = PropertyReader("VoiceConnector", raw)
    r.only("Name", "AwsRegion", "RequireEncryption")
    return VoiceConnectorProps(
        name=r.name(), aws_region=r.region("AwsRegion"), require_encryption=r.flag("RequireEncryption")
    )


def parse_voice_connector_settings(raw: Mapping[str, Any]) -> VoiceConnectorSettingsProps:
    r = PropertyReader("VoiceConnectorSettings", raw)
    r.only("VoiceConnectorId", "Termination", "Origination", "Logging", "AwsRegion")
    voice_connector_id = r.text("VoiceConnectorId", pattern=_VOICE_CONNECTOR_ID, hint="a Voice Connector id")
    logging_section = r.section("Logging")
    return VoiceConnectorSettingsProps(
        voice_connector_id=voice_connector_id,
        logging=_logging(logging_section) if logging_section else Logging(),
        termination=_termination(t) if (t := r.section("Termination")) else None,
        origination=_origination(o) if (o := r.section("Origination")) else None,
        aws_region=r.optional_region("AwsRegion"),
    )


def _cidr(r: PropertyReader, name: str) -> tuple[str, ...]:
    cidrs = r.strings(name)
    for index, cidr in enumerate(cidrs):
        try:
            ipaddress.ip_network(cidr, strict=True)
        except ValueError:
            raise r.error(
                f"{name}[{index}]", f"must be a CIDR block such as 203.0.113.0/24, got {cidr!r}"
            ) from None
    return cidrs


def _termination(r: PropertyReader) -> Termination:
    r.only("CallingRegions", "CidrAllowedList", "CpsLimit", "Disabled", "DefaultPhoneNumber")
    calling_regions = r.strings("CallingRegions", pattern=COUNTRY, hint=COUNTRY_HINT)
    if not calling_regions:
        raise r.error("CallingRegions", 'is required: the countries outbound calls may go to, such as ["US"]')
    return Termination(
        calling_regions=calling_regions,
        cidr_allowed_list=_cidr(r, "CidrAllowedList"),
        cps_limit=r.integer("CpsLimit", default=1, minimum=1),
        disabled=r.flag("Disabled", default=False),
        default_phone_number=r.optional_text("DefaultPhoneNumber", valid=is_e164, hint="an E.164 number"),
    )


def _origination(r: PropertyReader) -> Origination:
    r.only("Routes", "Disabled")
    routes = tuple(_route(route) for route in r.sections("Routes"))
    if not routes:
        raise r.error("Routes", "must list at least one route ({Host, Port, Protocol, Priority, Weight})")
    return Origination(routes=routes, disabled=r.flag("Disabled", default=False))


def _route(r: PropertyReader) -> OriginationRoute:
    r.only("Host", "Port", "Protocol", "Priority", "Weight")
    return OriginationRoute(
        host=r.text("Host", pattern=re.compile(r"\S+"), hint="a host name or IP address"),
        port=r.integer("Port", default=5060, minimum=0, maximum=65535),
        protocol=cast(RouteProtocol, r.choice("Protocol", get_args(RouteProtocol))),
        priority=r.integer("Priority", minimum=1, maximum=100),
        weight=r.integer("Weight", minimum=1, maximum=100),
    )


def _logging(r: PropertyReader) -> Logging:
    r.only("EnableSIPLogs", "EnableMediaMetricLogs")
    return Logging(
        enable_sip_logs=r.flag("EnableSIPLogs", default=False),
        enable_media_metric_logs=r.flag("EnableMediaMetricLogs", default=False),
    )
