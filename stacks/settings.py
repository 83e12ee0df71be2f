"""Deploy settings: read once from CDK context, validated before any construct is built.

Every setting comes from cdk.json's context or `-c key=value`. A bad value stops synth with one line
naming the setting, the value given and what is allowed.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from calls.contracts import API_NAMESPACE_SUFFIX, CALLS_NAMESPACE_SUFFIX
from calls.phone_numbers import (
    COUNTRIES_SETTING,
    DEFAULT_NUMBER_TYPES,
    DENIED_PREFIXES_SETTING,
    NUMBER_TYPES_SETTING,
    PREFIXES_SETTING,
    DialPolicy,
    InvalidNumber,
    PolicyError,
    parse_countries,
    parse_number,
    parse_number_types,
    parse_prefixes,
)
from calls.regions import MEDIA_REGIONS, control_region_for
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


@dataclass(frozen=True, slots=True)
class OriginationRoute:
    host: str
    port: int
    protocol: str
    priority: int
    weight: int


@dataclass(frozen=True, slots=True)
class PhoneNumberChoice:
    """Either an existing number of this account, or the criteria for ordering a new one."""

    existing: str | None
    country: str
    area_code: str | None
    toll_free_prefix: str | None
    number_type: str  # Local | TollFree
    release_on_delete: bool

    @property
    def mode(self) -> str:
        return "existing" if self.existing else "order"


@dataclass(frozen=True, slots=True)
class VoiceConnectorOptions:
    require_encryption: bool
    termination_cidrs: tuple[str, ...]
    termination_calling_regions: tuple[str, ...]
    termination_cps_limit: int
    origination_routes: tuple[OriginationRoute, ...]
    sip_logging: bool
    media_metrics_logging: bool


@dataclass(frozen=True, slots=True)
class CallControlOptions:
    greeting_text: str
    greeting_voice: str
    greeting_language: str
    wait_timeout_seconds: int
    call_retention_days: int


@dataclass(frozen=True, slots=True)
class AzureOptions:
    endpoint: str | None
    deployment: str
    voice: str
    instructions: str
    transcription_model: str
    secret_arn: str | None


@dataclass(frozen=True, slots=True)
class AgentOptions:
    emails: tuple[str, ...]
    mfa: str  # off | optional | required
    dial_policy: DialPolicy  # which numbers agents may call or transfer to
    outbound_calls_per_agent_per_hour: int
    outbound_calls_per_day: int = 200  # the whole line, any 24 hours
    realtime_sessions_per_agent_per_hour: int = 30
    realtime_secret_seconds: int = 60  # lifetime of a minted Azure client secret; 0: Azure's default

    @property
    def outbound_enabled(self) -> bool:
        return self.dial_policy.enabled


@dataclass(frozen=True, slots=True)
class DeploySettings:
    """Every deploy setting, validated; and every resource name derived from the prefix, built here once.

    (Each Lambda has its own `Settings`, read from the environment these settings fill.)
    """

    prefix: str
    account: str | None
    region: str
    meeting_region: str
    phone: PhoneNumberChoice
    voice_connector: VoiceConnectorOptions
    call_control: CallControlOptions
    azure: AzureOptions
    agents: AgentOptions
    alarm_email: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def outbound_enabled(self) -> bool:
        """Whether agents can dial out (and so spend money): the one test for outbound safety defaults."""
        return self.agents.outbound_enabled

    @property
    def meetings_control_region(self) -> str:
        """Where the Lambdas create and delete meetings: the deploy region if it has the meetings API."""
        return control_region_for(self.region)

    # --- names: two lines with different prefixes share none (account-wide or global names) --------
    def stack_name(self, part: str) -> str:
        return f"{self.prefix}-{part}"

    @property
    def calls_metrics_namespace(self) -> str:
        return f"{self.prefix}/{CALLS_NAMESPACE_SUFFIX}"

    @property
    def api_metrics_namespace(self) -> str:
        return f"{self.prefix}/{API_NAMESPACE_SUFFIX}"

    @property
    def phone_number_parameter_name(self) -> str:
        """The SSM parameter holding the line's number, read by the meeting API (not a stack export)."""
        return f"/{self.prefix}/telephony/phone-number"

    @property
    def events_api_name(self) -> str:
        """The AppSync Events API that pushes call changes to agents' browsers."""
        return f"{self.prefix}-call-events"

    @property
    def telephony_dashboard_name(self) -> str:
        return f"{self.prefix}-telephony"

    @property
    def api_dashboard_name(self) -> str:
        return f"{self.prefix}-api"

    @property
    def sip_media_application_name(self) -> str:
        return f"{self.prefix}-calls"

    @property
    def voice_connector_name(self) -> str:
        return f"{self.prefix}-trunk"

    @property
    def number_sip_rule_name(self) -> str:
        return f"{self.prefix}-number"

    @property
    def trunk_sip_rule_name(self) -> str:
        return f"{self.prefix}-trunk"

    def site_bucket_name(self, account: str) -> str:
        """Bucket names are global: account and region make ours unique. `account` is the stack's
        account token, or the text cdk-nag shows in its place (<AWS::AccountId>)."""
        return f"{self.prefix}-web-{account}-{self.region}"

    def cognito_domain_prefix(self, account: str) -> str:
        """Cognito domain prefixes are global per region; the account id makes ours unique."""
        return f"{self.prefix}-agents-{account}"

    def cognito_domain_url(self, account: str) -> str:
        return f"https://{self.cognito_domain_prefix(account)}.auth.{self.region}.amazoncognito.com"


