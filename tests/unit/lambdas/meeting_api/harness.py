"""Drives the meeting API Lambda end to end offline: real-shaped HTTP API events in, Lambda responses out.

DynamoDB and Secrets Manager are moto; Chime SDK clients are real boto3 clients under botocore Stubbers, so every
call is checked against the service models; Azure is tests.fakes.azure_openai.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from botocore.stub import Stubber

from calls.record import CallRecord, CallStatus, Direction
from calls.store import CallStore
from meeting_api.runtime import Runtime
from meeting_api.settings import Settings
from tests.fakes.azure_openai import FakeAzureOpenAI

EVENTS = Path(__file__).parents[3] / "events" / "api"
T0 = datetime(2026, 11, 24, 12, 0, 0, 123000, tzinfo=UTC)
# Agents are their Cognito `sub` (what answered_by holds); the e-mail is for display.
AGENT = "3c1f4b2e-8d7a-4f0e-9b61-2a5d7e9c0f11"  # the sub of the ID token in tests/events/api/*.json
AGENT_EMAIL = "ann@example.com"
OTHER_AGENT = "8b2e5d1a-6c4f-4e7b-a9d3-0f1e2c3b4a59"
OTHER_AGENT_EMAIL = "bob@example.com"
EMAILS = {AGENT: AGENT_EMAIL, OTHER_AGENT: OTHER_AGENT_EMAIL}
CALL_ID = "6f1c2d3e-4b5a-4978-8c6d-5e4f3a2b1c0d"
MEETING_ID = "4e8f5a2b-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
TRANSACTION_ID = "0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f"
SMA_ID = "11111111-2222-4333-8444-555555555555"
OUR_NUMBER = "+12065550100"
CALLER = "+14255550142"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:azure-openai-AbCdEf"
AZURE_KEY = "azure-key-0123456789abcdef"
NO_BODY = object()

# The variables the stack must set; the others have defaults.
REQUIRED_ENV = {
    "CALLS_TABLE_NAME": "calls",
    "SMA_ID": SMA_ID,
    "PHONE_NUMBER": "+12065550100",
    "MEETING_REGION": "us-east-1",
    "AZURE_OPENAI_ENDPOINT": "https://myres.openai.azure.com/",
    "AZURE_OPENAI_DEPLOYMENT": "gpt-realtime",
    "AZURE_OPENAI_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:azure-AbCdEf",
}


def settings(azure_endpoint: str, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "calls_table_name": "calls",
        "sma_id": SMA_ID,
        "phone_number": OUR_NUMBER,
        "meeting_region": "us-east-1",
        "azure_openai_endpoint": azure_endpoint,
        "azure_openai_deployment": "gpt-realtime",
        "azure_openai_voice": "marin",
        "azure_openai_instructions": "Help the agent.",
        "azure_openai_secret_arn": SECRET_ARN,
        "dial_policy": '{"countries": ["US", "CA", "GB"]}',
        "outbound_calls_per_agent_per_hour": 3,
        "call_retention_days": 30,
    }
    values.update(changes)
    return Settings.model_validate(values)


def chime_meeting(meeting_id: str = MEETING_ID, external_id: str = f"call-{CALL_ID}") -> dict[str, Any]:
    """A Meeting as Chime SDK meetings returns it (shape checked by the Stubber against the service model)."""
    host = "abcdef0123456789abcdef0123456789.k.m1.ue1.app.chime.aws"
    return {
        "MeetingId": meeting_id,
        "ExternalMeetingId": external_id,
        "MediaRegion": "us-east-1",
        "MediaPlacement": {
            "AudioHostUrl": f"{host}:3478",
            "AudioFallbackUrl": f"wss://haxrp.m1.ue1.app.chime.aws:443/calls/{meeting_id}",
            "SignalingUrl": f"wss://signal.m1.ue1.app.chime.aws/control/{meeting_id}",
            "TurnControlUrl": "https://2713.cell.us-east-1.meetings.chime.aws/v2/turn_sessions",
            "ScreenDataUrl": f"wss://bitpw.m1.ue1.app.chime.aws:443/v2/screen/{meeting_id}",
            "ScreenViewingUrl": f"wss://bitpw.m1.ue1.app.chime.aws:443/ws/connect?X-BitHub-Call-Id={meeting_id}",
            "ScreenSharingUrl": f"wss://bitpw.m1.ue1.app.chime.aws:443/v2/screen/{meeting_id}",
            "EventIngestionUrl": "https://data.svc.ue1.ingest.chime.aws/v1/client-events",
        },
        "MeetingFeatures": {"Audio": {"EchoReduction": "AVAILABLE"}},
        "MeetingArn": f"arn:aws:chime:us-east-1:123456789012:meeting/{meeting_id}",
    }


def chime_attendee(external_user_id: str, attendee_id: str) -> dict[str, Any]:
    return {
        "ExternalUserId": external_user_id,
        "AttendeeId": attendee_id,
        "JoinToken": f"join-token-for-{attendee_id}",
        "Capabilities": {"Audio": "SendReceive", "Video": "SendReceive", "Content": "SendReceive"},
    }


def id_token_claims(sub: str = AGENT, **changes: str) -> dict[str, str]:
    """The claims of a Cognito ID token as API Gateway passes them (every value a string)."""
    event = json.loads((EVENTS / "list_calls.json").read_text())
    claims: dict[str, str] = event["requestContext"]["authorizer"]["jwt"]["claims"]
    return {**claims, "sub": sub, "cognito:username": sub, "email": EMAILS.get(sub, AGENT_EMAIL), **changes}


def access_token_claims(sub: str = AGENT) -> dict[str, str]:
    """The claims of a Cognito access token from the same app client: `client_id`, no `aud`, no e-mail."""
    return {
        "sub": sub,
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E",
        "client_id": "5f1a2b3c4d5e6f7a8b9c0d1e2f",
        "origin_jti": "0b7c9a5e-1f3d-4c2b-8a6e-9d0f1e2c3b4a",
        "event_id": "a2d4f6b8-0c1e-4a3b-9d5f-7e8a0b2c4d6e",
        "token_use": "access",
        "scope": "openid profile email",
        "auth_time": "1795521000",
        "exp": "1795524600",
        "iat": "1795521000",
        "jti": "d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a",
        "username": sub,
    }


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: str | None

    def json(self) -> Any:
        assert self.body, f"expected a JSON body, got {self.body!r} (status {self.status})"
        return json.loads(self.body)

    @property
    def error(self) -> dict[str, str]:
        payload = self.json()
        assert set(payload) == {"error"} and set(payload["error"]) == {"code", "message"}, payload
        return dict(payload["error"])


@dataclass
class LambdaContext:
    function_name: str = "meeting-api"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:meeting-api"
    aws_request_id: str = "5b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e"


@dataclass
class Harness:
    runtime: Runtime
    dynamodb: Any
    meetings: Stubber
    voice: Stubber
    azure: FakeAzureOpenAI
    now: datetime = T0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _nonces: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def reconfigure(self, **changes: Any) -> Runtime:
        """Rebuild the runtime with other settings (same clients, clock and ids) and use it."""
        from meeting_api import runtime

        current = self.runtime.settings.model_dump()
        self.runtime = Runtime.build(
            Settings.model_validate({**current, **changes}),
            self.runtime.clients,
            clock=lambda: self.now,
            new_id=self.next_uuid,
            nonce=self.next_nonce,
            azure_timeout=0.5,
        )
        runtime.install(self.runtime)
        return self.runtime

    @property
    def store(self) -> CallStore:
        return CallStore(self.dynamodb, "calls")

    # Deterministic ids for assertions

    def next_uuid(self) -> str:
        return f"00000000-0000-4000-8000-{next(self._ids):012d}"

    def next_nonce(self) -> str:
        return f"{next(self._nonces):016x}"

    @staticmethod
    def nonce(number: int) -> str:
        return f"{number:016x}"

    # Requests

    def request(
        self,
        name: str,
        *,
        method: str | None = None,
        path: str | None = None,
        body: Any = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str | None] | None = None,
        claims: dict[str, str] | None = None,
        anonymous: bool = False,
        base64_encoded: bool = False,
    ) -> ApiResponse:
        """`headers`: a None value removes that header from the event."""
        from meeting_api import handler

        event = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
        if method is not None:
            event["requestContext"]["http"]["method"] = method
        if path is not None:
            event["rawPath"] = event["requestContext"]["http"]["path"] = path
        if body is NO_BODY:
            event.pop("body", None)
        elif body is not None:
            event["body"] = body if isinstance(body, str) else json.dumps(body)
        if query is not None:
            event["queryStringParameters"] = query
            event["rawQueryString"] = "&".join(f"{key}={value}" for key, value in query.items())
        for header, value in (headers or {}).items():
            if value is None:
                event["headers"].pop(header, None)
            else:
                event["headers"][header] = value
        event["isBase64Encoded"] = base64_encoded
        if anonymous:
            event["requestContext"].pop("authorizer", None)
        elif claims is not None:
            event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": []}}
        raw = handler.lambda_handler(event, LambdaContext())
        return ApiResponse(status=raw["statusCode"], headers=raw.get("headers", {}), body=raw.get("body"))

    def as_agent(self, name: str, agent: str, **options: Any) -> ApiResponse:
        """The request with the ID token of the agent whose `sub` is `agent`."""
        return self.request(name, claims=id_token_claims(agent), **options)

    # State

    def put_call(self, **fields: Any) -> CallRecord:
        values: dict[str, Any] = {
            "call_id": CALL_ID,
            "direction": Direction.INBOUND,
            "from_number": CALLER,
            "to_number": OUR_NUMBER,
            "status": CallStatus.RINGING,
            "now": self.now,
            "transaction_id": TRANSACTION_ID,
            "meeting_id": MEETING_ID,
        }
        values.update(fields)
        record = CallRecord.new(**values)
        assert self.store.create(record)
        return record

    @contextmanager
    def dynamodb_fault(
        self,
        operation: str,
        when: Callable[[dict[str, Any]], bool],
        *,
        code: str = "ProvisionedThroughputExceededException",
        instead: Callable[[], None] | None = None,
    ) -> Iterator[None]:
        """Fail the DynamoDB `operation` calls whose parameters satisfy `when` with `code`, as AWS would.

        `instead`: run it in place of failing (once), then let the call through: a concurrent request.
        """
        service_event = f"before-parameter-build.dynamodb.{operation}"

        def intercept(params: dict[str, Any], **_: Any) -> None:
            if not when(params):
                return
            if instead is not None:
                self.dynamodb.meta.events.unregister(service_event, intercept)
                instead()
                return
            raise ClientError({"Error": {"Code": code, "Message": "injected"}}, operation)

        self.dynamodb.meta.events.register(service_event, intercept)
        try:
            yield
        finally:
            self.dynamodb.meta.events.unregister(service_event, intercept)

    def snapshot(self) -> list[dict[str, Any]]:
        """Every item in the calls table: equal before and after a refused request means nothing changed."""
        items = self.dynamodb.scan(TableName="calls", ConsistentRead=True)["Items"]
        return sorted(items, key=lambda item: item["call_id"]["S"])
