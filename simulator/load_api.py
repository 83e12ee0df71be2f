"""The meeting API as agents' browsers reach it in a load run: the real handler, API Gateway v2 events with
the claims of a Cognito ID token (what the JWT authorizer passes), against the run's local AWS."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import botocore.session

from calls import phone_numbers
from calls.faults import AwsFault
from meeting_api import handler as api_handler
from meeting_api import runtime as api_runtime
from meeting_api.agents import Agent
from meeting_api.api import STATUS_OF, STATUS_OF_FAULT
from meeting_api.runtime import Clients, Runtime
from meeting_api.settings import Settings


def _status_of(error: Exception) -> int:
    if isinstance(error, AwsFault):
        return STATUS_OF_FAULT[error.kind][0]
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind][0]
    return 500


ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LoadTest01"
APP_CLIENT = "5f1a2b3c4d5e6f7a8b9c0d1e2f"
UNUSED_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:azure-openai-Unused"  # noqa: S105 - a name


@dataclass(frozen=True, slots=True)
class LoadAgent:
    sub: str
    email: str

    @classmethod
    def numbered(cls, index: int) -> LoadAgent:
        return cls(sub=f"00000000-1111-4222-8333-{index:012d}", email=f"agent{index}@example.com")

    def claims(self) -> dict[str, str]:
        """A Cognito ID token's claims as API Gateway hands them to the Lambda: every value a string."""
        now = int(time.time())
        return {
            "sub": self.sub,
            "cognito:username": self.sub,
            "email": self.email,
            "email_verified": "true",
            "token_use": "id",
            "iss": ISSUER,
            "aud": APP_CLIENT,
            "auth_time": str(now - 60),
            "iat": str(now - 60),
            "exp": str(now + 3600),
        }


@dataclass(frozen=True, slots=True)
class LambdaContext:
    """Enough of a Lambda context for Powertools."""

    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 1024
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


@dataclass(frozen=True, slots=True)
class ApiAnswer:
    status: int
    body: Any

    def field(self, *path: str) -> Any:
        value = self.body
        for name in path:
            value = value.get(name) if isinstance(value, Mapping) else None
        return value


def http_event(
    agent: LoadAgent, method: str, path: str, route: str, body: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event for `route`, e.g. "POST /calls/{id}/answer", as API Gateway sends it."""
    text = json.dumps(body) if body is not None else None
    segments = dict(zip(route.split(" ", 1)[1].split("/"), path.split("/"), strict=True))
    parameters = {key[1:-1]: value for key, value in segments.items() if key.startswith("{")}
    now_ms = int(time.time() * 1000)
    headers = {"accept": "application/json", "origin": "https://agents.example.com"}
    if text is not None:
        headers |= {"content-type": "application/json", "content-length": str(len(text))}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "loadapi001",
            "domainName": "loadapi001.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "loadapi001",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "simulator-load",
            },
            "requestId": uuid.uuid4().hex[:16],
            "routeKey": route,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now_ms / 1000)),
            "timeEpoch": now_ms,
            "authorizer": {"jwt": {"claims": agent.claims(), "scopes": None}},
        },
        "isBase64Encoded": False,
    }
    if parameters:
        event["pathParameters"] = parameters
    if text is not None:
        event["body"] = text
    return event


class MeetingApi:
    """The real meeting API handler with a runtime built on `session` (whose requests the run counts)."""

    def __init__(
        self,
        env: Mapping[str, str],
        session: botocore.session.Session,
        *,
        our_number: str,
        record: Callable[[str, float], None],
    ) -> None:
        settings = Settings.model_validate(
            {
                "calls_table_name": env["CALLS_TABLE_NAME"],
                "sma_id": env["SMA_ID"],
                "phone_number": our_number,
                "meeting_region": env["MEETING_REGION"],
                "azure_openai_secret_arn": UNUSED_SECRET,  # no Azure in a load run: nobody mints sessions
                "dial_policy": env[phone_numbers.ENV_VAR],
                # A load run places hundreds of calls from a handful of agents: the caps are not under test.
                "outbound_calls_per_agent_per_hour": 10_000,
                "outbound_calls_per_day": 10_000,
            }
        )
        clients = Clients.create(session)
        api_runtime.install(Runtime.build(settings, clients))
        self._record = record
        # One request at a time, as in one Lambda execution environment: Powertools' resolver keeps the
        # request being resolved on the module-level app, so two threads in it would answer each other's.
        self._environment = threading.Lock()

    def close(self) -> None:
        api_runtime.install(None)

    def request(
        self, agent: LoadAgent, method: str, path: str, route: str, body: Mapping[str, Any] | None = None
    ) -> ApiAnswer:
        event = http_event(agent, method, path, route, body)
        context = LambdaContext("meeting-api", str(uuid.uuid4()))
        with self._environment:
            started = time.perf_counter()
            response = api_handler.lambda_handler(event, context)
            self._record(route, time.perf_counter() - started)
        text = response.get("body")
        return ApiAnswer(int(response["statusCode"]), json.loads(text) if text else None)

    # The routes a load run uses

    def place_call(self, agent: LoadAgent, to: str) -> ApiAnswer:
        return self.request(agent, "POST", "/calls", "POST /calls", {"to": to})

    def get_call(self, agent: LoadAgent, call_id: str) -> ApiAnswer:
        return self.request(agent, "GET", f"/calls/{call_id}", "GET /calls/{id}")

    def answer(self, agent: LoadAgent, call_id: str) -> ApiAnswer:
        return self.request(agent, "POST", f"/calls/{call_id}/answer", "POST /calls/{id}/answer")

    def transfer(self, agent: LoadAgent, call_id: str, to: str) -> ApiAnswer:
        return self.request(
            agent, "POST", f"/calls/{call_id}/transfer", "POST /calls/{id}/transfer", {"to": to}
        )

    def answer_elsewhere(self, agent: LoadAgent, call_id: str) -> ApiAnswer:
        """The same answer served by a second execution environment, at the same time as the first.

        One process holds one copy of the handler's module state, so this runs the desk the route calls,
        outside the single-request lock, and maps its errors as the API's table does: what races here is
        the calls table and Chime, as it would between two Lambda environments.
        """
        desk = api_runtime.current().desk
        started = time.perf_counter()
        try:
            joined = desk.answer(call_id, Agent(id=agent.sub, email=agent.email))
        except Exception as error:
            return ApiAnswer(_status_of(error), {"error": {"message": str(error)}})
        finally:
            self._record("POST /calls/{id}/answer (second environment)", time.perf_counter() - started)
        view = {"call": joined.call.to_view(), "meeting": joined.meeting, "attendee": joined.attendee}
        return ApiAnswer(200, view)

    def hang_up(self, agent: LoadAgent, call_id: str) -> ApiAnswer:
        return self.request(agent, "POST", f"/calls/{call_id}/hangup", "POST /calls/{id}/hangup")
