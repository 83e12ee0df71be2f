"""Fixtures for the meeting API: moto for DynamoDB and Secrets Manager, Stubbers for Chime, a fake Azure."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from meeting_api import runtime
from meeting_api.runtime import CHIME_CONFIG, Clients, Runtime
from simulator.calls_table import create_calls_table
from tests.fakes.azure_openai import FakeAzureOpenAI
from tests.unit.lambdas.meeting_api.harness import AZURE_KEY, Harness, settings

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def _quiet_metrics() -> None:
    """Most routes record no metric by design; the API silences Powertools' warning, pytest restores it."""
    warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


@pytest.fixture(scope="session")
def azure() -> Iterator[FakeAzureOpenAI]:
    with FakeAzureOpenAI(api_key=AZURE_KEY) as fake:
        yield fake


@pytest.fixture(scope="session")
def aws_clients() -> Clients:
    """Created once: moto intercepts any client while a mock is active, and a client costs ~50 ms to build."""
    credentials = {"region_name": REGION, "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return Clients(
        dynamodb=boto3.client("dynamodb", **credentials),
        meetings=boto3.client("chime-sdk-meetings", config=CHIME_CONFIG, **credentials),
        voice=boto3.client("chime-sdk-voice", config=CHIME_CONFIG, **credentials),
        secrets=boto3.client("secretsmanager", **credentials),
    )


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_METRICS_NAMESPACE": "Test",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_NAME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def api(aws_env: None, aws_clients: Clients, azure: FakeAzureOpenAI) -> Iterator[Harness]:
    azure.reset()
    azure.api_key = AZURE_KEY
    clients = aws_clients
    with mock_aws():
        create_calls_table(clients.dynamodb)
        arn = clients.secrets.create_secret(
            Name="azure-openai", SecretString=json.dumps({"apiKey": AZURE_KEY})
        )["ARN"]
        meetings, voice = Stubber(clients.meetings), Stubber(clients.voice)
        harness = Harness(
            runtime=None,  # type: ignore[arg-type]  # set below, once the ids can come from the harness
            dynamodb=clients.dynamodb,
            meetings=meetings,
            voice=voice,
            azure=azure,
        )
        harness.runtime = Runtime.build(
            settings(azure.endpoint, azure_openai_secret_arn=arn),
            clients,
            clock=lambda: harness.now,
            new_id=harness.next_uuid,
            nonce=harness.next_nonce,
            azure_timeout=0.5,
        )
        runtime.install(harness.runtime)
        try:
            with meetings, voice:
                yield harness
                meetings.assert_no_pending_responses()
                voice.assert_no_pending_responses()
        finally:
            runtime.install(None)
