"""The publisher against the local Events endpoint: SigV4-signed, ≤5 events a request, failures reported."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web
from botocore.credentials import ReadOnlyCredentials

from call_events.handler import publish_changes
from call_events.publisher import EventsPublisher, PublishFailed
from calls.record import CallStatus
from tests.browser.fakes.cognito import TokenRegistry
from tests.browser.fakes.events import FakeEvents
from tests.unit.lambdas.call_events.test_channels import ringing_call, stream_record

CREDENTIALS = ReadOnlyCredentials("AKIDEXAMPLE", "secret", "session-token")


class Served:
    def __init__(self) -> None:
        self.events = FakeEvents(TokenRegistry(), "client")
        self.requests: list[dict[str, Any]] = []
        self.fail_status: int | None = None
        self.loop = asyncio.new_event_loop()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/event"

    def app(self) -> web.Application:
        @web.middleware
        async def record(request: web.Request, handler: Any) -> web.StreamResponse:
            self.requests.append({"headers": dict(request.headers), "body": json.loads(await request.read())})
            if self.fail_status:
                return web.Response(status=self.fail_status)
            return await handler(request)

        app = self.events.app()
        app.middlewares.append(record)
        return app

    def start(self) -> None:
        async def serve() -> None:
            runner = web.AppRunner(self.app())
            await runner.setup()
            await web.SockSite(runner, self.sock).start()

        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(serve(), self.loop).result(10)


@pytest.fixture
def served() -> Iterator[Served]:
    server = Served()
    server.start()
    yield server
    server.loop.call_soon_threadsafe(server.loop.stop)


def publisher(served: Served) -> EventsPublisher:
    return EventsPublisher(served.url, "us-east-1", lambda: CREDENTIALS)


def test_a_publish_is_signed_for_appsync_and_carries_stringified_events(served: Served) -> None:
    publisher(served).publish("/queue/ringing", ['{"a":1}'])
    (request,) = served.requests
    headers = request["headers"]
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-east-1/appsync/aws4_request" in headers["Authorization"]
    assert "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token" in headers["Authorization"]
    assert headers["X-Amz-Security-Token"] == "session-token"
    assert request["body"] == {"channel": "/queue/ringing", "events": ['{"a":1}']}
    assert served.events.published[0][:2] == ("/queue/ringing", '{"a":1}')


def test_more_than_five_events_are_refused_before_sending(served: Served) -> None:
    with pytest.raises(ValueError, match="1 to 5 events"):
        publisher(served).publish("/queue/new", ["{}"] * 6)
    assert served.requests == []


def test_a_refused_publish_raises(served: Served) -> None:
    with pytest.raises(PublishFailed, match="HTTP 400"):
        publisher(served).publish("/nowhere/x", ["{}"])
    served.fail_status = 503
    with pytest.raises(PublishFailed, match="HTTP 503"):
        publisher(served).publish("/queue/new", ["{}"])


def test_a_batch_of_changes_is_published_per_channel_in_chunks_of_five(served: Served) -> None:
    records = [
        stream_record(ringing_call(call_id=f"call-{n}", status=CallStatus.RINGING), seq=str(100 + n))
        for n in range(7)
    ]
    assert publish_changes(records, publisher(served)) == []
    queue_posts = [r["body"] for r in served.requests if r["body"]["channel"] == "/queue/ringing"]
    assert [len(body["events"]) for body in queue_posts] == [5, 2]
    ids = [json.loads(e)["call"]["id"] for body in queue_posts for e in body["events"]]
    assert ids == [f"call-{n}" for n in range(7)]  # stream order kept
    assert len(served.requests) == 2 + 7  # plus one status post per call


def test_failed_publishes_name_their_records_for_the_retry(served: Served) -> None:
    served.fail_status = 500
    records = [stream_record(ringing_call(call_id=f"call-{n}"), seq=str(200 + n)) for n in range(2)]
    failed = publish_changes(records, publisher(served))
    assert sorted(set(failed)) == ["200", "201"]


def test_the_handler_reports_the_earliest_failed_record(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    from call_events import handler

    served.fail_status = 500
    monkeypatch.setattr(handler, "_publisher", publisher(served))
    records = [stream_record(ringing_call(call_id=f"call-{n}"), seq=str(n)) for n in (900, 1000)]

    class Context:
        function_name = "f"
        memory_limit_in_mb = 128
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
        aws_request_id = "r"

    answer = handler.lambda_handler({"Records": records}, Context())  # type: ignore[arg-type]
    assert answer == {"batchItemFailures": [{"itemIdentifier": "900"}]}


def test_the_handler_signs_with_the_functions_role_credentials_from_its_environment(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    from call_events import handler

    monkeypatch.setattr(handler, "_publisher", None)
    monkeypatch.setenv("EVENTS_HTTP_URL", served.url)
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAROLEKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "role-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "role-token")

    class Context:
        function_name = "f"
        memory_limit_in_mb = 128
        invoked_function_arn = "arn:aws:lambda:us-west-2:123456789012:function:f"
        aws_request_id = "r"

    answer = handler.lambda_handler({"Records": [stream_record(ringing_call())]}, Context())  # type: ignore[arg-type]
    assert answer == {"batchItemFailures": []}
    authorization = served.requests[0]["headers"]["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=ASIAROLEKEY/")
    assert "/us-west-2/appsync/aws4_request" in authorization
    assert served.requests[0]["headers"]["X-Amz-Security-Token"] == "role-token"
