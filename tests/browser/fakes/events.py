"""A local AppSync Events endpoint speaking the real protocol, for the browser tests and bench/push.py.

WebSocket (GET /event/realtime): subprotocols `aws-appsync-event-ws` and `header-<base64url JSON>` whose
JSON holds `host` (the HTTP endpoint's host) and `Authorization` (a Cognito JWT the fake Cognito issued);
`connection_init` → `connection_ack` (connectionTimeoutMs), `ka` on a timer, `subscribe` →
`subscribe_success` / `subscribe_error`, `data` with the event as a JSON string, `unsubscribe`, and
`publish` refused (publishing is IAM only: browsers cannot publish). HTTP (POST /event): SigV4-signed by
the `appsync` service, `{"channel", "events": [≤5 JSON strings]}` → `{"successful": [...], "failed": []}`.
Namespaces are the deployed ones (call_events.channels); a channel outside them is refused, as AWS does.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from call_events.channels import MAX_EVENTS_PER_PUBLISH, NAMESPACES
from tests.browser.fakes.cognito import TokenRegistry

PROTOCOL = "aws-appsync-event-ws"
SIGV4 = re.compile(r"^AWS4-HMAC-SHA256 Credential=[^/]+/\d{8}/[a-z0-9-]+/appsync/aws4_request, ")
_SEGMENT = re.compile(r"^[A-Za-z0-9-]{1,50}$")


def decode_header_protocol(protocol: str) -> dict[str, Any] | None:
    """The `header-` subprotocol's JSON (unpadded base64url), or None if it is not one."""
    if not protocol.startswith("header-"):
        return None
    text = protocol.removeprefix("header-")
    try:
        decoded = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError):
        return None
    return decoded if isinstance(decoded, dict) else None


def valid_channel(channel: str, *, subscribe: bool) -> bool:
    """`/<namespace>/<segment>...`, at most 5 segments, in a defined namespace; a subscription may end in
    `*`. Segments: letters, digits, dashes [inferred from AWS's examples; stricter than needed is fine]."""
    segments = channel.strip("/").split("/") if channel.startswith("/") else []
    if not 1 < len(segments) <= 5 or segments[0] not in NAMESPACES:
        return False
    last = segments[-1]
    body = segments[1:-1] if subscribe and last == "*" else segments[1:]
    return all(_SEGMENT.match(segment) for segment in body)


def matches(subscription: str, channel: str) -> bool:
    if subscription.endswith("/*"):
        return channel.startswith(subscription[:-1])
    return subscription == channel


@dataclass
class Subscriber:
    socket: web.WebSocketResponse
    subscriptions: dict[str, str] = field(default_factory=dict)  # id -> channel


