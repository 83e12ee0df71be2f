"""AWS SDK failures as domain errors whose messages tell an operator what to do."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from calls.aws_errors import TRANSIENT_CODES, error_code
from meeting_api.errors import UpstreamFailure

_PERMISSION_CODES = frozenset(
    {"AccessDeniedException", "ForbiddenException", "UnauthorizedException", "UnauthorizedClientException"}
)


def aws_failure(service: str, operation: str, error: ClientError | BotoCoreError) -> UpstreamFailure:
    """Translate an AWS SDK failure: transient (retry later), refused (permissions) or failed."""
    if isinstance(error, BotoCoreError):  # timeouts and connection failures never reached the service
        return UpstreamFailure(f"{service} {operation} did not answer in time; retry shortly", transient=True)
    code = error_code(error) or "Unknown"
    if code in TRANSIENT_CODES:
        return UpstreamFailure(
            f"{service} {operation} is throttled or unavailable ({code}); retry shortly", transient=True
        )
    if code in _PERMISSION_CODES:
        return UpstreamFailure(
            f"{service} {operation} was refused ({code}): check the meeting API function's IAM permissions",
            transient=False,
        )
    return UpstreamFailure(f"{service} {operation} failed ({code})", transient=False)


def is_not_found(error: ClientError | BotoCoreError) -> bool:
    """Chime's answer for a meeting, attendee or SMA transaction that no longer exists."""
    return isinstance(error, ClientError) and error_code(error) == "NotFoundException"
