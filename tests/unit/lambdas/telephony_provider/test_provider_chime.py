"""The boto3 edge: client configuration, throttling retries and error translation."""

from __future__ import annotations

import pytest
from botocore.exceptions import UnStubbedResponseError
from botocore.stub import Stubber

from calls.faults import AwsFault, FaultKind
from telephony_provider.chime import CLIENT_CONFIG, Chime, ChimeCallError, chime_for_region
from tests.unit.lambdas.telephony_provider.testkit import FakeAws, chime_client

VC_ID = "abcdefghijklmnopqrstu"


def test_client_has_explicit_timeouts_and_standard_retries() -> None:
    settings = vars(CLIENT_CONFIG)
    assert settings["connect_timeout"] == 5
    assert settings["read_timeout"] == 20
    assert settings["retries"] == {"mode": "standard", "max_attempts": 4}


def test_one_client_per_region_and_container() -> None:
    chime_for_region.cache_clear()
    first = chime_for_region("us-west-2")
    assert chime_for_region("us-west-2") is first
    assert first.region == "us-west-2"
    assert chime_for_region("us-east-1") is not first


def test_throttling_is_retried_with_jittered_backoff(aws: FakeAws) -> None:
    stub = aws.stub()
    for _ in range(2):
        stub.add_client_error(
            "delete_voice_connector",
            service_error_code="ThrottledClientException",
            http_status_code=429,
            expected_params={"VoiceConnectorId": VC_ID},
        )
    stub.add_response("delete_voice_connector", {}, {"VoiceConnectorId": VC_ID})

    aws.chimes("us-east-1").call(
        "DeleteVoiceConnector", lambda c: c.delete_voice_connector(VoiceConnectorId=VC_ID)
    )

    assert len(aws.sleeps) == 2
    assert 0 <= aws.sleeps[0] <= 1.0
    assert 0 <= aws.sleeps[1] <= 2.0


def test_throttling_gives_up_after_the_last_attempt() -> None:
    client = chime_client()
    stub = Stubber(client)
    sleeps: list[float] = []
    chime = Chime(client, sleep=sleeps.append, throttle_attempts=3)
    for _ in range(3):
        stub.add_client_error(
            "delete_voice_connector",
            service_error_code="ThrottledClientException",
            service_message="Rate exceeded",
            http_status_code=429,
            expected_params={"VoiceConnectorId": VC_ID},
        )

    with stub, pytest.raises(ChimeCallError) as caught:
        chime.call("DeleteVoiceConnector", lambda c: c.delete_voice_connector(VoiceConnectorId=VC_ID))

    stub.assert_no_pending_responses()
    assert caught.value.code == "ThrottledClientException"
    assert caught.value.operation == "DeleteVoiceConnector"
    assert str(caught.value) == (
        "Amazon Chime SDK DeleteVoiceConnector in us-east-1 failed with ThrottledClientException: "
        "Rate exceeded"
    )
    assert len(sleeps) == 2
    assert isinstance(caught.value, AwsFault) and caught.value.kind is FaultKind.TRANSIENT  # the shared type


def test_other_errors_are_not_retried(aws: FakeAws) -> None:
    aws.stub().add_client_error(
        "delete_voice_connector",
        service_error_code="NotFoundException",
        service_message="Voice connector not found",
        http_status_code=404,
        expected_params={"VoiceConnectorId": VC_ID},
    )

    with pytest.raises(ChimeCallError) as caught:
        aws.chimes("us-east-1").call(
            "DeleteVoiceConnector", lambda c: c.delete_voice_connector(VoiceConnectorId=VC_ID)
        )

    assert (caught.value.code, caught.value.aws_message, caught.value.region) == (
        "NotFoundException",
        "Voice connector not found",
        "us-east-1",
    )
    assert caught.value.kind is FaultKind.NOT_FOUND
    assert aws.sleeps == []


def test_requests_that_break_the_model_never_leave() -> None:
    client = chime_client()
    stubber = Stubber(client)
    stubber.add_response("update_voice_connector", {})  # the request fails validation before reaching it
    stubber.activate()

    with pytest.raises(ChimeCallError) as caught:
        Chime(client).call(
            "UpdateVoiceConnector",
            lambda c: c.update_voice_connector(
                VoiceConnectorId=VC_ID,
                Name="phone line",
                RequireEncryption="yes",  # type: ignore[arg-type]
            ),
        )

    assert caught.value.code == "ParamValidationError"
    assert "RequireEncryption" in caught.value.aws_message


def test_unexpected_calls_in_tests_are_not_mistaken_for_aws_errors(aws: FakeAws) -> None:
    aws.stub()  # nothing queued

    with pytest.raises(UnStubbedResponseError):
        aws.chimes("us-east-1").call(
            "DeleteVoiceConnector", lambda c: c.delete_voice_connector(VoiceConnectorId=VC_ID)
        )
