"""Cold start: the runtime is built from the environment once, with clients that give up well within 30 s."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from calls.faults import AwsFault
from meeting_api import runtime
from meeting_api.settings import ConfigurationError
from tests.unit.lambdas.meeting_api.harness import REQUIRED_ENV as REQUIRED

ROOT = Path(__file__).parents[4]


def test_the_runtime_is_built_once_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**REQUIRED, "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    runtime.install(None)
    try:
        first = runtime.current()
        assert runtime.current() is first
        assert first.settings.calls_table_name == "calls"
    finally:
        runtime.install(None)


def test_clients_use_the_chime_sdk_namespaces_with_short_timeouts_and_few_retries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    clients = runtime.Clients.create()
    assert clients.meetings.meta.service_model.service_name == "chime-sdk-meetings"
    assert clients.voice.meta.service_model.service_name == "chime-sdk-voice"
    worst_case = 0.0
    for client in (clients.dynamodb, clients.meetings, clients.voice, clients.secrets):
        config = client.meta.config
        attempts = config.retries["total_max_attempts"]
        assert config.connect_timeout <= 1 and config.read_timeout <= 3 and attempts <= 3
        worst_case = max(worst_case, attempts * (config.connect_timeout + config.read_timeout))
    assert worst_case < 10  # one AWS call can never eat API Gateway's 30 s


def _import_handler_in_lambda(environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{ROOT / 'lambdas'}",
        "AWS_LAMBDA_FUNCTION_NAME": "meeting-api",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        **environ,
    }
    return subprocess.run(
        [sys.executable, "-c", "import meeting_api.handler"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_inside_lambda_a_bad_configuration_fails_the_cold_start_naming_the_variable() -> None:
    result = _import_handler_in_lambda({k: v for k, v in REQUIRED.items() if k != "SMA_ID"})
    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr and "SMA_ID" in result.stderr


def test_inside_lambda_a_good_configuration_initialises_at_import() -> None:
    assert _import_handler_in_lambda(REQUIRED).returncode == 0


@pytest.mark.parametrize(
    ("configured", "own_region", "expected"),
    [("", "eu-west-2", "eu-west-2"), ("", "eu-west-1", "us-east-1"), ("us-west-2", "eu-west-1", "us-west-2")],
)
def test_meetings_are_managed_in_a_region_with_the_meetings_api(
    monkeypatch: pytest.MonkeyPatch, configured: str, own_region: str, expected: str
) -> None:
    for name, value in {**REQUIRED, "AWS_DEFAULT_REGION": own_region, "AWS_REGION": own_region}.items():
        monkeypatch.setenv(name, value)
    if configured:
        monkeypatch.setenv("MEETINGS_CONTROL_REGION", configured)
    built = runtime.Runtime.from_environment()
    assert built.clients.meetings.meta.region_name == expected
    assert built.clients.voice.meta.region_name == own_region


def test_a_control_region_without_the_meetings_api_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**REQUIRED, "MEETINGS_CONTROL_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match="MEETINGS_CONTROL_REGION"):
        runtime.Runtime.from_environment()


def _phone_from_parameter_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**REQUIRED, "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PHONE_NUMBER")
    monkeypatch.setenv("PHONE_NUMBER_PARAMETER", "/phoneline/telephony/phone-number")


def test_our_number_can_come_from_the_telephony_stacks_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    """The number changes without CloudFormation's export lock: the API reads it when it first needs it."""
    _phone_from_parameter_env(monkeypatch)
    with mock_aws():
        boto3.client("ssm", region_name="us-east-1").put_parameter(
            Name="/phoneline/telephony/phone-number", Value="+12065550142", Type="String"
        )
        built = runtime.Runtime.from_environment()
        assert built.our_number() == "+12065550142"


@pytest.mark.parametrize(("stored", "error"), [(None, AwsFault), ("not-a-number", ConfigurationError)])
def test_a_missing_or_bad_number_parameter_is_an_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, stored: str | None, error: type[Exception]
) -> None:
    _phone_from_parameter_env(monkeypatch)
    with mock_aws():
        if stored:
            boto3.client("ssm", region_name="us-east-1").put_parameter(
                Name="/phoneline/telephony/phone-number", Value=stored, Type="String"
            )
        built = runtime.Runtime.from_environment()  # building reads nothing: a cold start stays offline
        with pytest.raises(error, match="PHONE_NUMBER_PARAMETER /phoneline/telephony/phone-number"):
            built.our_number()


def test_exactly_one_source_of_our_number(monkeypatch: pytest.MonkeyPatch) -> None:
    _phone_from_parameter_env(monkeypatch)
    monkeypatch.setenv("PHONE_NUMBER", "+12065550100")
    with pytest.raises(ConfigurationError, match="exactly one of PHONE_NUMBER and PHONE_NUMBER_PARAMETER"):
        runtime.Runtime.from_environment()
