"""Why a step of `make verify` failed, in a line or two a deployer can act on, and the checks before dialing."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from calls.faults import error_code
from telephony_provider.chime import REFUSED
from telephony_provider.phone_number import USABLE
from telephony_provider.service_linked_role import ROLE_NAME, SERVICE
from telephony_provider.sip_media_application import CLOSED_TO_NEW_CUSTOMERS

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_secretsmanager import SecretsManagerClient

MAINTENANCE_EXCEPTION = "PSTN Audio Maintenance Mode Exception"
# IAM's denial names the action: "... is not authorized to perform: chime:CreateMeeting on resource: ..."
_DENIED_ACTION = re.compile(r"not authorized to perform:?\s+([A-Za-z0-9-]+:[A-Za-z0-9*]+)")
_DENIAL_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})

# (url, timeout seconds) -> (HTTP status, body)
HttpGet = Callable[[str, float], tuple[int, str]]


class VerifyFailed(Exception):
    """A step failed; the message says what failed and its likely cause."""


def sdk_error(error: BaseException) -> ClientError | BotoCoreError | None:
    """The AWS SDK error behind `error`: the Lambdas' gateways wrap it in their own domain errors."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ClientError | BotoCoreError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))


def explain(what: str, error: BaseException) -> VerifyFailed:
    """`what` failed because of `error`: an IAM denial names its action; anything else says what AWS said."""
    found = sdk_error(error)
    if isinstance(found, NoCredentialsError):
        return VerifyFailed(f"{what}: no AWS credentials found. Cause: run with the deployer's credentials.")
    if isinstance(found, BotoCoreError):
        return VerifyFailed(f"{what}: AWS did not answer ({found}). Cause: network, or the wrong --region.")
    if isinstance(found, ClientError):
        denied = _DENIED_ACTION.search(_message(found))
        if denied:
            return VerifyFailed(
                f"{what}: IAM denied {denied.group(1)}. Cause: your credentials lack that permission; "
                f"grant it to the role or user you deploy with. (AWS said: {_message(found)[:300]})"
            )
        if error_code(found) in _DENIAL_CODES:
            return VerifyFailed(
                f"{what}: access denied ({error_code(found)}). Cause: your credentials lack a permission. "
                f"(AWS said: {_message(found)[:300]})"
            )
        return VerifyFailed(f"{what} failed: {error_code(found)}: {_message(found)[:300]}")
    return VerifyFailed(f"{what} failed: {error}")


def explain_dial(error: BaseException) -> VerifyFailed:
    """CreateSipMediaApplicationCall failed: refused for the account (not an IAM action), or as `explain`."""
    found = sdk_error(error)
    if (
        isinstance(found, ClientError)
        and error_code(found) in REFUSED
        and not _DENIED_ACTION.search(_message(found))
    ):
        return VerifyFailed(
            f"dialing was refused ({error_code(found)}: {_message(found)[:200]}). Cause: this account may not "
            f"use SIP media applications (AWS closed them to new customers on {CLOSED_TO_NEW_CUSTOMERS}). A "
            f'line used for Chime SDK meeting dial-in/dial-out can ask AWS Support for a "{MAINTENANCE_EXCEPTION}".'
        )
    return explain("placing the call (meeting, call record, CreateSipMediaApplicationCall)", error)


# ---------------------------------------------------------------------------------------------------------
# Checks before dialing: each returns None when all is well, else what is wrong and its likely cause.


def http_get(url: str, timeout: float) -> tuple[int, str]:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an HTTP URL: {url}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            return int(response.status), response.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(4096).decode("utf-8", "replace")


def check_health(api_url: str, get: HttpGet) -> str | None:
    url = api_url.rstrip("/") + "/health"
    try:
        status, body = get(url, 10.0)
    except (OSError, ValueError) as error:
        return f"GET {url} failed ({error}). Cause: the ApiUrl output is wrong or the API is not reachable."
    try:
        healthy = status == 200 and json.loads(body).get("status") == "ok"
    except (ValueError, AttributeError):
        healthy = False
    if not healthy:
        return (
            f"GET {url} answered HTTP {status}: {body[:160]!r}. Cause: the meeting API's Lambda fails at "
            "start-up (see its CloudWatch logs) or the API stage is not deployed."
        )
    return None


def check_number(voice: ChimeSDKVoiceClient, number: str) -> str | None:
    try:
        status = voice.get_phone_number(PhoneNumberId=number)["PhoneNumber"].get("Status", "unknown")
    except (ClientError, BotoCoreError) as error:
        return str(explain(f"reading phone number {number} (GetPhoneNumber)", error))
    if status not in USABLE:
        return (
            f"phone number {number} is {status}, not active yet. Cause: the order or port is still in "
            "progress (or failed); wait and check it in the Chime SDK console before dialing."
        )
    return None


def check_voice_role(iam: IAMClient) -> str | None:
    try:
        iam.get_role(RoleName=ROLE_NAME)
    except ClientError as error:
        if error_code(error) != "NoSuchEntity":
            return str(explain(f"reading the {ROLE_NAME} role (iam:GetRole)", error))
        return (
            f"the {ROLE_NAME} service-linked role is missing, so every Speak (greeting, apology) fails. Cause: "
            f"it was deleted; create it: aws iam create-service-linked-role --aws-service-name {SERVICE}"
        )
    except BotoCoreError as error:
        return str(explain("reading the Chime voice service-linked role", error))
    return None


def check_azure_secret(secrets: SecretsManagerClient, arn: str | None) -> str | None:
    put = "put it there: README, Deploying for real, step 4"
    if not arn:
        return "the meeting-api stack has no AzureOpenAiSecretArn output. Cause: an older or partial deploy."
    try:
        text = secrets.get_secret_value(SecretId=arn).get("SecretString") or ""
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            return f"the Azure OpenAI secret {arn} does not exist (or has no value). Cause: it was deleted; {put}"
        return str(explain("reading the Azure OpenAI secret (GetSecretValue)", error))
    except BotoCoreError as error:
        return str(explain("reading the Azure OpenAI secret", error))
    try:
        key = json.loads(text).get("apiKey")
    except (ValueError, AttributeError):
        key = None
    if not isinstance(key, str) or not key.strip():
        return f"the Azure OpenAI secret still holds the placeholder, not a key. Cause: README step 4 skipped: {put}"
    return None
