"""Deploy settings: read once from CDK context, validated before any construct is built.

Every setting comes from cdk.json's context or `-c key=value`. A bad value stops synth with one line
naming the setting, the value given and what is allowed. What the settings hold: stacks/settings_model.py;
the value readers and allowed values: stacks/context_values.py.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

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
from stacks.context_values import (
    AZURE_HOST,
    AZURE_VOICES,
    DEFAULT_INSTRUCTIONS,
    EMAIL,
    MEETING_REGIONS,
    ORDERABLE_COUNTRIES,
    POLLY_STANDARD_VOICES,
    SECRET_ARN,
    TOLL_FREE_PREFIXES,
    VOICE_REGIONS,
    SettingsError,
    boolean,
    cidr_blocks,
    fail,
    list_value,
    matching,
    one_of,
    origination_routes,
    text_value,
    whole_number,
)
from stacks.settings_model import (
    AgentOptions,
    AzureOptions,
    CallControlOptions,
    DeploySettings,
    OriginationRoute,
    PhoneNumberChoice,
    VoiceConnectorOptions,
)

# The names the stacks, scripts and tests import from here: one door to the settings.
__all__ = [
    "DEFAULTS",
    "VOICE_REGIONS",
    "AgentOptions",
    "AzureOptions",
    "CallControlOptions",
    "DeploySettings",
    "OriginationRoute",
    "PhoneNumberChoice",
    "SettingsError",
    "VoiceConnectorOptions",
    "settings_from_context",
]

T = TypeVar("T")

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

    prefix = matching(
        "prefix",
        get("prefix"),
        re.compile(r"^[a-z][a-z0-9-]{1,18}[a-z0-9]$"),
        "must be 3-20 lowercase letters, digits or dashes, starting with a letter (e.g. phoneline-prod)",
    )
    account = get("account") or default_account
    if account is not None:
        account = matching(
            "account", str(account), re.compile(r"^\d{12}$"), "must be a 12-digit AWS account id"
        )
    region = get("region")
    if region not in VOICE_REGIONS:
        raise fail(
            "region",
            region,
            f"Amazon Chime SDK SIP media applications exist only in {', '.join(VOICE_REGIONS)}",
        )
    meeting_region = one_of("meetingRegion", get("meetingRegion") or region, MEETING_REGIONS)

    settings = DeploySettings(
        prefix=prefix,
        account=account,
        region=region,
        meeting_region=meeting_region,
        phone=_phone(get),
        voice_connector=_voice_connector(get),
        call_control=CallControlOptions(
            greeting_text=text_value("greetingText", get("greetingText") or "", max_length=1000),
            greeting_voice=one_of("greetingVoice", get("greetingVoice"), tuple(POLLY_STANDARD_VOICES)),
            greeting_language=POLLY_STANDARD_VOICES.get(str(get("greetingVoice")), "en-US"),
            wait_timeout_seconds=whole_number("waitTimeoutSeconds", get("waitTimeoutSeconds"), 30, 3600),
            call_retention_days=whole_number("callRetentionDays", get("callRetentionDays"), 1, 3650),
        ),
        azure=_azure(get),
        agents=_agents(get),
        alarm_email=(
            matching("alarmEmail", get("alarmEmail"), EMAIL, "must be an e-mail address")
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
        raise fail("mfa", settings.agents.mfa, "must be required while outbound calling is enabled")
    if not settings.alarm_email:
        raise fail(
            "alarmEmail", None, "is required while outbound calling is enabled: its alarms need a recipient"
        )


def _phone(get: Callable[[str], Any]) -> PhoneNumberChoice:
    existing = get("phoneNumber")
    order_keys = [key for key in ("phoneAreaCode", "phoneTollFreePrefix") if get(key)]
    release = boolean("releaseNumberOnDelete", get("releaseNumberOnDelete"))
    if existing:
        try:
            existing = parse_number(str(existing)).e164
        except InvalidNumber as error:
            raise fail("phoneNumber", existing, f"must be a valid number in E.164 form: {error}") from None
        if order_keys:
            raise fail(
                order_keys[0],
                get(order_keys[0]),
                "cannot be combined with phoneNumber: either use an existing number or order a new one",
            )
        if release:
            raise fail(
                "releaseNumberOnDelete",
                True,
                "applies only to numbers this app orders; an existing phoneNumber is never released",
            )
        return PhoneNumberChoice(existing, "", None, None, "", False)
    country = get("phoneCountry")
    if not isinstance(country, str) or not re.match(r"^[A-Z]{2}$", country):
        raise fail("phoneCountry", country, "must be a two-letter ISO 3166 country code such as US")
    if country not in ORDERABLE_COUNTRIES:
        raise fail(
            "phoneCountry",
            country,
            f"numbers can be ordered here only in {', '.join(ORDERABLE_COUNTRIES)}; for other countries get a "
            "number through AWS Support and set phoneNumber",
        )
    area_code, toll_free = get("phoneAreaCode"), get("phoneTollFreePrefix")
    if area_code and toll_free:
        raise fail("phoneTollFreePrefix", toll_free, "cannot be combined with phoneAreaCode: choose one")
    default_type = "TollFree" if toll_free else "Local"
    number_type = one_of("phoneNumberType", get("phoneNumberType") or default_type, ("Local", "TollFree"))
    if area_code:
        area_code = matching(
            "phoneAreaCode",
            str(area_code),
            re.compile(r"^[2-9]\d\d$"),
            "must be a 3-digit area code such as 206",
        )
        if number_type != "Local":
            raise fail("phoneNumberType", number_type, "must be Local when phoneAreaCode is set")
    if toll_free:
        toll_free = one_of("phoneTollFreePrefix", str(toll_free), TOLL_FREE_PREFIXES)
        if number_type != "TollFree":
            raise fail("phoneNumberType", number_type, "must be TollFree when phoneTollFreePrefix is set")
    if number_type == "Local" and not area_code:
        raise fail(
            "phoneAreaCode",
            None,
            f"is required to order a Local {country} number: a 3-digit area code such as 206",
        )
    if number_type == "TollFree" and not toll_free:
        raise fail(
            "phoneTollFreePrefix",
            None,
            f"is required for TollFree numbers: one of {', '.join(TOLL_FREE_PREFIXES)}",
        )
    return PhoneNumberChoice(None, country, area_code or None, toll_free or None, number_type, release)


def _voice_connector(get: Callable[[str], Any]) -> VoiceConnectorOptions:
    regions = [
        str(item) for item in list_value("terminationCallingRegions", get("terminationCallingRegions"))
    ]
    for code in regions:
        if not re.match(r"^[A-Z]{2}$", code):
            raise fail("terminationCallingRegions", regions, "each entry must be a two-letter country code")
    return VoiceConnectorOptions(
        require_encryption=boolean("voiceConnectorEncryption", get("voiceConnectorEncryption")),
        termination_cidrs=cidr_blocks("terminationCidrs", get("terminationCidrs")),
        termination_calling_regions=tuple(regions),
        termination_cps_limit=whole_number("terminationCpsLimit", get("terminationCpsLimit"), 1, 100),
        origination_routes=origination_routes("originationRoutes", get("originationRoutes")),
        sip_logging=boolean("sipLogging", get("sipLogging")),
        media_metrics_logging=boolean("mediaMetricsLogging", get("mediaMetricsLogging")),
    )


def _azure(get: Callable[[str], Any]) -> AzureOptions:
    endpoint = get("azureOpenAiEndpoint")
    if endpoint:
        endpoint = matching(
            "azureOpenAiEndpoint",
            endpoint,
            AZURE_HOST,
            "must be your Azure OpenAI resource URL, e.g. https://my-resource.openai.azure.com",
        ).rstrip("/")
    secret_arn = get("azureOpenAiSecretArn")
    if secret_arn:
        secret_arn = matching(
            "azureOpenAiSecretArn", secret_arn, SECRET_ARN, "must be a Secrets Manager secret ARN"
        )
    deployment = matching(
        "azureOpenAiDeployment",
        get("azureOpenAiDeployment"),
        re.compile(r"^[A-Za-z0-9._-]{1,64}$"),
        "must be the Azure OpenAI deployment name (letters, digits, . _ -)",
    )
    return AzureOptions(
        endpoint=endpoint or None,
        deployment=deployment,
        voice=one_of("azureOpenAiVoice", get("azureOpenAiVoice"), AZURE_VOICES),
        instructions=text_value(
            "azureOpenAiInstructions", get("azureOpenAiInstructions"), max_length=2000, allow_empty=False
        ),
        transcription_model=matching(
            "azureOpenAiTranscriptionModel",
            get("azureOpenAiTranscriptionModel") or "",
            re.compile(r"^([A-Za-z0-9._-]{1,64})?$"),
            "must be the transcription deployment name (letters, digits, . _ -), or empty for no transcript",
        ),
        secret_arn=secret_arn or None,
    )


def _agents(get: Callable[[str], Any]) -> AgentOptions:
    emails = [str(item).strip() for item in list_value("agentEmails", get("agentEmails"))]
    for email in emails:
        if not EMAIL.match(email):
            raise fail("agentEmails", emails, f"{email!r} is not an e-mail address")
    if len(set(emails)) != len(emails):
        raise fail("agentEmails", emails, "lists an address twice")
    dial_policy = _dial_policy(get)
    default_mfa = "required" if dial_policy.enabled else "optional"
    return AgentOptions(
        emails=tuple(emails),
        mfa=one_of("mfa", get("mfa") or default_mfa, ("off", "optional", "required")),
        dial_policy=dial_policy,
        outbound_calls_per_agent_per_hour=whole_number(
            "outboundCallsPerAgentPerHour", get("outboundCallsPerAgentPerHour"), 1, 1000
        ),
        outbound_calls_per_day=whole_number("outboundCallsPerDay", get("outboundCallsPerDay"), 1, 2000),
        realtime_sessions_per_agent_per_hour=whole_number(
            "realtimeSessionsPerAgentPerHour", get("realtimeSessionsPerAgentPerHour"), 1, 1000
        ),
        realtime_secret_seconds=_realtime_secret_seconds(get("realtimeSecretSeconds")),
    )


def _realtime_secret_seconds(value: Any) -> int:
    seconds = whole_number("realtimeSecretSeconds", value, 0, 7200)
    if 0 < seconds < 10:  # OpenAI's client_secrets expires_after.seconds: 10 to 7200
        raise fail("realtimeSecretSeconds", value, "must be 0 (Azure's default) or from 10 to 7200")
    return seconds


def _dial_policy(get: Callable[[str], Any]) -> DialPolicy:
    """Countries, prefix exceptions and number types, each parsed by the policy module itself."""

    def parsed(key: str, parse: Callable[[list[str]], T]) -> T:
        values = list_value(key, get(key))
        if not all(isinstance(value, str) for value in values):
            raise fail(key, values, "each entry must be text")
        try:
            return parse([value.strip() for value in values])
        except PolicyError as error:
            raise fail(key, values, str(error)) from None

    return DialPolicy(
        countries=parsed(COUNTRIES_SETTING, parse_countries),
        allowed_prefixes=parsed(PREFIXES_SETTING, parse_prefixes),
        denied_prefixes=parsed(
            DENIED_PREFIXES_SETTING, lambda values: parse_prefixes(values, allowing=False)
        ),
        number_types=parsed(NUMBER_TYPES_SETTING, parse_number_types),
    )
