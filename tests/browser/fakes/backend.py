"""All the fakes the web client talks to, each on its own 127.0.0.1 port (its own origin, so CORS
is exercised as in production), driven from an asyncio loop in a background thread."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from stacks.web.csp import content_security_policy  # the policy CloudFront serves
from tests.browser.fakes.azure_realtime import FakeAzureRealtime, SecretRegistry
from tests.browser.fakes.chime_media import FakeChimeMedia
from tests.browser.fakes.cognito import Agent, FakeCognito, TokenRegistry
from tests.browser.fakes.events import FakeEvents
from tests.browser.fakes.meeting_api import FakeMeetingApi
from tests.browser.fakes.stream import CallsStream
from tests.browser.fakes.web import StaticSite

T = TypeVar("T")

# Cognito names users of an e-mail sign-in pool with a generated id (their sub); only the ID token carries
# the e-mail.
AGENT = Agent(email="ana@example.com", sub="6f0d2a8e-5b1c-4c57-9a61-2f3c8e7d4b10")
CLIENT_ID = "fakeclient0123456789abcdef"


def _listen() -> tuple[socket.socket, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


class FakeBackend:
    def __init__(self, dist: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="fakes", daemon=True)
        self._runners: list[web.AppRunner] = []
        self._sockets = {name: _listen() for name in ("web", "api", "cognito", "azure", "chime", "events")}
        self.urls = {name: url for name, (_, url) in self._sockets.items()}
        web_origin = self.urls["web"]

        self.tokens = TokenRegistry()
        self.secrets = SecretRegistry()
        self.site = StaticSite(dist)
        self.cognito = FakeCognito(CLIENT_ID, web_origin, self.tokens, AGENT)
        self.azure = FakeAzureRealtime(web_origin, self.secrets)
        self.chime = FakeChimeMedia(web_origin)
        self.chime.base_url = self.urls["chime"]
        self.api = FakeMeetingApi(web_origin, self.tokens, self.secrets, self.chime, self.urls["azure"])
        self.events = FakeEvents(self.tokens, CLIENT_ID)
        self.events.http_host = self.urls["events"].removeprefix("http://")
        self.push = CallsStream(self.events_url_http)
        self.site.config = self.default_config()
        # Chime signals over a WebSocket (wss://*.chime.aws in production): the fake's ws:// origin too; so
        # does the push channel (wss://*.appsync-realtime-api... in production).
        chime_ws = self.urls["chime"].replace("http://", "ws://")
        events_ws = self.urls["events"].replace("http://", "ws://")
        self.site.csp = content_security_policy(
            [*(self.urls[n] for n in ("api", "cognito", "azure", "chime")), chime_ws, events_ws]
        )

    def default_config(self) -> dict[str, str]:
        return {
            "region": "us-east-1",
            "apiUrl": self.urls["api"],
            "userPoolId": "us-east-1_FakePool",
            "userPoolClientId": CLIENT_ID,
            "cognitoDomain": self.urls["cognito"],
        }

    @property
    def events_url_http(self) -> str:
        return self.urls["events"] + "/event"

    def enable_push(self) -> None:
        """config.json names the fake Events endpoint, and every call write reaches it through the real
        publisher (call_events), as the calls table's stream would deliver it."""
        self.site.config = {
            **self.default_config(),
            "eventsRealtimeUrl": self.urls["events"].replace("http://", "ws://") + "/event/realtime",
            "eventsHttpHost": self.events.http_host,
        }
        self.api.on_write = self.push.write

    # ---- lifecycle ----

    def start(self) -> FakeBackend:
        self._thread.start()
        self.run(self._serve())
        return self

    async def _serve(self) -> None:
        apps = {
            "web": self.site.app(),
            "api": self.api.app(),
            "cognito": self.cognito.app(),
            "azure": self.azure.app(),
            "chime": self.chime.app(),
            "events": self.events.app(),
        }
        for name, app in apps.items():
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.SockSite(runner, self._sockets[name][0]).start()
            self._runners.append(runner)

    def stop(self) -> None:
        async def shutdown() -> None:
            await self.azure.close()
            await self.chime.close()
            await self.events.close()
            for runner in self._runners:
                await runner.cleanup()

        try:
            self.run(shutdown(), timeout=15)
        finally:
            self.push.close()
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=5)

    # ---- running things on the fakes' loop from the test thread ----

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        async def wrapper() -> T:
            return fn(*args, **kwargs)

        return self.run(wrapper())
