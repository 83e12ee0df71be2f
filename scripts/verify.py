"""Prove a deployed line with one real call: our number dials itself, and every step is checked.

python -m scripts.verify [--yes] [--to +1...] [--region R] [-c prefix=...] [--timeout S]

Reads the stacks' outputs with your credentials, checks the API's /health, the number, the Chime voice
role and the Azure secret, says what the call costs, then places it exactly as the meeting API places an
agent's outbound call, follows both call records, hangs up and checks the meetings are gone.

Your credentials need what an administrator has: cloudformation:DescribeStacks, chime:GetPhoneNumber,
CreateMeetingWithAttendees, GetMeeting, DeleteMeeting, CreateSipMediaApplicationCall and
UpdateSipMediaApplicationCall, dynamodb:GetItem/PutItem/UpdateItem/Query on the calls table,
iam:GetRole and secretsmanager:GetSecretValue.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from calls.faults import error_code
from scripts.costs import PRICES_READ, loopback_call
from scripts.verify_call import LoopbackCall, Outputs
from scripts.verify_causes import (
    HttpGet,
    VerifyFailed,
    check_azure_secret,
    check_health,
    check_number,
    check_voice_role,
    explain,
    http_get,
)
from stacks.settings import DeploySettings, SettingsError, settings_from_context

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_meetings import ChimeSDKMeetingsClient
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_secretsmanager import SecretsManagerClient

CALL_SECONDS = 30
_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"mode": "standard", "total_max_attempts": 3})


@dataclass(frozen=True, slots=True)
class AwsClients:
    cloudformation: Any  # requirements-dev has no CloudFormation stubs; only DescribeStacks is used
    dynamodb: DynamoDBClient
    meetings: ChimeSDKMeetingsClient
    voice: ChimeSDKVoiceClient
    secrets: SecretsManagerClient
    iam: IAMClient

    @classmethod
    def create(cls, settings: DeploySettings) -> AwsClients:
        """The deployer's default credential chain; meetings in the control Region the Lambdas use."""
        session = boto3.Session(region_name=settings.region)
        return cls(
            cloudformation=session.client("cloudformation", config=_CONFIG),
            dynamodb=session.client("dynamodb", config=_CONFIG),
            meetings=session.client(
                "chime-sdk-meetings", region_name=settings.meetings_control_region, config=_CONFIG
            ),
            voice=session.client("chime-sdk-voice", config=_CONFIG),
            secrets=session.client("secretsmanager", config=_CONFIG),
            iam=session.client("iam", config=_CONFIG),
        )


def stack_outputs(cloudformation: Any, name: str, region: str) -> dict[str, str]:
    try:
        stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as error:
        # CloudFormation has no not-found code: a missing stack is a ValidationError saying "does not exist".
        if error_code(error) == "ValidationError" and "does not exist" in str(error):
            raise VerifyFailed(
                f"stack {name} does not exist in {region}. Cause: not deployed yet (npx cdk deploy --all), "
                "or another prefix/region: pass -c prefix=... / --region"
            ) from None
        raise explain(f"reading stack {name} (DescribeStacks)", error) from None
    except BotoCoreError as error:
        raise explain(f"reading stack {name}", error) from None
    status = stack.get("StackStatus", "")
    if not status.endswith("_COMPLETE") or "ROLLBACK" in status or "DELETE" in status:
        raise VerifyFailed(
            f"stack {name} is {status}. Cause: its last deploy did not finish; see its events."
        )
    return {
        item["OutputKey"]: item["OutputValue"] for item in stack.get("Outputs", []) if "OutputKey" in item
    }


# The stack outputs verify reads, by stack (its name after the prefix); a test holds them to the templates.
OUTPUTS: dict[str, tuple[str, ...]] = {
    "telephony": ("PhoneNumber", "SipMediaApplicationId", "CallsTable"),
    "meeting-api": ("ApiUrl", "AzureOpenAiSecretArn"),
    "web-hosting": ("WebClientUrl",),
}


def read_outputs(cloudformation: Any, settings: DeploySettings) -> Outputs:
    found: dict[str, str] = {}
    for part, keys in OUTPUTS.items():
        outputs = stack_outputs(cloudformation, settings.stack_name(part), settings.region)
        found.update({key: outputs[key] for key in keys if key in outputs})
    missing = [
        key for key in ("PhoneNumber", "SipMediaApplicationId", "CallsTable", "ApiUrl") if key not in found
    ]
    if missing:
        raise VerifyFailed(f"outputs {', '.join(missing)} are missing. Cause: stacks older than this script.")
    return Outputs(
        phone_number=found["PhoneNumber"],
        sma_id=found["SipMediaApplicationId"],
        calls_table=found["CallsTable"],
        api_url=found["ApiUrl"],
        azure_secret_arn=found.get("AzureOpenAiSecretArn"),
        web_url=found.get("WebClientUrl"),
    )


