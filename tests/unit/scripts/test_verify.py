"""`make verify` against the simulator: the real script, the real call-control handler, local fakes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from calls.contracts import OutboundArgument
from calls.record import CallStatus, Direction, EndReason
from calls.store import CallStore
from scripts.costs import loopback_call
from scripts.verify import main, verify
from scripts.verify_causes import VerifyFailed
from simulator.environment import OUR_NUMBER, TABLE
from telephony_provider.service_linked_role import ROLE_NAME
from tests.unit.scripts.conftest import DeployedLine

ROOT = Path(__file__).resolve().parents[3]
# The real call-control handler flushes Powertools metrics on events that count nothing.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


def run(line: DeployedLine, *, to_number: str | None = None, answer: bool = True) -> None:
    verify(
        line.settings,
        line.clients,
        to_number=to_number,
        confirm=lambda _: answer,
        out=line.out,
        sleep=lambda seconds: line.network.sleep(seconds),  # noqa: PLW0108 - tests that never dial build no network
        monotonic=lambda: line.network.now,
        timeout=30,
    )


def failure(line: DeployedLine, **kwargs: object) -> str:
    with pytest.raises(VerifyFailed) as raised:
        run(line, **kwargs)  # type: ignore[arg-type]
    return str(raised.value)


def records(line: DeployedLine) -> list[tuple[Direction, CallStatus, EndReason | None]]:
    calls = CallStore(line.local.dynamodb, TABLE).list_recent(limit=10).calls
    return sorted((call.direction, call.status, call.end_reason) for call in calls)


def followed(printed: str) -> dict[str, list[str]]:
    """The states verify reported for each leg, in order."""
    states: dict[str, list[str]] = {}
    for text in printed.splitlines():
        match text.split():
            case [("outbound" | "inbound") as leg, _, status]:
                states.setdefault(leg, []).append(status)
    return states


def dialed(line: DeployedLine) -> int:
    return len(line.chime.calls_to("CreateSipMediaApplicationCall"))


# The whole call


def test_a_loopback_call_goes_through_every_state_and_leaves_no_meeting(
    line: DeployedLine, capsys: pytest.CaptureFixture[str]
) -> None:
    line.deployed()

    code = main(
        ["--yes", "--cdk-json", str(ROOT / "cdk.json"), "-c", "prefix=phoneline"],
        clients=lambda settings: line.clients,
        sleep=line.network.sleep,
        monotonic=line.network.monotonic,
    )

    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "verify passed" in printed
    placed = line.chime.calls_to("CreateSipMediaApplicationCall")
    assert [(call.params["FromPhoneNumber"], call.params["ToPhoneNumber"]) for call in placed] == [
        (OUR_NUMBER, OUR_NUMBER)
    ]
    assert set(placed[0].params["ArgumentsMap"]) == set(OutboundArgument)
    assert followed(printed) == {
        "outbound": ["dialing", "ringing", "in_progress", "ended"],
        "inbound": ["connecting", "ringing", "ended"],
    }
    assert printed.index("It costs:") < printed.index("dialed:")
    assert records(line) == [
        (Direction.INBOUND, CallStatus.ENDED, EndReason.CALLER_HUNG_UP),
        (Direction.OUTBOUND, CallStatus.ENDED, EndReason.AGENT_HUNG_UP),
    ]
    assert line.chime.meetings == {}
    assert line.chime.calls_to("GetMeeting")[-1].status == 404
    assert line.chime.violations == [] and line.network.sim.sma.contract_violations == []


def test_it_says_what_the_call_costs_before_dialing_and_dials_nothing_unconfirmed(line: DeployedLine) -> None:
    line.deployed()

    message = failure(line, answer=False)

    assert "not confirmed" in message
    assert dialed(line) == 0 and line.chime.meetings == {}
    plan = next(index for index, text in enumerate(line.lines) if text.endswith("It costs:"))
    total = next(index for index, text in enumerate(line.lines) if text.strip().startswith("total about $"))
    assert f"from {OUR_NUMBER} to {OUR_NUMBER}" in line.lines[plan] and plan < total
    assert records(line) == []


def test_a_loopback_call_costs_cents() -> None:
    items = loopback_call(seconds=30, toll_free=False, greeting_characters=60)
    total = sum(amount for _, amount in items)
    assert 0.01 < total < 0.05
    assert any("outbound" in label for label, _ in items) and any("inbound" in label for label, _ in items)


# Each failure names its likely cause


def test_an_iam_denial_names_the_action(line: DeployedLine) -> None:
    line.deployed()
    line.chime.fail_next(
        "CreateMeetingWithAttendees",
        "AccessDeniedException",
        message="User: arn:aws:sts::123456789012:assumed-role/deployer/me is not authorized to perform: "
        "chime:CreateMeetingWithAttendees on resource: * because no identity-based policy allows it",
    )

    message = failure(line)

    assert "IAM denied chime:CreateMeetingWithAttendees" in message
    assert dialed(line) == 0


def test_an_account_closed_to_sip_media_applications_is_pointed_to_the_maintenance_exception(
    line: DeployedLine,
) -> None:
    line.deployed()
    line.chime.fail_next(
        "CreateSipMediaApplicationCall", "ForbiddenException", message="Service is not available"
    )

    message = failure(line)

    assert "PSTN Audio Maintenance Mode Exception" in message and "ForbiddenException" in message
    assert line.chime.meetings == {}  # the API's own undo ran: the meeting is gone, the record failed
    assert records(line) == [(Direction.OUTBOUND, CallStatus.ENDED, EndReason.FAILED)]


def test_a_denied_call_record_write_names_the_dynamodb_action_and_leaves_no_meeting(
    line: DeployedLine,
) -> None:
    line.deployed()
    denied = {
        "Error": {
            "Code": "AccessDeniedException",
            "Message": "User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: "
            "dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/calls",
        },
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }

    def deny(**_: object) -> tuple[object, dict[str, object]]:
        return type("Denied", (), {"status_code": 400, "headers": {}, "content": b""})(), denied

    hook: Any = deny  # a before-call hook may answer in place of the service
    line.clients.dynamodb.meta.events.register("before-call.dynamodb.PutItem", hook)

    message = failure(line)

    assert "IAM denied dynamodb:PutItem" in message
    assert dialed(line) == 0 and line.chime.meetings == {}


def test_an_iam_denial_of_dialing_is_not_mistaken_for_a_closed_account(line: DeployedLine) -> None:
    line.deployed()
    line.chime.fail_next(
        "CreateSipMediaApplicationCall",
        "AccessDeniedException",
        message="User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: "
        "chime:CreateSipMediaApplicationCall on resource: arn:aws:chime:us-east-1:123456789012:sma/sim-sma",
    )

    message = failure(line)

    assert "IAM denied chime:CreateSipMediaApplicationCall" in message
    assert "Maintenance" not in message


def test_a_named_number_that_answers_busy_is_reported_with_the_reason(line: DeployedLine) -> None:
    line.deployed()
    line.network.busy = True

    message = failure(line, to_number="+12065550100")

    assert "ended early (busy)" in message
    assert line.chime.meetings == {}


def test_a_number_still_being_ordered_is_named_and_nothing_is_dialed(line: DeployedLine) -> None:
    line.deployed()
    line.chime.phone_numbers[OUR_NUMBER] = "AcquireInProgress"

    message = failure(line)

    assert f"phone number {OUR_NUMBER} is AcquireInProgress, not active yet" in message
    assert dialed(line) == 0


def test_speak_without_the_chime_voice_role_is_named(line: DeployedLine) -> None:
    line.deployed()
    boto3.client("iam").delete_role(RoleName=ROLE_NAME)

    message = failure(line)

    assert f"{ROLE_NAME} service-linked role is missing" in message and "Speak" in message
    assert "create-service-linked-role --aws-service-name voiceconnector.chime.amazonaws.com" in message
    assert dialed(line) == 0


@pytest.mark.parametrize("value", [json.dumps({"apiKey": ""}), "not json"])
def test_the_azure_secret_placeholder_is_named(line: DeployedLine, value: str) -> None:
    line.deployed()
    boto3.client("secretsmanager").put_secret_value(SecretId=line.secret_arn, SecretString=value)

    message = failure(line)

    assert "Azure OpenAI secret still holds the placeholder" in message
    assert dialed(line) == 0


def test_a_missing_azure_secret_is_named(line: DeployedLine) -> None:
    line.deployed()
    boto3.client("secretsmanager").delete_secret(SecretId=line.secret_arn, ForceDeleteWithoutRecovery=True)

    assert "does not exist" in failure(line)


def test_a_failing_health_check_is_named(line: DeployedLine) -> None:
    line.deployed()
    line.health.status, line.health.body = 502, json.dumps({"message": "Internal Server Error"})

    message = failure(line)

    assert "/prod/health answered HTTP 502" in message and "CloudWatch logs" in message
    assert dialed(line) == 0


def test_every_failed_check_is_reported_at_once(line: DeployedLine) -> None:
    line.deployed()
    line.health.status = 503
    line.chime.phone_numbers[OUR_NUMBER] = "PortinInProgress"

    message = failure(line)

    assert "HTTP 503" in message and "PortinInProgress" in message
    assert [text.split()[0] for text in line.lines if text.startswith(("ok", "FAIL"))] == [
        "FAIL",
        "FAIL",
        "ok",
        "ok",
    ]


def test_a_call_the_sma_lambda_never_sees_inbound_names_the_sip_rule_and_is_cleaned_up(
    line: DeployedLine,
) -> None:
    line.deployed()
    line.network.routes_to_sma = False

    message = failure(line)

    assert "no inbound call record appeared" in message and "SIP rule" in message
    line.network.sleep(1)  # the hang-up verify asked for reaches the SMA Lambda
    assert line.chime.meetings == {}
    assert records(line) == [(Direction.OUTBOUND, CallStatus.ENDED, EndReason.AGENT_HUNG_UP)]


def test_a_call_the_sma_lambda_never_hears_of_names_the_sma_endpoint(line: DeployedLine) -> None:
    line.deployed()
    line.network.invokes_lambda = False

    message = failure(line)

    assert "stayed dialing" in message and "invoke permission" in message
    assert line.chime.meetings == {}  # verify deleted the meeting it had made


def test_a_stack_that_is_not_deployed_is_named(line: DeployedLine) -> None:
    line.stubber.add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message="Stack with id phoneline-telephony does not exist",
        expected_params={"StackName": "phoneline-telephony"},
    )

    assert "stack phoneline-telephony does not exist in us-east-1" in failure(line)


def test_a_stack_whose_deploy_rolled_back_is_named(line: DeployedLine) -> None:
    line.deployed(telephony_status="UPDATE_ROLLBACK_COMPLETE")

    assert "phoneline-telephony is UPDATE_ROLLBACK_COMPLETE" in failure(line)


def test_a_bad_setting_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["-c", "prefix=Not_Valid", "--cdk-json", str(ROOT / "cdk.json")])

    assert code == 2
    assert "setting prefix" in capsys.readouterr().err


def test_a_meeting_the_sma_lambda_could_not_delete_is_named_and_deleted(line: DeployedLine) -> None:
    line.deployed()
    line.network  # noqa: B018 - the SMA emulator must be listening before verify dials
    line.chime.fail_next(
        "DeleteMeeting",
        "AccessDeniedException",
        times=2,  # the SMA Lambda's deletions of both meetings; verify's own then succeeds
        message="User: arn:aws:sts::123456789012:assumed-role/call-control/fn is not authorized to perform: "
        "chime:DeleteMeeting on resource: arn:aws:chime:us-east-1:123456789012:meeting/*",
    )

    message = failure(line)

    assert "still existed" in message and "chime:DeleteMeeting" in message
    assert line.chime.meetings == {}
