"""The Chime voice service-linked role that Speak needs (it calls Amazon Polly through it).

The role is account-wide and may already exist (another app, an earlier stack); creating it then fails,
so it is created only when missing, and never deleted: other applications may rely on it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from telephony_provider import logs
from telephony_provider.chime import ChimeFactory
from telephony_provider.errors import ProviderError
from telephony_provider.events import Outcome, Request

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

SERVICE = "voiceconnector.chime.amazonaws.com"
ROLE_NAME = "AWSServiceRoleForAmazonChimeVoiceConnector"


@cache
def iam_client() -> IAMClient:
    config = Config(connect_timeout=5, read_timeout=20, retries={"mode": "standard", "max_attempts": 4})
    return boto3.client("iam", config=config)


def ensure_role(iam: Any) -> str:
    """Return the role's ARN, creating the role if this account does not have it yet."""
    try:
        return str(iam.get_role(RoleName=ROLE_NAME)["Role"]["Arn"])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise ProviderError(
                f"Could not check for the {ROLE_NAME} service-linked role: {error}. The stack's provider "
                "needs iam:GetRole on it."
            ) from error
    try:
        created = iam.create_service_linked_role(
            AWSServiceName=SERVICE, Description="Lets Amazon Chime SDK PSTN audio speak with Amazon Polly"
        )
    except ClientError as error:
        # Another deploy may have created it between our check and our create.
        if "has been taken" in str(error.response.get("Error", {}).get("Message", "")):
            return str(iam.get_role(RoleName=ROLE_NAME)["Role"]["Arn"])
        raise ProviderError(f"Could not create the {ROLE_NAME} service-linked role: {error}") from error
    logs.info("created the Chime voice service-linked role", role=ROLE_NAME)
    return str(created["Role"]["Arn"])


def on_event(request: Request[None], chimes: ChimeFactory, *, iam: Any = None) -> Outcome:
    if request.event.request_type == "Delete":
        logs.info("kept the service-linked role: it is account-wide", role=ROLE_NAME)
        return Outcome(request.event.require_physical_id())
    arn = ensure_role(iam if iam is not None else iam_client())
    return Outcome(ROLE_NAME, {"RoleArn": arn})
