"""Publishes events to AppSync Events over HTTP, signed with the function's IAM role (SigV4)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from call_events.channels import MAX_EVENTS_PER_PUBLISH

# Short: the stream retries a failed batch, and a browser that misses an event resynchronises anyway.
TIMEOUT = urllib3.Timeout(connect=0.5, read=1.5)
SIGNING_NAME = "appsync"


class PublishFailed(Exception):
    """The Events API refused or failed some of the events, or could not be reached."""


class EventsPublisher:
    def __init__(
        self,
        url: str,
        region: str,
        credentials: Callable[[], ReadOnlyCredentials],
        http: urllib3.PoolManager | None = None,
    ) -> None:
        """`credentials` is asked on every publish: the role's session credentials may be refreshed."""
        self._url = url
        self._host = urllib3.util.parse_url(url).netloc or ""
        self._region = region
        self._credentials = credentials
        self._http = http or urllib3.PoolManager(timeout=TIMEOUT, retries=False)

    def publish(self, channel: str, events: Sequence[str]) -> None:
        """POST {"channel", "events"} to /event; every event must come back successful."""
        if not 0 < len(events) <= MAX_EVENTS_PER_PUBLISH:
            raise ValueError(f"publish takes 1 to {MAX_EVENTS_PER_PUBLISH} events, not {len(events)}")
        body = json.dumps({"channel": channel, "events": list(events)}, separators=(",", ":")).encode()
        request = AWSRequest(
            method="POST",
            url=self._url,
            data=body,
            headers={"content-type": "application/json", "host": self._host},
        )
        SigV4Auth(self._credentials(), SIGNING_NAME, self._region).add_auth(request)
        try:
            response = self._http.request("POST", self._url, body=body, headers=dict(request.headers.items()))
        except urllib3.exceptions.HTTPError as error:
            raise PublishFailed(f"{channel}: {error}") from error
        if response.status != 200:
            raise PublishFailed(f"{channel}: HTTP {response.status} {response.data[:300]!r}")
        try:
            failed = json.loads(response.data).get("failed") or []
        except (ValueError, AttributeError):
            raise PublishFailed(f"{channel}: unreadable answer {response.data[:300]!r}") from None
        if failed:
            raise PublishFailed(f"{channel}: {len(failed)} of {len(events)} events failed: {failed!r:.300}")
