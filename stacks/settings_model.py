"""The deploy settings as the stacks read them: typed, already validated (stacks/settings.py parses them),
with every name derived from the prefix in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from calls.contracts import API_NAMESPACE_SUFFIX, CALLS_NAMESPACE_SUFFIX
from calls.phone_numbers import DialPolicy
from calls.regions import control_region_for


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
