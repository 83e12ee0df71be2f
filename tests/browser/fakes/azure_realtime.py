"""Fake Azure OpenAI Realtime WebRTC endpoint (GA `/openai/v1/realtime/calls`): checks the ephemeral
key and the two headers, answers the SDP offer with a real aiortc peer whose "voice" is a tone,
accepts the events channel, and records what the model would hear."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.browser.fakes.http import RequestRecord, cors_middleware
from tests.browser.fakes.peer import AudioPeer

CALLS_PATH = "/openai/v1/realtime/calls"


@dataclass
class SecretRegistry:
    """Client secrets minted by the fake API's /realtime/session, accepted by the fake Azure."""

    lifetime: int = 60
    _secrets: dict[str, float] = field(default_factory=dict)

    def mint(self) -> tuple[str, int]:
        value = f"ek_{secrets.token_urlsafe(18)}"
        expires_at = int(time.time()) + self.lifetime
        self._secrets[value] = expires_at
        return value, expires_at

    def valid(self, value: str) -> bool:
        return self._secrets.get(value, 0) > time.time()

    @property
    def minted(self) -> int:
        return len(self._secrets)


class FakeAzureRealtime:
    def __init__(self, web_origin: str, registry: SecretRegistry, voice_hz: float = 880.0) -> None:
        self.web_origin = web_origin
        self.registry = registry
        self.voice_hz = voice_hz
        self.sessions: list[AudioPeer] = []
        self.requests: list[RequestRecord] = []
        self.preflight_headers: list[str] = []
        #: Queued failures for the next offers: (status, body).
        self.fail_next: list[tuple[int, dict[str, Any]]] = []

    def app(self) -> web.Application:
        cors = cors_middleware(self.web_origin, "authorization, content-type", "Location")

        @web.middleware
        async def record_preflight(request: web.Request, handler):
            if request.method == "OPTIONS":
                self.preflight_headers.append(request.headers.get("Access-Control-Request-Headers", ""))
            return await handler(request)

        app = web.Application(middlewares=[record_preflight, cors])
        app.router.add_post(CALLS_PATH, self.create_call)
        return app

    @property
    def latest(self) -> AudioPeer | None:
        return self.sessions[-1] if self.sessions else None

    async def create_call(self, request: web.Request) -> web.Response:
        offer = await request.text()
        self.requests.append(RequestRecord("POST", request.path, dict(request.headers), offer))
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not self.registry.valid(auth.removeprefix("Bearer ")):
            return web.json_response(
                {
                    "error": {
                        "message": "Incorrect API key provided.",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
                status=401,
            )
        if self.fail_next:
            status, body = self.fail_next.pop(0)
            return web.json_response(body, status=status)
        if request.content_type != "application/sdp" or not offer.startswith("v="):
            return web.json_response({"error": {"message": "Expected an SDP offer."}}, status=400)

        peer = AudioPeer(self.voice_hz, f"azure-{len(self.sessions) + 1}")

        def on_event(event: dict[str, Any]) -> None:
            kind = event.get("type")
            if kind == "__channel_open__":
                peer.send(
                    {"type": "session.created", "session": {"type": "realtime", "id": f"sess_{peer.label}"}}
                )
            elif kind == "session.update":
                peer.send({"type": "session.updated", "session": event.get("session", {})})

        peer.on_message(on_event)
        self.sessions.append(peer)
        answer = await peer.answer(offer)
        call_id = f"rtc_{secrets.token_hex(8)}"
        return web.Response(
            status=201,
            text=answer,
            content_type="application/sdp",
            headers={"Location": f"{CALLS_PATH}/{call_id}"},
        )

    async def close(self) -> None:
        for peer in self.sessions:
            await peer.close()
