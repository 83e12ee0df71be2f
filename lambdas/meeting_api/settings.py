"""The function's configuration: every environment variable parsed and validated once, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    field_validator,
    model_validator,
)

from calls.e164 import is_e164
from calls.phone_numbers import DialPolicy
from calls.record import DEFAULT_RETENTION
from calls.regions import MEETINGS_CONTROL_REGIONS, control_region_for

_GUID = r"^[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}$"
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

NonEmpty = Annotated[str, Field(min_length=1)]


def _our_number(value: object) -> object:
    # A number AWS gave us: its E.164 shape is checked, not libphonenumber's (possibly older) ranges.
    if isinstance(value, str) and value and not is_e164(value):
        raise ValueError("must be our number in E.164 form, e.g. +12065550100")
    return value


def _dial_policy(value: object) -> DialPolicy:
    if isinstance(value, DialPolicy):
        return value
    if not isinstance(value, str):
        raise ValueError("must be the JSON the stack writes (DialPolicy.to_json)")  # noqa: TRY004 - pydantic reports ValueError only
    return DialPolicy.from_json(value)  # its PolicyError is a ValueError naming the bad field


class ConfigurationError(RuntimeError):
    """The environment does not describe a usable function; the message names every bad variable."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    calls_table_name: NonEmpty
    sma_id: Annotated[str, Field(pattern=_GUID)]
    # Our number (caller id for outbound calls), or the SSM parameter the telephony stack keeps it in: the
    # parameter lets the number change without CloudFormation's cross-stack export lock.
    phone_number: Annotated[str, BeforeValidator(_our_number)] = ""
    phone_number_parameter: Annotated[str, Field(pattern=r"^(/[A-Za-z0-9_.\-/]{1,1000})?$")] = ""
    meeting_region: Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")]
    # Where meetings are created and deleted; empty: this Region if it has the meetings API, else us-east-1.
    meetings_control_region: str = ""
    # Empty: the AI assistant is off; everything else works and POST /realtime/session answers 503.
    azure_openai_endpoint: str = ""
    azure_openai_deployment: str = ""
    azure_openai_voice: NonEmpty = "marin"
    azure_openai_instructions: NonEmpty = (
        "You help a call-centre agent on a live phone call. Be brief, accurate and polite."
    )
    # Empty turns transcription of the caller's words off.
    azure_openai_transcription_model: str = "whisper-1"
    azure_openai_secret_arn: Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:secretsmanager:")]
    # Which numbers agents may dial (calls.phone_numbers); unset: outbound calling is off.
    dial_policy: Annotated[DialPolicy, PlainValidator(_dial_policy), PlainSerializer(DialPolicy.to_json)] = (
        DialPolicy()
    )
    outbound_calls_per_agent_per_hour: Annotated[int, Field(ge=1, le=10_000)] = 20
    outbound_calls_per_day: Annotated[int, Field(ge=1, le=10_000)] = 200  # the whole line, any 24 hours
    realtime_sessions_per_agent_per_hour: Annotated[int, Field(ge=1, le=10_000)] = 30
    # Lifetime asked for a minted Azure client secret (expires_after.seconds, 10-7200); 0: Azure's default.
    realtime_secret_seconds: Annotated[int, Field(ge=0, le=7200)] = 60
    call_retention_days: Annotated[int, Field(ge=1, le=3650)] = DEFAULT_RETENTION.days

    @field_validator("azure_openai_endpoint")
    @classmethod
    def _endpoint_is_https(cls, value: str) -> str:
        if not value.strip():
            return ""
        parts = urlsplit(value.strip())
        local = parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS  # the tests' fake Azure
        if not (parts.scheme == "https" or local) or not parts.hostname or parts.path not in ("", "/"):
            raise ValueError("must be the resource's base URL, e.g. https://myres.openai.azure.com")
        return f"{parts.scheme}://{parts.netloc}"

    @field_validator("meetings_control_region")
    @classmethod
    def _has_meetings_api(cls, value: str) -> str:
        if value and value not in MEETINGS_CONTROL_REGIONS:
            raise ValueError(
                f"must be a Region with the Chime SDK meetings API: {', '.join(sorted(MEETINGS_CONTROL_REGIONS))}"
            )
        return value

    def control_region(self, own_region: str) -> str:
        """The meetings API Region: the one configured, else this function's own when it has the API."""
        return self.meetings_control_region or control_region_for(own_region)

    @field_validator("realtime_secret_seconds")
    @classmethod
    def _secret_lifetime(cls, value: int) -> int:
        if 0 < value < 10:
            raise ValueError("must be 0 (Azure's default) or from 10 to 7200 seconds")
        return value

    @model_validator(mode="after")
    def _one_phone_number_source(self) -> Settings:
        if bool(self.phone_number) == bool(self.phone_number_parameter):
            raise ValueError("set exactly one of PHONE_NUMBER and PHONE_NUMBER_PARAMETER")
        return self

    @model_validator(mode="after")
    def _deployment_with_endpoint(self) -> Settings:
        if self.azure_openai_endpoint and not self.azure_openai_deployment.strip():
            raise ValueError(
                "AZURE_OPENAI_DEPLOYMENT must name the realtime deployment when the endpoint is set"
            )
        return self

    @property
    def azure_configured(self) -> bool:
        return bool(self.azure_openai_endpoint)

    @property
    def call_retention(self) -> timedelta:
        return timedelta(days=self.call_retention_days)

    @property
    def outbound_enabled(self) -> bool:
        return self.dial_policy.enabled

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read the variables named like the fields in upper case; unset optional ones take their defaults."""
        values = {name: environ[name.upper()] for name in cls.model_fields if name.upper() in environ}
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(
                f"{str(issue['loc'][0]).upper()}: {issue['msg']}" if issue["loc"] else issue["msg"]
                for issue in error.errors(include_url=False)
            )
            raise ConfigurationError(f"the meeting API is misconfigured: {problems}") from None
