"""Domain errors: raised by the logic and the adapters, turned into HTTP answers once, by the API.

AWS failures are calls.faults.AwsFault, shared with call control; the API maps their kinds too."""

from __future__ import annotations


class Problem(Exception):
    """A request the API refuses or cannot complete. The message is safe to show to the agent."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(Problem):
    pass


class EmailNotVerified(Problem):
    """A signed-in agent whose e-mail Cognito has not verified: who they are is known, not trusted."""


class InvalidRequest(Problem):
    pass


class MalformedBody(InvalidRequest):
    """The body cannot be read as JSON: not UTF-8, not base64 when marked so, invalid, too deep."""


class RequestTooLarge(InvalidRequest):
    pass


class UnsupportedMediaType(Problem):
    pass


class CallTaken(Problem):
    pass


class CallNotRinging(Problem):
    pass


class CallNotHeld(Problem):
    pass


class CallNotActive(Problem):
    pass


class DestinationNotAllowed(Problem):
    pass


class MeetingNotFound(Problem):
    pass


class MeetingNotOwned(Problem):
    pass


class RetryLater(Problem):
    """Refused for now: the answer carries Retry-After, in seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(RetryLater):
    pass


class AzureKeyUnavailable(Problem):
    pass


class AzureNotConfigured(Problem):
    pass


class AzureAuthFailed(Problem):
    pass


class AzureThrottled(RetryLater):
    pass


class AzureUnavailable(Problem):
    pass


class AzureRejected(Problem):
    """Azure refused the request for another reason than auth or throttling: often a wrong deployment."""
