"""The composition root: settings, AWS clients (timeouts sized for API Gateway's 30 s) and services.

Built once per container: at init inside Lambda, so a misconfiguration fails the cold start loudly; lazily
elsewhere (tests, OpenAPI generation, the bench), which may also install their own. Building is cheap and
offline: each AWS client is created when a request first needs it, and our number, when it lives in SSM, is
read when an outbound call first needs it, then kept for the container's life.
"""

from __future__ import annotations

import os
import secrets
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from calls.chime import ChimeMeetings, SmaCalls
from calls.e164 import is_e164
from calls.faults import AwsFault
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
# CreateSipMediaApplicationCall has no idempotency token: a retry after a lost answer could ring the callee
# twice. Sent once (calls.chime.SmaCalls.place_call says what a lost answer means); update requests are
# safe to repeat by hand, and the SMA Lambda answers a repeated one the same.
VOICE_CONFIG = Config(
    connect_timeout=1, read_timeout=3, retries={"mode": "standard", "total_max_attempts": 1}
)
SECRETS_CONFIG = Config(
    connect_timeout=1, read_timeout=2, retries={"mode": "standard", "total_max_attempts": 2}
)


class ParameterReader(Protocol):
    """The one SSM operation the API uses (mypy_boto3 has no stubs installed for SSM)."""

    def get_parameter(self, *, Name: str) -> Mapping[str, Any]: ...


class _LazyClient:
    """Stands in for a botocore client and creates it on first use, once.

    A cold start then pays only for the clients its first request needs (GET /calls: DynamoDB alone);
    each costs a service model to load, and the SSM one is the largest of all.
    """

    __slots__ = ("_client", "_create", "_lock")

    def __init__(self, create: Callable[[], object]) -> None:
        self._create = create
        self._client: object | None = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._create()
        return getattr(self._client, name)


@dataclass(frozen=True, slots=True)
class Clients:
    dynamodb: DynamoDBClient
    meetings: ChimeSDKMeetingsClient
    voice: ChimeSDKVoiceClient
    secrets: SecretsManagerClient
    ssm: ParameterReader | None = None  # only where our number lives in SSM

    @classmethod
    def create(
        cls, session: botocore.session.Session | None = None, *, meetings_region: str | None = None
    ) -> Clients:
        """Clients created on first use. `meetings_region`: the meetings control Region (None: the session's).

        botocore directly: boto3 would only add its own import (and s3transfer's) to every cold start.
        """
        aws = session or botocore.session.get_session()

        def lazy(service: str, config: Config, region: str | None = None) -> Any:
            return _LazyClient(lambda: aws.create_client(service, region_name=region, config=config))

        return cls(
            dynamodb=lazy("dynamodb", DYNAMODB_CONFIG),
            meetings=lazy("chime-sdk-meetings", CHIME_CONFIG, meetings_region),
            voice=lazy("chime-sdk-voice", VOICE_CONFIG),
            secrets=lazy("secretsmanager", SECRETS_CONFIG),
            ssm=cast("ParameterReader", lazy("ssm", SECRETS_CONFIG)),
        )


class OurNumber:
    """Our number, the caller id of outbound calls: PHONE_NUMBER as given, or PHONE_NUMBER_PARAMETER read
    from SSM when first needed and kept for the container's life. A failed read is not kept: the next call
    tries again, and until then outbound calls fail with an error naming the parameter."""

    def __init__(self, settings: Settings, ssm: ParameterReader | None) -> None:
        self._name = settings.phone_number_parameter
        self._value = settings.phone_number
        self._ssm = ssm
        self._lock = threading.Lock()
        if not self._value and ssm is None:
            raise ConfigurationError(
                f"the meeting API is misconfigured: PHONE_NUMBER_PARAMETER {self._name} needs an SSM client"
            )

    def __call__(self) -> str:
        if not self._value:
            with self._lock:
                if not self._value:
                    self._value = self._read()
        return self._value

    def _read(self) -> str:
        assert self._ssm is not None  # checked in __init__
        try:
            value = str(self._ssm.get_parameter(Name=self._name)["Parameter"]["Value"])
        except (ClientError, BotoCoreError) as error:
            # Throttled or timed out: 503, retry; refused or missing: 502 naming the parameter. Either way
            # an AWS fault the API answers as such, not an unexpected error.
            fault = AwsFault.from_error("SSM", "GetParameter", error)
            raise AwsFault(
                fault.service,
                fault.operation,
                fault.code,
                kind=fault.kind,
                message=f"{fault.message}: our number, PHONE_NUMBER_PARAMETER {self._name}",
                detail=fault.detail,
            ) from error
        if not is_e164(value):
            raise ConfigurationError(
                f"the meeting API is misconfigured: PHONE_NUMBER_PARAMETER {self._name} holds {value!r}, "
                "not an E.164 number"
            )
        return value


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
    our_number: OurNumber

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
        our_number = OurNumber(settings, clients.ssm)
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
            our_number=our_number,
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
        return cls(
            settings=settings,
            clients=clients,
            desk=desk,
            realtime=realtime,
            sessions=sessions,
            our_number=our_number,
        )

    @classmethod
    def from_environment(cls, session: botocore.session.Session | None = None) -> Runtime:
        """Validate the settings and wire the services: no AWS client is created and nothing is read yet."""
        settings = Settings.from_env(os.environ)
        meetings_region = settings.control_region(os.environ.get("AWS_REGION", ""))
        return cls.build(settings, Clients.create(session, meetings_region=meetings_region))


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
