"""The local Events endpoint holds clients to AppSync's rules: the subprotocols, the host and token in
them, channels only in defined namespaces, and no publishing from a subscriber's socket."""

from __future__ import annotations

import asyncio
import base64
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from tests.browser.fakes.cognito import TokenRegistry
from tests.browser.fakes.events import FakeEvents


def header(headers: dict[str, str]) -> str:
    return "header-" + base64.urlsafe_b64encode(json.dumps(headers).encode()).decode().rstrip("=")


async def scenario(steps: Any) -> Any:
    tokens = TokenRegistry()
    token = tokens.issue({"aud": "client", "token_use": "id", "sub": "agent"})
    events = FakeEvents(tokens, "client")
    server = TestServer(events.app())
    await server.start_server()
    events.http_host = f"127.0.0.1:{server.port}"
    auth = {"host": events.http_host, "Authorization": token}
    try:
        async with ClientSession() as session:
            return await steps(session, server, events, auth)
    finally:
        await server.close()


def run(steps: Any) -> Any:
    # Playwright's sync API (the browser tests, which may share this xdist worker) leaves an event loop
    # running on this thread: the scenario gets a thread, and so a loop, of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, scenario(steps)).result()


def test_a_subscriber_gets_acked_subscribed_and_fed_but_may_not_publish() -> None:
    async def steps(
        session: ClientSession, server: TestServer, events: FakeEvents, auth: dict[str, str]
    ) -> Any:
        url = server.make_url("/event/realtime")
        async with session.ws_connect(url, protocols=("aws-appsync-event-ws", header(auth))) as ws:
            assert ws.protocol == "aws-appsync-event-ws"
            await ws.send_json({"type": "connection_init"})
            ack = await ws.receive_json()
            await ws.send_json({"type": "subscribe", "id": "1", "channel": "/queue/*", "authorization": auth})
            ok = await ws.receive_json()
            await ws.send_json({"type": "subscribe", "id": "2", "channel": "/other/x", "authorization": auth})
            refused = await ws.receive_json()
            await events.publish_local("/queue/ringing", '{"n":1}')
            data = await ws.receive_json()
            await ws.send_json(
                {
                    "type": "publish",
                    "id": "3",
                    "channel": "/queue/new",
                    "events": ["{}"],
                    "authorization": auth,
                }
            )
            publish = await ws.receive_json()
            return ack, ok, refused, data, publish

    ack, ok, refused, data, publish = run(steps)
    assert ack == {"type": "connection_ack", "connectionTimeoutMs": 300_000}
    assert ok == {"type": "subscribe_success", "id": "1"}
    assert (
        refused["type"] == "subscribe_error" and refused["errors"][0]["errorType"] == "UnauthorizedException"
    )
    assert data == {"type": "data", "id": "1", "event": '{"n":1}'}
    assert publish["type"] == "publish_error"


def test_a_wrong_host_or_token_is_refused_at_connection() -> None:
    async def steps(
        session: ClientSession, server: TestServer, events: FakeEvents, auth: dict[str, str]
    ) -> Any:
        url = server.make_url("/event/realtime")
        answers = []
        for bad in ({**auth, "host": "elsewhere"}, {**auth, "Authorization": "forged"}):
            async with session.ws_connect(url, protocols=("aws-appsync-event-ws", header(bad))) as ws:
                answers.append(await ws.receive_json())
        plain = await session.get(url)
        return answers, plain.status

    answers, status = run(steps)
    assert [a["type"] for a in answers] == ["connection_error", "connection_error"]
    assert status == 400  # no subprotocols: not a WebSocket upgrade AppSync accepts


def test_an_unsigned_publish_is_refused() -> None:
    async def steps(
        session: ClientSession, server: TestServer, events: FakeEvents, auth: dict[str, str]
    ) -> Any:
        body = {"channel": "/queue/new", "events": ["{}"]}
        answer = await session.post(
            server.make_url("/event"), json=body, headers={"Authorization": auth["Authorization"]}
        )
        return answer.status, events.published

    status, published = run(steps)
    assert status == 401 and published == []