def context_settings(context_args: Sequence[str], region: str | None, cdk_json: Path) -> DeploySettings:
    """The deploy settings as `cdk deploy` read them: cdk.json's context, then `-c key=value`."""
    context: dict[str, Any] = dict(json.loads(cdk_json.read_text()).get("context", {}))
    for item in context_args:
        key, sep, value = item.partition("=")
        if not sep:
            raise SettingsError(f"setting {item}: write -c key=value")
        context[key] = value
    if region:
        context["region"] = region
    return settings_from_context(context)


def cost_lines(settings: DeploySettings) -> list[str]:
    items = loopback_call(
        seconds=CALL_SECONDS,
        toll_free=settings.phone.number_type == "TollFree",
        greeting_characters=len(settings.call_control.greeting_text),
    )
    lines = [f"  {label}: ${amount:.4f}" for label, amount in items]
    lines.append(
        f"  total about ${sum(amount for _, amount in items):.3f} (AWS list prices read {PRICES_READ})"
    )
    return lines


def verify(
    settings: DeploySettings,
    clients: AwsClients,
    *,
    to_number: str | None,
    confirm: Callable[[str], bool],
    out: Callable[[str], None],
    get: HttpGet = http_get,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    timeout: float = 90.0,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> None:
    """Every step, in order; raises VerifyFailed naming the failed step's likely cause."""
    outputs = read_outputs(clients.cloudformation, settings)
    out(
        f"stacks {settings.stack_name('*')} in {settings.region}: number {outputs.phone_number}, SMA {outputs.sma_id}"
    )
    if outputs.web_url:
        out(f"web client: {outputs.web_url}")
    problems: list[str] = []
    for name, problem in (
        ("meeting API /health", check_health(outputs.api_url, get)),
        ("phone number", check_number(clients.voice, outputs.phone_number)),
        ("Chime voice service-linked role (Speak)", check_voice_role(clients.iam)),
        ("Azure OpenAI secret", check_azure_secret(clients.secrets, outputs.azure_secret_arn)),
    ):
        out(f"{'ok  ' if problem is None else 'FAIL'} {name}")
        problems += [problem] if problem else []
    if problems:
        raise VerifyFailed("\n".join(problems))
    destination = to_number or outputs.phone_number
    loopback = destination == outputs.phone_number
    out(
        f"Next: a test call from {outputs.phone_number} to {destination}"
        + (" (itself: both legs are ours)" if loopback else "")
        + f", hung up after it connects (about {CALL_SECONDS} s). It costs:"
    )
    for line in cost_lines(settings):
        out(line)
    if not confirm("Place the call? [y/N] "):
        raise VerifyFailed("not confirmed: nothing was dialed.")
    LoopbackCall(
        clients.dynamodb,
        clients.meetings,
        clients.voice,
        outputs=outputs,
        media_region=settings.meeting_region,
        to_number=destination,
        out=out,
        sleep=sleep,
        monotonic=monotonic,
        timeout=timeout,
        new_id=new_id,
    ).run()


def _ask(prompt: str) -> bool:
    try:
        return input(prompt).strip().lower() in {"y", "yes"}
    except EOFError:
        return False


def main(
    argv: Sequence[str] | None = None,
    *,
    clients: Callable[[DeploySettings], AwsClients] = AwsClients.create,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> int:
    parser = argparse.ArgumentParser(prog="make verify", description=__doc__.splitlines()[0])
    parser.add_argument("--yes", action="store_true", help="dial without asking")
    parser.add_argument("--to", help="dial this E.164 number instead of the line's own")
    parser.add_argument("--region", help="the deploy region (default: cdk.json's)")
    parser.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to wait for each step")
    parser.add_argument("--cdk-json", type=Path, default=Path("cdk.json"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        settings = context_settings(args.context, args.region, args.cdk_json)
    except (SettingsError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    confirm: Callable[[str], bool] = (lambda _: True) if args.yes else _ask
    try:
        verify(
            settings,
            clients(settings),
            to_number=args.to,
            confirm=confirm,
            out=print,
            sleep=sleep,
            monotonic=monotonic,
            timeout=args.timeout,
        )
    except VerifyFailed as failure:
        print(f"\nverify FAILED: {failure}", file=sys.stderr)
        return 1
    print("\nverify passed: the line places and ends a real call.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
