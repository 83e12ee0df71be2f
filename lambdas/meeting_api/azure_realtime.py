"""Minting ephemeral Azure OpenAI Realtime credentials (GA API: POST /openai/v1/realtime/client_secrets)."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any

from meeting_api.azure_key import AzureKeySource
from meeting_api.errors import AzureAuthFailed, AzureRejected, AzureThrottled, AzureUnavailable

CLIENT_SECRETS_PATH = "/openai/v1/realtime/client_secrets"
WEBRTC_CALLS_PATH = "/openai/v1/realtime/calls"
DEFAULT_TIMEOUT_SECONDS = 4.0
_AUTH_STATUSES = frozenset({401, 403})


@dataclass(frozen=True, slots=True)
class RealtimeCredential:
    client_secret: str
    expires_at: int
    webrtc_url: str
    model: str
    voice: str
    transcription_model: str | None


@dataclass(frozen=True, slots=True)
class SessionConfig:
    deployment: str
    instructions: str
    voice: str
    transcription_model: str  # empty: no transcription of the caller's words
    secret_seconds: int = 0  # the client secret's lifetime; 0: the service's default

    def request_json(self) -> dict[str, Any]:
        """The client_secrets request: the session, and the secret's lifetime from its creation."""
        body: dict[str, Any] = {"session": self.to_json()}
        if self.secret_seconds:
            body["expires_after"] = {"anchor": "created_at", "seconds": self.secret_seconds}
        return body

    def to_json(self) -> dict[str, Any]:
        """The GA session shape: input settings nest under audio.input, the voice under audio.output."""
        audio: dict[str, Any] = {"output": {"voice": self.voice}}
        if self.transcription_model:  # off by default in the service; on, the caller's words come as text
            audio["input"] = {"transcription": {"model": self.transcription_model}}
        return {
            "type": "realtime",
            "model": self.deployment,
            "instructions": self.instructions,
            "audio": audio,
        }


class RealtimeMinter:
    """Asks Azure for a short-lived client secret bound to our session configuration."""

    def __init__(
        self,
        *,
        endpoint: str,
        session: SessionConfig,
        keys: AzureKeySource,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._url = endpoint + CLIENT_SECRETS_PATH
        self._webrtc_url = endpoint + WEBRTC_CALLS_PATH
        self._session = session
        self._body = json.dumps(session.request_json()).encode()
        self._keys = keys
        self._timeout = timeout
        self._opener = urllib.request.build_opener()

    def mint(self) -> RealtimeCredential:
        key = self._keys.current()
        try:
            payload = self._post(key)
        except AzureAuthFailed:
            if not self._keys.reload():  # a rotated secret takes effect without a redeploy
                raise
            payload = self._post(self._keys.current())
        return self._credential(payload)

    def _post(self, key: str) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the URL is our configured https endpoint
            self._url,
            data=self._body,
            method="POST",
            headers={"api-key": key, "Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise self._refusal(error.code, error.headers, error.read(), key) from None
        except (TimeoutError, OSError) as error:  # URLError, refused connections and timeouts are OSErrors
            raise AzureUnavailable(
                f"Azure OpenAI did not answer ({type(error).__name__}); retry shortly"
            ) from None
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise AzureRejected("Azure OpenAI answered with something other than a JSON object")
        return payload

    def _refusal(self, status: int, headers: Message, body: bytes, key: str) -> Exception:
        detail = _error_message(body).replace(key, "***")
        if status in _AUTH_STATUSES:
            return AzureAuthFailed(
                "the Azure OpenAI key in Secrets Manager was refused; rotate it "
                f"(Azure said {status}{': ' + detail if detail else ''})"
            )
        if status == 429:
            return AzureThrottled(
                "Azure OpenAI is throttling this deployment; retry shortly", retry_after=_retry_after(headers)
            )
        if status >= 500:
            return AzureUnavailable(f"Azure OpenAI failed with {status}; retry shortly")
        return AzureRejected(
            f"Azure OpenAI refused the session with {status}{': ' + detail if detail else ''} "
            "(check AZURE_OPENAI_DEPLOYMENT and the session settings)"
        )

    def _credential(self, payload: dict[str, Any]) -> RealtimeCredential:
        value, expires_at = payload.get("value"), payload.get("expires_at")
        if not isinstance(value, str) or not value or not isinstance(expires_at, int):
            raise AzureRejected("Azure OpenAI's answer had no client secret (value / expires_at missing)")
        effective = payload.get("session")
        effective = effective if isinstance(effective, dict) else {}
        voice = ((effective.get("audio") or {}).get("output") or {}).get("voice")
        return RealtimeCredential(
            client_secret=value,
            expires_at=expires_at,
            webrtc_url=self._webrtc_url,
            model=str(effective.get("model") or self._session.deployment),
            voice=str(voice or self._session.voice),
            transcription_model=self._session.transcription_model or None,
        )


def _error_message(body: bytes) -> str:
    try:
        message = json.loads(body)["error"]["message"]
    except (ValueError, TypeError, KeyError):
        return ""
    return str(message)[:300] if message else ""


def _retry_after(headers: Message) -> int:
    seconds: float = 2
    try:
        if headers.get("retry-after-ms"):
            seconds = float(headers["retry-after-ms"]) / 1000
        elif headers.get("Retry-After"):
            seconds = float(headers["Retry-After"])
    except ValueError:
        pass
    return min(60, max(1, math.ceil(seconds)))
