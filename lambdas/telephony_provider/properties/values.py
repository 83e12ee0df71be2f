"""What each resource type's properties become: the typed values the provider's handlers act on.

The parsers beside this module build them (one module per resource type); the handlers only read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telephony_provider.properties.reader import ChimeRegion

ProductType = Literal["VoiceConnector", "SipMediaApplicationDialIn"]
NumberType = Literal["Local", "TollFree"]
NumberMode = Literal["order", "existing"]
TriggerType = Literal["ToPhoneNumber", "RequestUriHostname"]
RouteProtocol = Literal["TCP", "UDP"]


@dataclass(frozen=True)
class PreflightProps:
    account_id: str
    aws_region: ChimeRegion
    lambda_arn: str
    name_prefix: str


@dataclass(frozen=True)
class VoiceConnectorProps:
    name: str
    aws_region: ChimeRegion
    require_encryption: bool


@dataclass(frozen=True)
class SipMediaApplicationProps:
    name: str
    aws_region: ChimeRegion
    lambda_arn: str


@dataclass(frozen=True)
class NumberSearch:
    """What SearchAvailablePhoneNumbers is asked for when a number is ordered."""

    country: str
    number_type: NumberType
    area_code: str | None = None
    toll_free_prefix: str | None = None

    def describe(self) -> str:
        """E.g. "Local numbers in area code 206, US" for error messages."""
        if self.area_code:
            return f"{self.number_type} numbers in area code {self.area_code}, {self.country}"
        if self.toll_free_prefix:
            return f"{self.number_type} numbers with prefix {self.toll_free_prefix}, {self.country}"
        return f"{self.number_type} numbers in {self.country}"


@dataclass(frozen=True)
class PhoneNumberProps:
    mode: NumberMode
    product_type: ProductType
    release_on_delete: bool
    e164: str | None = None  # existing mode
    search: NumberSearch | None = None  # order mode
    aws_region: ChimeRegion | None = None  # endpoint to use; the stack's region when absent


@dataclass(frozen=True)
class SipRuleProps:
    name: str
    trigger_type: TriggerType
    trigger_value: str
    sip_media_application_id: str
    aws_region: ChimeRegion
    priority: int


@dataclass(frozen=True)
class Termination:
    calling_regions: tuple[str, ...]
    cidr_allowed_list: tuple[str, ...]
    cps_limit: int = 1
    disabled: bool = False
    default_phone_number: str | None = None


@dataclass(frozen=True)
class OriginationRoute:
    host: str
    port: int
    protocol: RouteProtocol
    priority: int
    weight: int


@dataclass(frozen=True)
class Origination:
    routes: tuple[OriginationRoute, ...]
    disabled: bool = False


@dataclass(frozen=True)
class Logging:
    enable_sip_logs: bool = False
    enable_media_metric_logs: bool = False


@dataclass(frozen=True)
class VoiceConnectorSettingsProps:
    voice_connector_id: str
    logging: Logging
    termination: Termination | None = None
    origination: Origination | None = None
    aws_region: ChimeRegion | None = None  # the Voice Connector's region; the stack's when absent
