"""A local stand-in for Azure OpenAI's GA Realtime client-secret endpoint, strict about the request it accepts.

It checks what Microsoft documents for `POST https://<resource>.openai.azure.com/openai/v1/realtime/client_secrets`
(GA: no api-version; `api-key` header; JSON `{"session": {"type": "realtime", "model": <deployment>, ...}}`) and
answers like Azure: `{"value": "ek_...", "expires_at": <epoch s>, "session": {...}}`, or Azure-shaped errors in
the failure modes (401, 403, 429 with Retry-After, 500, slow). Usage:

    with FakeAzureOpenAI(api_key="k") as azure:
        endpoint = azure.endpoint          # http://127.0.0.1:<port>
        azure.mode = Mode.THROTTLED        # the next requests fail that way
        azure.requests                     # what it received, for assertions
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

CLIENT_SECRETS_PATH = "/openai/v1/realtime/client_secrets"
SECRET_LIFETIME_SECONDS = 600
_SESSION_KEYS = frozenset(
    {
        "type",
        "model",
        "instructions",
        "audio",
        "output_modalities",
        "tools",
        "tool_choice",
        "temperature",
        "max_output_tokens",
        "tracing",
        "truncation",
        "prompt",
        "include",
    }
)
_AUDIO_KEYS = frozenset({"input", "output"})
_INPUT_KEYS = frozenset({"format", "noise_reduction", "transcription", "turn_detection"})
_OUTPUT_KEYS = frozenset({"format", "voice", "speed"})


class Mode(StrEnum):
    OK = "ok"
    UNAUTHORIZED = "unauthorized"  # 401, as when the key was rotated
    FORBIDDEN = "forbidden"  # 403
    THROTTLED = "throttled"  # 429 with Retry-After
    SERVER_ERROR = "server_error"  # 500
    SLOW = "slow"  # answers correctly after `delay` seconds
    NOT_JSON = "not_json"  # 200 with an HTML body, as a misrouted proxy might


@dataclass
class ReceivedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeAzureOpenAI:
    api_key: str = "test-azure-key"
    mode: Mode = Mode.OK
    delay: float = 2.0
    retry_after: int = 7
    requests: list[ReceivedRequest] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)

    @property
    def endpoint(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeAzureOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-azure-openai", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def reset(self) -> None:
        self.mode = Mode.OK
        self.requests.clear()

    def __enter__(self) -> FakeAzureOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # The service

    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        length = int(http.headers.get("Content-Length") or 0)
        parts = urlsplit(http.path)
        request = ReceivedRequest(
            method=http.command,
            path=parts.path,
            query=parts.query,
            headers={name.lower(): value for name, value in http.headers.items()},
            body=http.rfile.read(length) if length else b"",
        )
        self.requests.append(request)
        status, headers, body = self._answer(request)
        http.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            http.send_header(name, value)
        http.send_header("Content-Length", str(len(body)))
        http.end_headers()
        http.wfile.write(body)

    def _answer(self, request: ReceivedRequest) -> tuple[int, dict[str, str], bytes]:
        if request.path != CLIENT_SECRETS_PATH or request.method != "POST":
            return _error(404, "404", "Resource not found")
        if request.query:  # the GA surface under /openai/v1 takes no api-version
            return _error(400, "BadRequest", f"unexpected query string {request.query!r} on the v1 API")
        if request.headers.get("api-key") != self.api_key or self.mode is Mode.UNAUTHORIZED:
            return _error(
                401,
                "401",
                "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a "
                "valid key for an active subscription and use a correct regional API endpoint for your resource.",
            )
        if self.mode is Mode.FORBIDDEN:
            return _error(403, "PermissionDenied", "The principal lacks the required data action.")
        if self.mode is Mode.THROTTLED:
            status, headers, body = _error(
                429, "429", "Requests to the Realtime API have exceeded the rate limit."
            )
            return status, {**headers, "Retry-After": str(self.retry_after)}, body
        if self.mode is Mode.SERVER_ERROR:
            return _error(
                500, "InternalServerError", "The server had an error while processing your request."
            )
        problem = _session_problem(request)
        if problem:
            return _error(400, "invalid_request_error", problem)
        if self.mode is Mode.SLOW:
            time.sleep(self.delay)
        if self.mode is Mode.NOT_JSON:
            return 200, {"Content-Type": "text/html"}, b"<html>gateway</html>"
        session = request.json()["session"]
        lifetime = request.json().get("expires_after", {}).get("seconds", SECRET_LIFETIME_SECONDS)
        answer = {
            "value": "ek_" + secrets.token_hex(16),
            "expires_at": int(time.time()) + lifetime,
            "session": {"object": "realtime.session", "id": "sess_" + secrets.token_hex(8), **session},
        }
        return 200, {}, json.dumps(answer).encode()


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = {"error": {"code": code, "message": message, "type": "invalid_request_error", "param": None}}
    return status, {}, json.dumps(body).encode()


def _session_problem(request: ReceivedRequest) -> str | None:
    """Why the body is not a GA client-secret request, or None."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        return "Content-Type must be application/json"
    try:
        body = request.json()
    except ValueError:
        return "the body is not JSON"
    if not isinstance(body, dict) or set(body) - {"session", "expires_after"}:
        return "the body may hold only session and expires_after"
    expires_after = body.get("expires_after", {"anchor": "created_at", "seconds": SECRET_LIFETIME_SECONDS})
    seconds = expires_after.get("seconds") if isinstance(expires_after, dict) else None
    if set(expires_after) != {"anchor", "seconds"} or expires_after.get("anchor") != "created_at":
        return "expires_after must be {anchor: created_at, seconds}"
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 10 <= seconds <= 7200:
        return "expires_after.seconds must be an integer from 10 to 7200"
    session = body.get("session")
    if not isinstance(session, dict):
        return "session must be an object"
    if session.get("type") != "realtime":
        return "session.type must be 'realtime' on the GA API"
    if not isinstance(session.get("model"), str) or not session["model"]:
        return "session.model must name the deployment"
    unknown = set(session) - _SESSION_KEYS
    if unknown:
        return f"unknown session fields {sorted(unknown)} (beta field names are rejected on GA)"
    audio = session.get("audio", {})
    if not isinstance(audio, dict) or set(audio) - _AUDIO_KEYS:
        return "session.audio may hold only input and output"
    if set(audio.get("input", {})) - _INPUT_KEYS or set(audio.get("output", {})) - _OUTPUT_KEYS:
        return "unknown fields under session.audio.input / session.audio.output"
    voice = audio.get("output", {}).get("voice")
    if voice is not None and not isinstance(voice, str):
        return "session.audio.output.voice must be a string"
    transcription = audio.get("input", {}).get("transcription")
    if transcription is not None and not isinstance((transcription or {}).get("model"), str):
        return "session.audio.input.transcription.model must be a string"
    return None
