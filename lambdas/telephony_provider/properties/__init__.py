"""Custom resource properties, parsed once into typed values (values.py): a parser module per resource type,
all reading through one reader (reader.py).

Every error names the resource type and the property path, e.g. ``Origination.Routes[0].Port``.
The stacks import from here too (CHIME_REGIONS): this package needs nothing beyond the standard library
and calls.e164.
"""

from __future__ import annotations

from telephony_provider.properties.phone_number import parse_phone_number
from telephony_provider.properties.reader import CHIME_REGIONS, ChimeRegion
from telephony_provider.properties.sip_media_application import (
    parse_preflight,
    parse_service_linked_role,
    parse_sip_media_application,
)
from telephony_provider.properties.sip_rule import parse_sip_rule
from telephony_provider.properties.values import (
    Logging,
    NumberMode,
    NumberSearch,
    NumberType,
    Origination,
    OriginationRoute,
    PhoneNumberProps,
    PreflightProps,
    ProductType,
    RouteProtocol,
    SipMediaApplicationProps,
    SipRuleProps,
    Termination,
    TriggerType,
    VoiceConnectorProps,
    VoiceConnectorSettingsProps,
)
from telephony_provider.properties.voice_connector import (
    parse_voice_connector,
    parse_voice_connector_settings,
)

__all__ = [
    "CHIME_REGIONS",
    "ChimeRegion",
    "Logging",
    "NumberMode",
    "NumberSearch",
    "NumberType",
    "Origination",
    "OriginationRoute",
    "PhoneNumberProps",
    "PreflightProps",
    "ProductType",
    "RouteProtocol",
    "SipMediaApplicationProps",
    "SipRuleProps",
    "Termination",
    "TriggerType",
    "VoiceConnectorProps",
    "VoiceConnectorSettingsProps",
    "parse_phone_number",
    "parse_preflight",
    "parse_service_linked_role",
    "parse_sip_media_application",
    "parse_sip_rule",
    "parse_voice_connector",
    "parse_voice_connector_settings",
]
