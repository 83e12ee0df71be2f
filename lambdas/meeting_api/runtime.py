"""The composition root: settings, boto3 clients (timeouts sized for API Gateway's 30 s) and services.

Built once per container: eagerly at init inside Lambda, so a misconfiguration fails the cold start loudly;
lazily elsewhere (tests, OpenAPI generation, the bench), which may also install their own.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from calls.chime import ChimeMeetings, SmaCalls
from calls.e164 import is_e164
from calls.store import CallStore
from meeting_api.azure_key import AzureKeySource
from meeting_api.azure_realtime import DEFAULT_TIMEOUT_SECONDS, RealtimeMinter, SessionConfig
from meeting_api.desk import CallDesk
from meeting_api.rate_limit import OutboundRateLimiter, SessionRateLimiter
from meeting_api.settings import ConfigurationError, Settings

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_meetings import ChimeSDKMeetingsClient
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_secretsmanager import SecretsManagerClient

# Worst case per call stays a few seconds; a whole request, even placing a call, stays well under 10 s.
DYNAMODB_CONFIG = Config(
    connect_timeout=1, read_timeout=2, retries={"mode": "standard", "total_max_attempts": 3}
)
CHIME_CONFIG = Config(
    connect_timeout=1, read_timeout=3, retries={"mode": "standard", "total_max_attempts": 2}
)
SECRETS_CONFIG = Config(
    connect_timeout=1, read_timeout=2, retries={"mode": "standard", "total_max_attempts": 2}
)


@dataclass(frozen=True, slots=True)
class Clients:
    dynamodb: DynamoDBClient
    meetings: ChimeSDKMeetingsClient
    voice: ChimeSDKVoiceClient
    secrets: SecretsManagerClient

    @classmethod
    def create(cls, session: boto3.Session | None = None, *, meetings_region: str | None = None) -> Clients:
        """`meetings_region`: the meetings control Region (None: the session's own)."""
        session = session or boto3.Session()
        return cls(
            dynamodb=session.client("dynamodb", config=DYNAMODB_CONFIG),
            meetings=session.client("chime-sdk-meetings", region_name=meetings_region, config=CHIME_CONFIG),
            voice=session.client("chime-sdk-voice", config=CHIME_CONFIG),
            secrets=session.client("secretsmanager", config=SECRETS_CONFIG),
        )


def utc_now() -> datetime:
    return datetime.now(UTC)


def random_uuid() -> str:
    return str(uuid.uuid4())


def random_nonce() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    clients: Clients
    desk: CallDesk
    realtime: RealtimeMinter | None  # None: Azure OpenAI is not configured
    sessions: SessionRateLimiter

    @classmethod
    def build(
        cls,
        settings: Settings,
        clients: Clients,
        *,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], str] = random_uuid,
        nonce: Callable[[], str] = random_nonce,
        azure_timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> Runtime:
        """Wire the services; tests pass a fixed clock, ids and a short Azure timeout."""
        store = CallStore(clients.dynamodb, settings.calls_table_name)
        desk = CallDesk(
            store=store,
            meetings=ChimeMeetings(clients.meetings, media_region=settings.meeting_region),
            calls=SmaCalls(clients.voice, sip_media_application_id=settings.sma_id),
            limiter=OutboundRateLimiter(
                clients.dynamodb,
                settings.calls_table_name,
                calls_per_hour=settings.outbound_calls_per_agent_per_hour,
                calls_per_day=settings.outbound_calls_per_day,
            ),
            our_number=settings.phone_number,
            dial_policy=settings.dial_policy,
            retention=settings.call_retention,
            clock=clock,
            new_id=new_id,
            nonce=nonce,
        )
        realtime = (
            None
            if not settings.azure_configured
            else RealtimeMinter(
                endpoint=settings.azure_openai_endpoint,
                session=SessionConfig(
                    deployment=settings.azure_openai_deployment,
                    instructions=settings.azure_openai_instructions,
                    voice=settings.azure_openai_voice,
                    transcription_model=settings.azure_openai_transcription_model,
                    secret_seconds=settings.realtime_secret_seconds,
                ),
                keys=AzureKeySource(clients.secrets, settings.azure_openai_secret_arn),
                timeout=azure_timeout,
            )
        )
        sessions = SessionRateLimiter(
            clients.dynamodb,
            settings.calls_table_name,
            sessions_per_hour=settings.realtime_sessions_per_agent_per_hour,
            clock=clock,
        )
        return cls(settings=settings, clients=clients, desk=desk, realtime=realtime, sessions=sessions)

    @classmethod
    def from_environment(cls, session: boto3.Session | None = None) -> Runtime:
        settings = Settings.from_env(os.environ)
        if settings.phone_number_parameter:
            settings = with_phone_number_from_ssm(settings, session or boto3.Session())
        meetings_region = settings.control_region(os.environ.get("AWS_REGION", ""))
        return cls.build(settings, Clients.create(session, meetings_region=meetings_region))


def with_phone_number_from_ssm(settings: Settings, session: boto3.Session) -> Settings:
    """Read our number once per container from the parameter the telephony stack writes."""
    name = settings.phone_number_parameter
    client = session.client("ssm", config=SECRETS_CONFIG)
    try:
        value = client.get_parameter(Name=name)["Parameter"]["Value"]
    except (ClientError, BotoCoreError) as error:
        raise ConfigurationError(
            f"the meeting API is misconfigured: PHONE_NUMBER_PARAMETER {name} could not be read ({error})"
        ) from error
    if not is_e164(value):
        raise ConfigurationError(
            f"the meeting API is misconfigured: PHONE_NUMBER_PARAMETER {name} holds {value!r}, not an E.164 number"
        )
    return settings.model_copy(update={"phone_number": value})


_current: Runtime | None = None


def current() -> Runtime:
    global _current  # noqa: PLW0603 - one runtime per container is the point
    if _current is None:
        _current = Runtime.from_environment()
    return _current


def install(runtime: Runtime | None) -> None:
    """Use this runtime from now on (None: build from the environment on next use)."""
    global _current  # noqa: PLW0603
    _current = runtime
