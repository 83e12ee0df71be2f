"""Which AWS error codes mean "try again shortly": one list for both Lambdas that share the call record."""

from __future__ import annotations

from botocore.exceptions import ClientError

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


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