class FakeEvents:
    def __init__(self, tokens: TokenRegistry, client_id: str) -> None:
        self.tokens = tokens
        self.client_id = client_id
        self.http_host = ""  # set by whoever knows the port: the `host` the browser must name
        self.connection_timeout_ms = 300_000
        self.keepalive_seconds = 60.0
        self.subscribers: list[Subscriber] = []
        self.connections = 0
        self.subscribes: list[tuple[str, str]] = []  # (channel, outcome)
        self.published: list[tuple[str, str, float]] = []  # (channel, event, when received)
        self.delivered = 0
        self.refuse_connections = False

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/event/realtime", self.realtime)
        app.router.add_post("/event", self.publish_http)
        return app

    # ---- auth ----

    def _authorized(self, headers: Any) -> bool:
        if not isinstance(headers, dict) or headers.get("host") != self.http_host:
            return False
        claims = self.tokens.claims_for(str(headers.get("Authorization", "")))
        # The user pool mode checks the app client: `aud` of an ID token, `client_id` of an access token.
        return bool(claims) and self.client_id in (claims.get("aud"), claims.get("client_id"))

    # ---- WebSocket ----

    async def realtime(self, request: web.Request) -> web.StreamResponse:
        offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
        headers = next((h for p in offered if (h := decode_header_protocol(p)) is not None), None)
        if PROTOCOL not in offered or headers is None:
            return web.Response(status=400, text="expected the aws-appsync-event-ws and header- subprotocols")
        socket = web.WebSocketResponse(protocols=(PROTOCOL,))
        await socket.prepare(request)
        if self.refuse_connections or not self._authorized(headers):
            await self._send(socket, {"type": "connection_error", "errors": [_unauthorized()]})
            await socket.close()
            return socket
        self.connections += 1
        subscriber = Subscriber(socket)
        keepalive: asyncio.Task[None] | None = None
        try:
            async for message in socket:
                if message.type != WSMsgType.TEXT:
                    continue
                data = json.loads(message.data)
                kind = data.get("type")
                if kind == "connection_init":
                    await self._send(
                        socket, {"type": "connection_ack", "connectionTimeoutMs": self.connection_timeout_ms}
                    )
                    self.subscribers.append(subscriber)
                    keepalive = asyncio.create_task(self._keepalive(socket))
                elif kind == "subscribe":
                    await self._subscribe(subscriber, data)
                elif kind == "unsubscribe":
                    subscriber.subscriptions.pop(str(data.get("id")), None)
                    await self._send(socket, {"type": "unsubscribe_success", "id": data.get("id")})
                elif kind == "publish":
                    await self._send(
                        socket, {"type": "publish_error", "id": data.get("id"), "errors": [_unauthorized()]}
                    )
                else:
                    await self._send(
                        socket,
                        {
                            "type": "error",
                            "errors": [
                                {"errorType": "UnsupportedOperation", "message": f"{kind} not supported"}
                            ],
                        },
                    )
        finally:
            if keepalive:
                keepalive.cancel()
            if subscriber in self.subscribers:
                self.subscribers.remove(subscriber)
        return socket

    async def _subscribe(self, subscriber: Subscriber, data: dict[str, Any]) -> None:
        sub_id, channel = str(data.get("id", "")), str(data.get("channel", ""))
        if not self._authorized(data.get("authorization")):
            error = _unauthorized()
        elif not valid_channel(channel, subscribe=True):
            error = {"errorType": "UnauthorizedException", "message": f"no namespace allows {channel!r}"}
        else:
            subscriber.subscriptions[sub_id] = channel
            self.subscribes.append((channel, "success"))
            await self._send(subscriber.socket, {"type": "subscribe_success", "id": sub_id})
            return
        self.subscribes.append((channel, "error"))
        await self._send(subscriber.socket, {"type": "subscribe_error", "id": sub_id, "errors": [error]})

    async def _keepalive(self, socket: web.WebSocketResponse) -> None:
        while not socket.closed:
            await asyncio.sleep(self.keepalive_seconds)
            await self._send(socket, {"type": "ka"})

    @staticmethod
    async def _send(socket: web.WebSocketResponse, message: dict[str, Any]) -> None:
        if not socket.closed:
            await socket.send_str(json.dumps(message))

    # ---- HTTP publish ----

    async def publish_http(self, request: web.Request) -> web.Response:
        if not SIGV4.match(request.headers.get("Authorization", "")) or "X-Amz-Date" not in request.headers:
            return web.json_response({"errors": [_unauthorized()]}, status=401)
        body = await request.json()
        channel, events = body.get("channel"), body.get("events")
        if not isinstance(channel, str) or not valid_channel(channel, subscribe=False):
            return web.json_response(
                {"errors": [{"errorType": "BadRequestException", "message": "channel"}]}, status=400
            )
        if not isinstance(events, list) or not 0 < len(events) <= MAX_EVENTS_PER_PUBLISH:
            return web.json_response(
                {"errors": [{"errorType": "BadRequestException", "message": "events"}]}, status=400
            )
        successful = []
        for index, event in enumerate(events):
            json.loads(event)  # each event is a JSON value as a string
            await self.publish_local(channel, event)
            successful.append({"identifier": str(uuid.uuid4()), "index": index})
        return web.json_response({"successful": successful, "failed": []})

    async def publish_local(self, channel: str, event: str) -> None:
        self.published.append((channel, event, time.monotonic()))
        for subscriber in list(self.subscribers):
            for sub_id, subscription in subscriber.subscriptions.items():
                if matches(subscription, channel):
                    self.delivered += 1
                    await self._send(subscriber.socket, {"type": "data", "id": sub_id, "event": event})

    # ---- test controls ----

    async def drop_connections(self) -> None:
        """The network drops every socket (code 1006 as the browser sees an abnormal close)."""
        for subscriber in list(self.subscribers):
            await subscriber.socket.close(code=1011, message=b"dropped by the test")

    async def close(self) -> None:
        await self.drop_connections()


def _unauthorized() -> dict[str, str]:
    return {"errorType": "UnauthorizedException", "message": "You are not authorized to make this call."}
