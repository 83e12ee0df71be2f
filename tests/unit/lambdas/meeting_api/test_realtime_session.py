"""Minting Azure OpenAI Realtime credentials against the local fake of Azure's GA client_secrets endpoint."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from typing import Any

import pytest

from tests.fakes.azure_openai import Mode
from tests.unit.lambdas.meeting_api.harness import AZURE_KEY, NO_BODY, Harness


def test_a_session_is_minted_with_the_ga_request_azure_documents(api: Harness) -> None:
    response = api.request("realtime_session", body={})
    assert response.status == 200
    body = response.json()
    assert body["clientSecret"].startswith("ek_")
    assert 0 < body["expiresAt"] - time.time() <= 60  # the short lifetime we ask for
    assert body["webrtcUrl"] == f"{api.azure.endpoint}/openai/v1/realtime/calls"
    assert (body["model"], body["voice"], body["transcriptionModel"]) == (
        "gpt-realtime",
        "marin",
        "whisper-1",
    )
    (sent,) = api.azure.requests
    assert (sent.method, sent.path, sent.query) == ("POST", "/openai/v1/realtime/client_secrets", "")
    assert sent.headers["api-key"] == AZURE_KEY
    assert sent.json() == {
        "session": {
            "type": "realtime",
            "model": "gpt-realtime",
            "instructions": "Help the agent.",
            "audio": {"output": {"voice": "marin"}, "input": {"transcription": {"model": "whisper-1"}}},
        },
        # OpenAI's client_secrets shape (openai-python ClientSecretCreateParams.ExpiresAfter: 10-7200 s);
        # Azure's GA page does not document it (verify on a real resource; 0 turns it off).
        "expires_after": {"anchor": "created_at", "seconds": 60},
    }


def test_a_secret_lifetime_of_zero_leaves_it_to_azure(api: Harness) -> None:
    api.reconfigure(realtime_secret_seconds=0)
    assert api.request("realtime_session", body={}).status == 200
    assert "expires_after" not in api.azure.requests[-1].json()


def test_each_agent_may_mint_a_limited_number_of_sessions_per_hour(api: Harness) -> None:
    api.reconfigure(realtime_sessions_per_agent_per_hour=2)
    start = api.now
    assert api.request("realtime_session", body={}).status == 200
    api.now = start + timedelta(minutes=40)
    assert api.request("realtime_session", body={}).status == 200
    api.now = start + timedelta(minutes=59)
    refused = api.request("realtime_session", body={})
    assert (refused.status, refused.error["code"]) == (429, "rate_limited")
    assert refused.headers["Retry-After"] == "60"  # until the first session leaves the hour
    assert "2 AI assistant sessions" in refused.error["message"]
    assert len(api.azure.requests) == 2  # the refused one never reached Azure
    assert api.as_agent("realtime_session", "carol@example.com", body={}).status == 200  # per agent
    api.now = start + timedelta(minutes=60)
    assert api.request("realtime_session", body={}).status == 200


def test_transcription_can_be_turned_off(api: Harness) -> None:
    api.reconfigure(azure_openai_transcription_model="")
    response = api.request("realtime_session", body=NO_BODY)
    assert (response.status, response.json()["transcriptionModel"]) == (200, None)
    assert "input" not in api.azure.requests[-1].json()["session"]["audio"]


def test_without_azure_settings_the_assistant_is_off_and_says_so(api: Harness) -> None:
    api.reconfigure(azure_openai_endpoint="", azure_openai_deployment="")
    response = api.request("realtime_session", body={})
    assert (response.status, response.error["code"]) == (503, "azure_not_configured")
    assert "AZURE_OPENAI_ENDPOINT" in response.error["message"]
    assert api.azure.requests == []


def test_a_session_for_a_call_needs_the_call_to_exist(api: Harness) -> None:
    missing = api.request("realtime_session")  # the fixture names a call id
    assert (missing.status, missing.error["code"]) == (404, "call_not_found")
    assert api.azure.requests == []
    api.put_call()
    assert api.request("realtime_session").status == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"callId": "x", "voice": "alloy"}, "voice: unknown field"),
        ({"callId": 7}, "callId:"),
        ({"callId": "bad id with spaces"}, "callId:"),
        ("[]", ""),
    ],
)
def test_bad_bodies_are_400_without_asking_azure(api: Harness, body: Any, message: str) -> None:
    response = api.request("realtime_session", body=body)
    assert (response.status, response.error["code"]) == (400, "invalid_request")
    assert message in response.error["message"]
    assert api.azure.requests == []


@pytest.mark.parametrize(
    ("mode", "status", "code"),
    [
        (Mode.UNAUTHORIZED, 502, "azure_auth_failed"),
        (Mode.FORBIDDEN, 502, "azure_auth_failed"),
        (Mode.THROTTLED, 503, "azure_throttled"),
        (Mode.SERVER_ERROR, 503, "azure_unavailable"),
        (Mode.SLOW, 503, "azure_unavailable"),
        (Mode.NOT_JSON, 502, "azure_request_rejected"),
    ],
)
def test_azure_failures_become_actionable_errors(
    api: Harness, caplog: pytest.LogCaptureFixture, mode: Mode, status: int, code: str
) -> None:
    api.azure.mode = mode
    api.azure.delay = 1.0  # past the 0.5 s timeout the tests configure
    with caplog.at_level(logging.DEBUG):
        response = api.request("realtime_session", body={})
    assert (response.status, response.error["code"]) == (status, code)
    if code == "azure_auth_failed":
        assert "rotate it" in response.error["message"]
    if mode is Mode.THROTTLED:
        assert response.headers["Retry-After"] == "7"
    assert AZURE_KEY not in json.dumps(response.json())
    every_log_field = " ".join(str(vars(record)) for record in caplog.records)  # extras included
    assert code in every_log_field
    assert AZURE_KEY not in every_log_field  # in no log line, ours or a library's, even at DEBUG


def test_a_rotated_key_is_picked_up_without_a_redeploy(api: Harness) -> None:
    assert api.request("realtime_session", body={}).status == 200  # the key is cached now
    api.azure.api_key = "rotated-key"
    secrets = api.runtime.clients.secrets
    secrets.put_secret_value(SecretId="azure-openai", SecretString=json.dumps({"apiKey": "rotated-key"}))
    response = api.request("realtime_session", body={})
    assert response.status == 200
    assert [request.headers["api-key"] for request in api.azure.requests] == [
        AZURE_KEY,
        AZURE_KEY,
        "rotated-key",
    ]


def test_the_key_is_read_from_secrets_manager_once_per_container(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = api.runtime.clients.secrets
    reads: list[str] = []
    original = secrets.get_secret_value

    def counting(**kwargs: Any) -> Any:
        reads.append(kwargs["SecretId"])
        return original(**kwargs)

    monkeypatch.setattr(secrets, "get_secret_value", counting)
    for _ in range(3):
        assert api.request("realtime_session", body={}).status == 200
    assert len(reads) == 1


@pytest.mark.parametrize(
    ("secret", "fragment"),
    [
        ("not json", '{"apiKey"'),
        (json.dumps({"key": "k"}), '{"apiKey"'),
        (json.dumps({"apiKey": ""}), '{"apiKey"'),
    ],
)
def test_a_malformed_secret_is_502_saying_what_shape_it_needs(
    api: Harness, secret: str, fragment: str
) -> None:
    api.runtime.clients.secrets.put_secret_value(SecretId="azure-openai", SecretString=secret)
    response = api.request("realtime_session", body={})
    assert (response.status, response.error["code"]) == (502, "azure_key_unavailable")
    assert fragment in response.error["message"]
    assert "not json" not in response.error["message"]


def test_a_missing_secret_is_502_naming_the_setting_to_check(api: Harness) -> None:
    api.reconfigure(
        azure_openai_secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf"
    )
    response = api.request("realtime_session", body={})
    assert (response.status, response.error["code"]) == (502, "azure_key_unavailable")
    assert "AZURE_OPENAI_SECRET_ARN" in response.error["message"]
    assert "ResourceNotFoundException" in response.error["message"]
