"""AWS failures as one type: the operation, the service's error code, and which kind of failure it is.

Every edge in lambdas/ (the Chime gateways, the calls table, the rate limits) raises AwsFault; each Lambda
maps the kind to its answer once, at its edge: the meeting API to an HTTP status, call control to actions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError


class FaultKind(StrEnum):
    TRANSIENT = "transient"  # throttled, 5xx, timed out: retrying shortly may help
    NOT_FOUND = "not_found"  # what the request named does not exist (any more)
    REFUSED = "refused"  # the service said no (permissions, validation, limits): retrying will not help
    CONFLICT = "conflict"  # a condition or a concurrent change got in the way


# Throttling and server-side failures of DynamoDB and the Chime SDK APIs (their modeled error codes).
TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "ThrottledClientException",
        "ServiceUnavailableException",
        "ServiceFailureException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "InternalServerError",
        "InternalServiceError",
        "LimitExceededException",
    }
)
# Chime's answer for a meeting, attendee or SMA transaction that no longer exists. (DynamoDB's
# ResourceNotFoundException means a missing table: a deployment fault, not a missing call.)
NOT_FOUND_CODES = frozenset({"NotFoundException"})
CONFLICT_CODES = frozenset(
    {
        "ConflictException",
        "ConditionalCheckFailedException",
        "TransactionConflictException",
        "TransactionCanceledException",
    }
)
PERMISSION_CODES = frozenset(
    {"AccessDeniedException", "ForbiddenException", "UnauthorizedException", "UnauthorizedClientException"}
)
TIMEOUT = "Timeout"  # the code of a call that never reached the service (no connection, no answer in time)
# A request that was sent but never answered, where sending it again is not safe (it has no idempotency
# token): whether the service acted is unknown.
OUTCOME_UNKNOWN = "OutcomeUnknown"


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def kind_of(code: str) -> FaultKind:
    if code == TIMEOUT or code in TRANSIENT_CODES:
        return FaultKind.TRANSIENT
    if code in NOT_FOUND_CODES:
        return FaultKind.NOT_FOUND
    if code in CONFLICT_CODES:
        return FaultKind.CONFLICT
    return FaultKind.REFUSED


class AwsFault(Exception):
    """An AWS call failed. The message names the service and operation and is safe to show an agent."""

    def __init__(
        self,
        service: str,
        operation: str,
        code: str,
        *,
        kind: FaultKind | None = None,
        message: str | None = None,
        detail: str = "",
    ) -> None:
        self.service = service
        self.operation = operation
        self.code = code
        self.kind = kind or kind_of(code)
        self.detail = detail  # the service's own message: for logs, not for answers
        self.message = message or _describe(service, operation, code, self.kind)
        super().__init__(self.message)

    @property
    def transient(self) -> bool:
        return self.kind is FaultKind.TRANSIENT

    @classmethod
    def from_error(cls, service: str, operation: str, error: ClientError | BotoCoreError) -> AwsFault:
        if isinstance(error, ClientError):
            info = error.response.get("Error", {})
            return cls(
                service, operation, str(info.get("Code") or "Unknown"), detail=str(info.get("Message", ""))
            )
        if isinstance(error, BotoConnectionError | HTTPClientError):  # no connection, or no answer in time
            return cls(service, operation, TIMEOUT, detail=str(error))
        # Anything else botocore raises before sending (bad parameters, no credentials) will fail again.
        return cls(service, operation, type(error).__name__, kind=FaultKind.REFUSED, detail=str(error))


@contextmanager
def aws_faults(service: str, operation: str) -> Iterator[None]:
    """Raise the SDK's errors inside the block as AwsFault (errors already translated pass through)."""
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        raise AwsFault.from_error(service, operation, error) from error


def _describe(service: str, operation: str, code: str, kind: FaultKind) -> str:
    if code == TIMEOUT:
        return f"{service} {operation} did not answer in time; retry shortly"
    if kind is FaultKind.TRANSIENT:
        return f"{service} {operation} is throttled or unavailable ({code}); retry shortly"
    if code in PERMISSION_CODES:
        return f"{service} {operation} was refused ({code}): check the function's IAM permissions"
    return f"{service} {operation} failed ({code})"
