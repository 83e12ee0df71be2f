"""Custom resource properties, parsed once into typed values.

CloudFormation hands a custom resource every scalar property as a string ("true", "5"), including
inside nested lists and objects, so each reader accepts both the string and the native form. Every
error names the resource type and the property path, e.g. ``Origination.Routes[0].Port``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from calls.e164 import is_e164  # botocore allows E.164 without "+"; we insist, it is the SIP rule form
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

ProductType = Literal["VoiceConnector", "SipMediaApplicationDialIn"]
NumberType = Literal["Local", "TollFree"]
NumberMode = Literal["order", "existing"]
TriggerType = Literal["ToPhoneNumber", "RequestUriHostname"]
RouteProtocol = Literal["TCP", "UDP"]

# Patterns from the botocore model, anchored.
_NAME = re.compile(r"[a-zA-Z0-9 _.-]{1,256}")  # SipMediaApplicationName, VoiceConnectorName, SipRuleName
_LAMBDA_ARN = re.compile(
    r"arn:(aws[a-zA-Z-]*)?:lambda:(?P<region>[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}):\d{12}"
    r":function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
_VOICE_CONNECTOR_ID = re.compile(
    r"[a-z0-9]{21,22}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
_ACCOUNT_ID = re.compile(r"\d{12}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_US_AREA_CODE = re.compile(r"[2-9]\d{2}")
_TOLL_FREE_PREFIX = re.compile(r"8(00|33|44|55|66|77|88)")
_HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
_NAME_HINT = "1-256 letters, digits, spaces, '_', '.' or '-'"

_FRAMEWORK_KEYS = frozenset({"ServiceToken", "ResourceType"})


class _Reader:
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

    def optional_text(
        self,
        name: str,
        *,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
        valid: Callable[[str], bool] | None = None,
    ) -> str | None:
        value = self._raw(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(name, f"must be a string, got {value!r}")
        if (pattern is not None and not pattern.fullmatch(value)) or (valid is not None and not valid(value)):
            raise self.error(name, f"must be {hint}, got {value!r}")
        return value

    def text(
        self,
        name: str,
        *,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
        valid: Callable[[str], bool] | None = None,
    ) -> str:
        value = self.optional_text(name, pattern=pattern, hint=hint, valid=valid)
        if value is None:
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

    def section(self, name: str) -> _Reader | None:
        value = self._raw(name)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self.error(name, f"must be an object, got {value!r}")
        return _Reader(self.resource_type, value, f"{self.path}{name}.")

    def sections(self, name: str) -> list[_Reader]:
        value = self._raw(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
            raise self.error(name, f"must be a list of objects, got {value!r}")
        return [_Reader(self.resource_type, item, f"{self.path}{name}[{i}].") for i, item in enumerate(value)]

    def region(self, name: str) -> ChimeRegion:
        return cast(ChimeRegion, self.choice(name, CHIME_REGIONS))

    def optional_region(self, name: str) -> ChimeRegion | None:
        if self._raw(name) is None:
            return None
        return self.region(name)


def _lambda_arn(reader: _Reader, region: str) -> str:
    arn = reader.text("LambdaArn", pattern=_LAMBDA_ARN, hint="a Lambda function ARN")
    match = _LAMBDA_ARN.fullmatch(arn)
    if match is not None and match.group("region") != region:
        raise reader.error(
            "LambdaArn", f"must be a function in {region} (the SIP media application's region), got {arn!r}"
        )
    return arn


def parse_service_linked_role(raw: Mapping[str, Any]) -> None:
    _Reader("ServiceLinkedRole", raw).only()


@dataclass(frozen=True)
class PreflightProps:
    account_id: str
    aws_region: ChimeRegion
    lambda_arn: str
    name_prefix: str


def parse_preflight(raw: Mapping[str, Any]) -> PreflightProps:
    r = _Reader("Preflight", raw)
    r.only("AccountId", "AwsRegion", "LambdaArn", "NamePrefix")
    region = r.region("AwsRegion")
    return PreflightProps(
        account_id=r.text("AccountId", pattern=_ACCOUNT_ID, hint="a 12-digit AWS account id"),
        aws_region=region,
        lambda_arn=_lambda_arn(r, region),
        # "-preflight" is appended to make the probe's name, which must stay within the name pattern.
        name_prefix=r.text(
            "NamePrefix", pattern=re.compile(r"[a-zA-Z0-9 _.-]{1,200}"), hint="1-200 name characters"
        ),
    )


@dataclass(frozen=True)
class VoiceConnectorProps:
    name: str
    aws_region: ChimeRegion
    require_encryption: bool


def parse_voice_connector(raw: Mapping[str, Any]) -> VoiceConnectorProps:
    r = _Reader("VoiceConnector", raw)
    r.only("Name", "AwsRegion", "RequireEncryption")
    return VoiceConnectorProps(
        name=r.text("Name", pattern=_NAME, hint=_NAME_HINT),
        aws_region=r.region("AwsRegion"),
        require_encryption=r.flag("RequireEncryption"),
    )


@dataclass(frozen=True)
class SipMediaApplicationProps:
    name: str
    aws_region: ChimeRegion
    lambda_arn: str


def parse_sip_media_application(raw: Mapping[str, Any]) -> SipMediaApplicationProps:
    r = _Reader("SipMediaApplication", raw)
    r.only("Name", "AwsRegion", "LambdaArn")
    region = r.region("AwsRegion")
    return SipMediaApplicationProps(
        name=r.text("Name", pattern=_NAME, hint=_NAME_HINT),
        aws_region=region,
        lambda_arn=_lambda_arn(r, region),
    )


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


def parse_phone_number(raw: Mapping[str, Any]) -> PhoneNumberProps:
    r = _Reader("PhoneNumber", raw)
    r.only(
        "Mode",
        "E164",
        "Country",
        "AreaCode",
        "TollFreePrefix",
        "NumberType",
        "ProductType",
        "ReleaseOnDelete",
        "AwsRegion",
    )
    mode = cast(NumberMode, r.choice("Mode", get_args(NumberMode)))
    product_type = cast(
        ProductType, r.choice("ProductType", get_args(ProductType), default="SipMediaApplicationDialIn")
    )
    release_on_delete = r.flag("ReleaseOnDelete", default=False)
    aws_region = r.optional_region("AwsRegion")
    if mode == "existing":
        # Search properties are ignored here so one set of construct defaults can serve both modes.
        e164 = r.text("E164", valid=is_e164, hint="an E.164 number such as +12065550100")
        return PhoneNumberProps(mode, product_type, release_on_delete, e164=e164, aws_region=aws_region)
    if r.optional_text("E164") is not None:
        raise r.error(
            "E164", "is only used with Mode 'existing'; with Mode 'order' the number comes from the search"
        )
    return PhoneNumberProps(
        mode, product_type, release_on_delete, search=_number_search(r, product_type), aws_region=aws_region
    )


def _number_search(r: _Reader, product_type: ProductType) -> NumberSearch:
    country = r.optional_text("Country", pattern=_COUNTRY, hint="an ISO 3166 alpha-2 code such as US") or "US"
    number_type = cast(NumberType, r.choice("NumberType", get_args(NumberType), default="Local"))
    area_code = r.optional_text(
        "AreaCode", pattern=_US_AREA_CODE, hint="a three-digit US area code such as 206"
    )
    prefix = r.optional_text(
        "TollFreePrefix", pattern=_TOLL_FREE_PREFIX, hint="one of 800, 833, 844, 855, 866, 877, 888"
    )
    # AWS: "For US numbers, provide at least one of AreaCode, City, State, or TollFreePrefix. Numbers
    # outside the US only support the PhoneNumberType filter." (SearchAvailablePhoneNumbers)
    if country != "US":
        if area_code or prefix:
            raise r.error(
                "AreaCode" if area_code else "TollFreePrefix", f"only applies to US numbers, not {country}"
            )
        if product_type != "SipMediaApplicationDialIn":
            raise r.error(
                "ProductType", f"must be SipMediaApplicationDialIn for numbers outside the US ({country})"
            )
    elif number_type == "Local":
        if prefix:
            raise r.error("TollFreePrefix", "only applies when NumberType is TollFree")
        if not area_code:
            raise r.error(
                "AreaCode", "is required to order a US Local number: AWS searches US numbers by area code"
            )
    else:
        if area_code:
            raise r.error("AreaCode", "only applies when NumberType is Local")
        if not prefix:
            raise r.error(
                "TollFreePrefix",
                "is required to order a US TollFree number (800, 833, 844, 855, 866, 877, 888)",
            )
    return NumberSearch(country, number_type, area_code=area_code, toll_free_prefix=prefix)


@dataclass(frozen=True)
class SipRuleProps:
    name: str
    trigger_type: TriggerType
    trigger_value: str
    sip_media_application_id: str
    aws_region: ChimeRegion
    priority: int


def parse_sip_rule(raw: Mapping[str, Any]) -> SipRuleProps:
    r = _Reader("SipRule", raw)
    r.only("Name", "TriggerType", "TriggerValue", "SipMediaApplicationId", "AwsRegion", "Priority")
    trigger_type = cast(TriggerType, r.choice("TriggerType", get_args(TriggerType)))
    if trigger_type == "ToPhoneNumber":
        trigger_value = r.text("TriggerValue", valid=is_e164, hint="an E.164 number such as +12065550100")
    else:
        trigger_value = r.text(
            "TriggerValue", pattern=_HOSTNAME, hint="a host name (a Voice Connector's OutboundHostName)"
        )
    return SipRuleProps(
        name=r.text("Name", pattern=_NAME, hint=_NAME_HINT),
        trigger_type=trigger_type,
        trigger_value=trigger_value,
        sip_media_application_id=r.text("SipMediaApplicationId", pattern=re.compile(r"\S+"), hint="an id"),
        aws_region=r.region("AwsRegion"),
        priority=r.integer("Priority", default=1, minimum=1),
    )


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


def parse_voice_connector_settings(raw: Mapping[str, Any]) -> VoiceConnectorSettingsProps:
    r = _Reader("VoiceConnectorSettings", raw)
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


def _cidr(r: _Reader, name: str) -> tuple[str, ...]:
    cidrs = r.strings(name)
    for index, cidr in enumerate(cidrs):
        try:
            ipaddress.ip_network(cidr, strict=True)
        except ValueError:
            raise r.error(
                f"{name}[{index}]", f"must be a CIDR block such as 203.0.113.0/24, got {cidr!r}"
            ) from None
    return cidrs


def _termination(r: _Reader) -> Termination:
    r.only("CallingRegions", "CidrAllowedList", "CpsLimit", "Disabled", "DefaultPhoneNumber")
    calling_regions = r.strings(
        "CallingRegions", pattern=_COUNTRY, hint="an ISO 3166 alpha-2 code such as US"
    )
    if not calling_regions:
        raise r.error("CallingRegions", 'is required: the countries outbound calls may go to, such as ["US"]')
    return Termination(
        calling_regions=calling_regions,
        cidr_allowed_list=_cidr(r, "CidrAllowedList"),
        cps_limit=r.integer("CpsLimit", default=1, minimum=1),
        disabled=r.flag("Disabled", default=False),
        default_phone_number=r.optional_text("DefaultPhoneNumber", valid=is_e164, hint="an E.164 number"),
    )


def _origination(r: _Reader) -> Origination:
    r.only("Routes", "Disabled")
    routes = tuple(_route(route) for route in r.sections("Routes"))
    if not routes:
        raise r.error("Routes", "must list at least one route ({Host, Port, Protocol, Priority, Weight})")
    return Origination(routes=routes, disabled=r.flag("Disabled", default=False))


def _route(r: _Reader) -> OriginationRoute:
    r.only("Host", "Port", "Protocol", "Priority", "Weight")
    return OriginationRoute(
        host=r.text("Host", pattern=re.compile(r"\S+"), hint="a host name or IP address"),
        port=r.integer("Port", default=5060, minimum=0, maximum=65535),
        protocol=cast(RouteProtocol, r.choice("Protocol", get_args(RouteProtocol))),
        priority=r.integer("Priority", minimum=1, maximum=100),
        weight=r.integer("Weight", minimum=1, maximum=100),
    )


def _logging(r: _Reader) -> Logging:
    r.only("EnableSIPLogs", "EnableMediaMetricLogs")
    return Logging(
        enable_sip_logs=r.flag("EnableSIPLogs", default=False),
        enable_media_metric_logs=r.flag("EnableMediaMetricLogs", default=False),
    )