# ---------------------------------------------------------------------------------------------------
# Parsing: context values are JSON-typed from cdk.json and strings from `-c key=value`.

T = TypeVar("T")


def _fail(key: str, value: Any, allowed: str) -> SettingsError:
    return SettingsError(f"setting {key}={json.dumps(value)}: {allowed}")


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "yes", "no", "1", "0"}:
        return value.strip().lower() in {"true", "yes", "1"}
    raise _fail(key, value, "must be true or false")


def _int(key: str, value: Any, low: int, high: int) -> int:
    try:
        number = None if isinstance(value, bool) else int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise _fail(key, value, f"must be a whole number from {low} to {high}")
    return number


def _text(key: str, value: Any, *, max_length: int, allow_empty: bool = True) -> str:
    if not isinstance(value, str) or len(value) > max_length or (not allow_empty and not value.strip()):
        need = "non-empty " if not allow_empty else ""
        raise _fail(key, value, f"must be {need}text of at most {max_length} characters")
    return value.strip()


def _list(key: str, value: Any) -> list[Any]:
    """A list from JSON, or from a comma-separated string as typed on the command line."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                parsed = json.loads(stripped)
            except json.JSONDecodeError as error:
                raise _fail(key, value, f"is not a valid JSON list ({error.msg})") from error
            if isinstance(parsed, list):
                return parsed
        return [part.strip() for part in stripped.split(",") if part.strip()]
    raise _fail(key, value, "must be a list (JSON, or comma-separated text)")


def _choice(key: str, value: Any, options: tuple[str, ...]) -> str:
    if value not in options:
        raise _fail(key, value, f"must be one of {', '.join(options)}")
    return str(value)


def _matching(key: str, value: Any, pattern: re.Pattern[str], allowed: str) -> str:
    if not isinstance(value, str) or not pattern.match(value.strip()):
        raise _fail(key, value, allowed)
    return value.strip()


def _origination_routes(key: str, value: Any) -> tuple[OriginationRoute, ...]:
    routes = []
    for item in _list(key, value):
        if not isinstance(item, dict) or not {"host"} <= set(item) <= {
            "host",
            "port",
            "protocol",
            "priority",
            "weight",
        }:
            raise _fail(key, value, 'each route is {"host", "port"?, "protocol"?, "priority"?, "weight"?}')
        host = item["host"]
        if not isinstance(host, str) or not re.match(r"^[A-Za-z0-9.-]{1,253}$", host):
            raise _fail(key, value, f"route host {host!r} must be a host name or IPv4 address")
        routes.append(
            OriginationRoute(
                host=host,
                port=_int(key, item.get("port", 5060), 1, 65535),
                protocol=_choice(key, item.get("protocol", "TCP"), ("TCP", "UDP")),
                priority=_int(key, item.get("priority", 1), 1, 99),
                weight=_int(key, item.get("weight", 1), 1, 99),
            )
        )
    if len(routes) > 20:
        raise _fail(key, value, "at most 20 routes")
    return tuple(routes)


def _cidrs(key: str, value: Any) -> tuple[str, ...]:
    cidrs = []
    for item in _list(key, value):
        try:
            network = ipaddress.IPv4Network(str(item), strict=True)
        except ValueError as error:
            raise _fail(key, value, f"{item!r} is not an IPv4 CIDR block ({error})") from error
        if network.prefixlen < 27:
            raise _fail(key, value, f"{item} is too wide: Voice Connector termination allows /27 or narrower")
        cidrs.append(str(network))
    return tuple(cidrs)


# ---------------------------------------------------------------------------------------------------

DEFAULTS: dict[str, Any] = {
    "prefix": "phoneline",
    "account": None,
    "region": "us-east-1",
    "meetingRegion": None,  # the deploy region
    "phoneNumber": None,
    "phoneCountry": "US",
    "phoneAreaCode": None,
    "phoneTollFreePrefix": None,
    "phoneNumberType": None,  # Local, or TollFree when a toll-free prefix is given
    "releaseNumberOnDelete": False,
    "voiceConnectorEncryption": True,
    "terminationCidrs": [],
    "terminationCallingRegions": ["US"],
    "terminationCpsLimit": 1,
    "originationRoutes": [],
    "sipLogging": True,
    "mediaMetricsLogging": True,
    "greetingText": "Thanks for calling. Please hold on while we connect you.",
    "greetingVoice": "Joanna",
    "waitTimeoutSeconds": 300,
    "callRetentionDays": 90,
    "azureOpenAiEndpoint": None,
    "azureOpenAiDeployment": "gpt-realtime",
    "azureOpenAiVoice": "marin",
    "azureOpenAiInstructions": DEFAULT_INSTRUCTIONS,
    "azureOpenAiTranscriptionModel": "whisper-1",
    "azureOpenAiSecretArn": None,
    "agentEmails": [],
    "mfa": None,  # required when outbound calling is enabled, else optional
    COUNTRIES_SETTING: [],
    PREFIXES_SETTING: [],
    DENIED_PREFIXES_SETTING: [],
    NUMBER_TYPES_SETTING: sorted(DEFAULT_NUMBER_TYPES),
    "outboundCallsPerAgentPerHour": 20,
    "outboundCallsPerDay": 200,
    "realtimeSessionsPerAgentPerHour": 30,
    "realtimeSecretSeconds": 60,
    "alarmEmail": None,
}

# Context keys that belong to the CDK itself, not to us.
_FOREIGN_KEY = re.compile(r"^(@aws-cdk/|aws:|aws-cdk:|cdk|acknowledged-issue-numbers|availability-zones:)")


def settings_from_context(
    context: Mapping[str, Any], *, default_account: str | None = None
) -> DeploySettings:
    """Validate the whole context; raise SettingsError naming the first bad setting."""
    unknown = sorted(key for key in context if key not in DEFAULTS and not _FOREIGN_KEY.match(key))
    if unknown:
        key = unknown[0]
        close = difflib.get_close_matches(key, DEFAULTS, n=1)
        hint = f"; did you mean {close[0]}?" if close else f"; known settings: {', '.join(DEFAULTS)}"
        raise SettingsError(f"setting {key}: unknown setting{hint}")

    def get(key: str) -> Any:
        value = context.get(key, DEFAULTS[key])
        return DEFAULTS[key] if value in ("", None) and DEFAULTS[key] is not None else value

    prefix = _matching(
        "prefix",
        get("prefix"),
        re.compile(r"^[a-z][a-z0-9-]{1,18}[a-z0-9]$"),
        "must be 3-20 lowercase letters, digits or dashes, starting with a letter (e.g. phoneline-prod)",
    )
    account = get("account") or default_account
    if account is not None:
        account = _matching(
            "account", str(account), re.compile(r"^\d{12}$"), "must be a 12-digit AWS account id"
        )
    region = get("region")
    if region not in VOICE_REGIONS:
        raise _fail(
            "region",
            region,
            f"Amazon Chime SDK SIP media applications exist only in {', '.join(VOICE_REGIONS)}",
        )
    meeting_region = _choice("meetingRegion", get("meetingRegion") or region, MEETING_REGIONS)

    settings = DeploySettings(
        prefix=prefix,
        account=account,
        region=region,
        meeting_region=meeting_region,
        phone=_phone(get),
        voice_connector=_voice_connector(get),
        call_control=CallControlOptions(
            greeting_text=_text("greetingText", get("greetingText") or "", max_length=1000),
            greeting_voice=_choice("greetingVoice", get("greetingVoice"), tuple(POLLY_STANDARD_VOICES)),
            greeting_language=POLLY_STANDARD_VOICES.get(str(get("greetingVoice")), "en-US"),
            wait_timeout_seconds=_int("waitTimeoutSeconds", get("waitTimeoutSeconds"), 30, 3600),
            call_retention_days=_int("callRetentionDays", get("callRetentionDays"), 1, 3650),
        ),
        azure=_azure(get),
        agents=_agents(get),
        alarm_email=(
            _matching("alarmEmail", get("alarmEmail"), EMAIL, "must be an e-mail address")
            if get("alarmEmail")
            else None
        ),
    )
    _refuse_unsafe_outbound(settings)
    return settings


def _refuse_unsafe_outbound(settings: DeploySettings) -> None:
    """Outbound calls cost money: a stolen password must not be enough, and someone must hear the alarms."""
    if not settings.outbound_enabled:
        return
    if settings.agents.mfa != "required":  # the default is required then: this was set explicitly
        raise _fail("mfa", settings.agents.mfa, "must be required while outbound calling is enabled")
    if not settings.alarm_email:
        raise _fail(
            "alarmEmail", None, "is required while outbound calling is enabled: its alarms need a recipient"
        )


def _phone(get: Callable[[str], Any]) -> PhoneNumberChoice:
    existing = get("phoneNumber")
    order_keys = [key for key in ("phoneAreaCode", "phoneTollFreePrefix") if get(key)]
    release = _bool("releaseNumberOnDelete", get("releaseNumberOnDelete"))
    if existing:
        try:
            existing = parse_number(str(existing)).e164
        except InvalidNumber as error:
            raise _fail("phoneNumber", existing, f"must be a valid number in E.164 form: {error}") from None
        if order_keys:
            raise _fail(
                order_keys[0],
                get(order_keys[0]),
                "cannot be combined with phoneNumber: either use an existing number or order a new one",
            )
        if release:
            raise _fail(
                "releaseNumberOnDelete",
                True,
                "applies only to numbers this app orders; an existing phoneNumber is never released",
            )
        return PhoneNumberChoice(existing, "", None, None, "", False)
    country = get("phoneCountry")
    if not isinstance(country, str) or not re.match(r"^[A-Z]{2}$", country):
        raise _fail("phoneCountry", country, "must be a two-letter ISO 3166 country code such as US")
    if country not in ORDERABLE_COUNTRIES:
        raise _fail(
            "phoneCountry",
            country,
            f"numbers can be ordered here only in {', '.join(ORDERABLE_COUNTRIES)}; for other countries get a "
            "number through AWS Support and set phoneNumber",
        )
    area_code, toll_free = get("phoneAreaCode"), get("phoneTollFreePrefix")
    if area_code and toll_free:
        raise _fail("phoneTollFreePrefix", toll_free, "cannot be combined with phoneAreaCode: choose one")
    default_type = "TollFree" if toll_free else "Local"
    number_type = _choice("phoneNumberType", get("phoneNumberType") or default_type, ("Local", "TollFree"))
    if area_code:
        area_code = _matching(
            "phoneAreaCode",
            str(area_code),
            re.compile(r"^[2-9]\d\d$"),
            "must be a 3-digit area code such as 206",
        )
        if number_type != "Local":
            raise _fail("phoneNumberType", number_type, "must be Local when phoneAreaCode is set")
    if toll_free:
        toll_free = _choice("phoneTollFreePrefix", str(toll_free), TOLL_FREE_PREFIXES)
        if number_type != "TollFree":
            raise _fail("phoneNumberType", number_type, "must be TollFree when phoneTollFreePrefix is set")
    if number_type == "Local" and not area_code:
        raise _fail(
            "phoneAreaCode",
            None,
            f"is required to order a Local {country} number: a 3-digit area code such as 206",
        )
    if number_type == "TollFree" and not toll_free:
        raise _fail(
            "phoneTollFreePrefix",
            None,
            f"is required for TollFree numbers: one of {', '.join(TOLL_FREE_PREFIXES)}",
        )
    return PhoneNumberChoice(None, country, area_code or None, toll_free or None, number_type, release)


def _voice_connector(get: Callable[[str], Any]) -> VoiceConnectorOptions:
    regions = [str(item) for item in _list("terminationCallingRegions", get("terminationCallingRegions"))]
    for code in regions:
        if not re.match(r"^[A-Z]{2}$", code):
            raise _fail("terminationCallingRegions", regions, "each entry must be a two-letter country code")
    return VoiceConnectorOptions(
        require_encryption=_bool("voiceConnectorEncryption", get("voiceConnectorEncryption")),
        termination_cidrs=_cidrs("terminationCidrs", get("terminationCidrs")),
        termination_calling_regions=tuple(regions),
        termination_cps_limit=_int("terminationCpsLimit", get("terminationCpsLimit"), 1, 100),
        origination_routes=_origination_routes("originationRoutes", get("originationRoutes")),
        sip_logging=_bool("sipLogging", get("sipLogging")),
        media_metrics_logging=_bool("mediaMetricsLogging", get("mediaMetricsLogging")),
    )


def _azure(get: Callable[[str], Any]) -> AzureOptions:
    endpoint = get("azureOpenAiEndpoint")
    if endpoint:
        endpoint = _matching(
            "azureOpenAiEndpoint",
            endpoint,
            AZURE_HOST,
            "must be your Azure OpenAI resource URL, e.g. https://my-resource.openai.azure.com",
        ).rstrip("/")
    secret_arn = get("azureOpenAiSecretArn")
    if secret_arn:
        secret_arn = _matching(
            "azureOpenAiSecretArn", secret_arn, SECRET_ARN, "must be a Secrets Manager secret ARN"
        )
    deployment = _matching(
        "azureOpenAiDeployment",
        get("azureOpenAiDeployment"),
        re.compile(r"^[A-Za-z0-9._-]{1,64}$"),
        "must be the Azure OpenAI deployment name (letters, digits, . _ -)",
    )
    return AzureOptions(
        endpoint=endpoint or None,
        deployment=deployment,
        voice=_choice("azureOpenAiVoice", get("azureOpenAiVoice"), AZURE_VOICES),
        instructions=_text(
            "azureOpenAiInstructions", get("azureOpenAiInstructions"), max_length=2000, allow_empty=False
        ),
        transcription_model=_matching(
            "azureOpenAiTranscriptionModel",
            get("azureOpenAiTranscriptionModel") or "",
            re.compile(r"^([A-Za-z0-9._-]{1,64})?$"),
            "must be the transcription deployment name (letters, digits, . _ -), or empty for no transcript",
        ),
        secret_arn=secret_arn or None,
    )


def _agents(get: Callable[[str], Any]) -> AgentOptions:
    emails = [str(item).strip() for item in _list("agentEmails", get("agentEmails"))]
    for email in emails:
        if not EMAIL.match(email):
            raise _fail("agentEmails", emails, f"{email!r} is not an e-mail address")
    if len(set(emails)) != len(emails):
        raise _fail("agentEmails", emails, "lists an address twice")
    dial_policy = _dial_policy(get)
    default_mfa = "required" if dial_policy.enabled else "optional"
    return AgentOptions(
        emails=tuple(emails),
        mfa=_choice("mfa", get("mfa") or default_mfa, ("off", "optional", "required")),
        dial_policy=dial_policy,
        outbound_calls_per_agent_per_hour=_int(
            "outboundCallsPerAgentPerHour", get("outboundCallsPerAgentPerHour"), 1, 1000
        ),
        outbound_calls_per_day=_int("outboundCallsPerDay", get("outboundCallsPerDay"), 1, 2000),
        realtime_sessions_per_agent_per_hour=_int(
            "realtimeSessionsPerAgentPerHour", get("realtimeSessionsPerAgentPerHour"), 1, 1000
        ),
        realtime_secret_seconds=_realtime_secret_seconds(get("realtimeSecretSeconds")),
    )


def _realtime_secret_seconds(value: Any) -> int:
    seconds = _int("realtimeSecretSeconds", value, 0, 7200)
    if 0 < seconds < 10:  # OpenAI's client_secrets expires_after.seconds: 10 to 7200
        raise _fail("realtimeSecretSeconds", value, "must be 0 (Azure's default) or from 10 to 7200")
    return seconds


def _dial_policy(get: Callable[[str], Any]) -> DialPolicy:
    """Countries, prefix exceptions and number types, each parsed by the policy module itself."""

    def parsed(key: str, parse: Callable[[list[str]], T]) -> T:
        values = _list(key, get(key))
        if not all(isinstance(value, str) for value in values):
            raise _fail(key, values, "each entry must be text")
        try:
            return parse([value.strip() for value in values])
        except PolicyError as error:
            raise _fail(key, values, str(error)) from None

    return DialPolicy(
        countries=parsed(COUNTRIES_SETTING, parse_countries),
        allowed_prefixes=parsed(PREFIXES_SETTING, parse_prefixes),
        denied_prefixes=parsed(
            DENIED_PREFIXES_SETTING, lambda values: parse_prefixes(values, allowing=False)
        ),
        number_types=parsed(NUMBER_TYPES_SETTING, parse_number_types),
    )
