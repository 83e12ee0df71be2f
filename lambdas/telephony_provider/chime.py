"""The boto3 edge: one chime-sdk-voice client per region and container, and its errors made explicit.

Everything that talks to AWS goes through ``Chime.call`` so that timeouts, throttling and error codes are
handled in one place and the resource modules only see ``ChimeCallError`` with a code and a message.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError, NoCredentialsError, ParamValidationError
from botocore.exceptions import ConnectionError as BotoConnectionError

from calls.faults import AwsFault, FaultKind
from telephony_provider import logs

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient

T = TypeVar("T")

# Custom resource handlers have minutes, not seconds, but a hung connection must not eat the Lambda's
# whole timeout. Standard retry mode retries 5xx and connection errors with backoff.
CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=20,
    retries={"mode": "standard", "max_attempts": 4},
)

NOT_FOUND = "NotFoundException"
CONFLICT = "ConflictException"
BAD_REQUEST = "BadRequestException"
QUOTA_EXCEEDED = "ResourceLimitExceededException"
# chime-sdk-voice signals throttling with its own modeled 429 error, which botocore's standard retry
# mode does not retry (only unmodeled 429s and a fixed list of codes), so Chime.call retries it.
THROTTLED = "ThrottledClientException"
# Worth another try a little later: throttling beyond Chime.call's retries, 5xx beyond botocore's, and
# connection trouble. A poll that meets one simply polls again.
TRANSIENT = frozenset(
    {
        THROTTLED,
        "ServiceUnavailableException",
        "ServiceFailureException",
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
    }
)
# The error shapes CreateSipMediaApplication (and the other create calls) model for "you may not".
REFUSED = frozenset({"ForbiddenException", "AccessDeniedException", "UnauthorizedClientException"})
# botocore errors that mean "this call failed" (after botocore's own retries). Others, such as the
# Stubber's, are programming errors and propagate untouched.
_CALL_FAILURES = (BotoConnectionError, HTTPClientError, NoCredentialsError, ParamValidationError)


class ChimeCallError(AwsFault):
    """A chime-sdk-voice call of the provider failed: the shared AwsFault, worded for CloudFormation's event
    log and naming the region. ``code`` is the AWS error code (or the botocore error class)."""

    def __init__(self, operation: str, region: str, code: str, message: str) -> None:
        super().__init__(
            "Amazon Chime SDK",
            operation,
            code,
            kind=FaultKind.TRANSIENT if code in TRANSIENT else None,
            message=f"Amazon Chime SDK {operation} in {region} failed with {code}: {message}",
            detail=message,
        )
        self.region = region
        self.aws_message = message


class Chime:
    """A chime-sdk-voice client for one region, with ``call`` as the only way to use it."""

    def __init__(
        self,
        client: ChimeSDKVoiceClient,
        *,
        sleep: Callable[[float], None] = time.sleep,
        throttle_attempts: int = 5,
        throttle_base_delay: float = 1.0,
        throttle_max_delay: float = 8.0,
    ) -> None:
        self._client = client
        self._sleep = sleep
        self._throttle_attempts = throttle_attempts
        self._base_delay = throttle_base_delay
        self._max_delay = throttle_max_delay

    @property
    def region(self) -> str:
        return self._client.meta.region_name

    def call(self, operation: str, request: Callable[[ChimeSDKVoiceClient], T]) -> T:
        """Run ``request`` against the client; raise ``ChimeCallError`` on failure.

        ``operation`` is the API name (for messages). ThrottledClientException is retried with full
        jitter a few times (a few seconds in all) before it is given up on.
        """
        for attempt in range(1, self._throttle_attempts + 1):
            try:
                return request(self._client)
            except ClientError as err:
                error = err.response.get("Error", {})
                code = str(error.get("Code", "Unknown"))
                message = str(error.get("Message", ""))
                if code == THROTTLED and attempt < self._throttle_attempts:
                    cap = min(self._max_delay, self._base_delay * 2 ** (attempt - 1))
                    delay = random.uniform(0, cap)  # noqa: S311 - backoff jitter, not a secret
                    logs.warning("throttled; retrying", operation=operation, attempt=attempt, delay=delay)
                    self._sleep(delay)
                    continue
                raise ChimeCallError(operation, self.region, code, message) from err
            except _CALL_FAILURES as err:
                raise ChimeCallError(operation, self.region, type(err).__name__, str(err)) from err
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover


ChimeFactory = Callable[[str], Chime]
"""Gives the ``Chime`` for a region; the handler takes one so tests can inject stubbed clients."""


@functools.cache
def chime_for_region(region: str) -> Chime:
    """The container-wide ``Chime`` for ``region``, created on first use."""
    return Chime(boto3.client("chime-sdk-voice", region_name=region, config=CLIENT_CONFIG))
