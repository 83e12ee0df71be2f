"""VoiceConnector (for regions without AWS::Chime::VoiceConnector): create, update, replace, delete."""

from __future__ import annotations

import pytest

from telephony_provider import handler
from telephony_provider.errors import ProviderError
from tests.unit.lambdas.telephony_provider.testkit import FakeAws, is_complete_event, provider_event

REGION = "us-west-2"
PROPS = {
    "ResourceType": "VoiceConnector",
    "Name": "phone-line-dev",
    "AwsRegion": REGION,
    "RequireEncryption": "true",
}
VC_ID = "abcdefghijklmnopqrstu"
HOST = f"{VC_ID}.voiceconnector.chime.aws"


def _voice_connector(
    vc_id: str = VC_ID, name: str = "phone-line-dev", encrypted: bool = True
) -> dict[str, object]:
    return {
        "VoiceConnector": {
            "VoiceConnectorId": vc_id,
            "AwsRegion": REGION,
            "Name": name,
            "OutboundHostName": f"{vc_id}.voiceconnector.chime.aws",
            "RequireEncryption": encrypted,
        }
    }


def test_create_returns_the_id_and_outbound_host_name(aws: FakeAws) -> None:
    aws.stub(REGION).add_response(
        "create_voice_connector",
        _voice_connector(),
        {"Name": "phone-line-dev", "AwsRegion": REGION, "RequireEncryption": True},
    )
    event = provider_event("Create", PROPS)

    response = handler.on_event(event, None, chimes=aws.chimes)

    assert response == {
        "PhysicalResourceId": VC_ID,
        "Data": {"VoiceConnectorId": VC_ID, "OutboundHostName": HOST},
    }
    assert (
        handler.is_complete(is_complete_event(event, response), None, chimes=aws.chimes)["IsComplete"] is True
    )


def test_update_changes_name_and_encryption_in_place(aws: FakeAws) -> None:
    aws.stub(REGION).add_response(
        "update_voice_connector",
        _voice_connector(name="renamed", encrypted=False),
        {"VoiceConnectorId": VC_ID, "Name": "renamed", "RequireEncryption": False},
    )
    new = {**PROPS, "Name": "renamed", "RequireEncryption": "false"}

    response = handler.on_event(
        provider_event("Update", new, old_properties=PROPS, physical_id=VC_ID), None, chimes=aws.chimes
    )

    assert response == {
        "PhysicalResourceId": VC_ID,
        "Data": {"VoiceConnectorId": VC_ID, "OutboundHostName": HOST},
    }


def test_a_region_change_creates_a_new_voice_connector(aws: FakeAws) -> None:
    new_id = "zyxwvutsrqponmlkjihgf"
    aws.stub(REGION).add_response(
        "create_voice_connector",
        _voice_connector(vc_id=new_id),
        {"Name": "phone-line-dev", "AwsRegion": REGION, "RequireEncryption": True},
    )
    old = {**PROPS, "AwsRegion": "us-east-1"}

    response = handler.on_event(
        provider_event("Update", PROPS, old_properties=old, physical_id=VC_ID), None, chimes=aws.chimes
    )

    assert response["PhysicalResourceId"] == new_id


def test_update_of_a_vanished_voice_connector_says_what_to_do(aws: FakeAws) -> None:
    aws.stub(REGION).add_client_error(
        "update_voice_connector",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"VoiceConnectorId": VC_ID, "Name": "phone-line-dev", "RequireEncryption": True},
    )

    with pytest.raises(ProviderError, match=f"Voice Connector {VC_ID} no longer exists in us-west-2"):
        handler.on_event(
            provider_event("Update", PROPS, old_properties=PROPS, physical_id=VC_ID), None, chimes=aws.chimes
        )


def test_delete_and_a_repeated_delete_both_succeed(aws: FakeAws) -> None:
    stub = aws.stub(REGION)
    stub.add_response("delete_voice_connector", {}, {"VoiceConnectorId": VC_ID})
    stub.add_client_error(
        "delete_voice_connector",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"VoiceConnectorId": VC_ID},
    )
    event = provider_event("Delete", PROPS, physical_id=VC_ID)

    assert handler.on_event(event, None, chimes=aws.chimes) == {"PhysicalResourceId": VC_ID, "Data": {}}
    assert handler.on_event(event, None, chimes=aws.chimes) == {"PhysicalResourceId": VC_ID, "Data": {}}


def test_delete_blocked_by_associated_numbers_explains_why(aws: FakeAws) -> None:
    aws.stub(REGION).add_client_error(
        "delete_voice_connector",
        service_error_code="ConflictException",
        service_message="Voice connector has phone numbers associated",
        http_status_code=409,
        expected_params={"VoiceConnectorId": VC_ID},
    )

    with pytest.raises(ProviderError) as caught:
        handler.on_event(provider_event("Delete", PROPS, physical_id=VC_ID), None, chimes=aws.chimes)

    assert "Phone numbers associated with it must be disassociated first" in str(caught.value)
    assert "Voice connector has phone numbers associated" in str(caught.value)


def test_a_throttled_create_is_retried(aws: FakeAws) -> None:
    stub = aws.stub(REGION)
    expected = {"Name": "phone-line-dev", "AwsRegion": REGION, "RequireEncryption": True}
    stub.add_client_error(
        "create_voice_connector",
        service_error_code="ThrottledClientException",
        http_status_code=429,
        expected_params=expected,
    )
    stub.add_response("create_voice_connector", _voice_connector(), expected)

    assert (
        handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)["PhysicalResourceId"]
        == VC_ID
    )
    assert len(aws.sleeps) == 1


def test_a_refused_create_names_the_call_and_aws_s_reason(aws: FakeAws) -> None:
    aws.stub(REGION).add_client_error(
        "create_voice_connector",
        service_error_code="ResourceLimitExceededException",
        service_message="Voice connector limit reached",
        http_status_code=400,
        expected_params={"Name": "phone-line-dev", "AwsRegion": REGION, "RequireEncryption": True},
    )

    with pytest.raises(ProviderError) as caught:
        handler.on_event(
            provider_event("Create", PROPS, logical_id="VoiceConnector"), None, chimes=aws.chimes
        )

    assert str(caught.value) == (
        "VoiceConnector VoiceConnector (Create) failed: Amazon Chime SDK CreateVoiceConnector in us-west-2 "
        "returned ResourceLimitExceededException: Voice connector limit reached. Fix the cause AWS names, "
        "then deploy again."
    )


def test_a_create_answer_without_an_id_asks_for_a_retry(aws: FakeAws) -> None:
    aws.stub(REGION).add_response(
        "create_voice_connector",
        {"VoiceConnector": {"Name": "phone-line-dev", "AwsRegion": REGION}},
        {"Name": "phone-line-dev", "AwsRegion": REGION, "RequireEncryption": True},
    )

    with pytest.raises(ProviderError) as caught:
        handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)

    assert str(caught.value) == "CreateVoiceConnector answered without a VoiceConnectorId; try again."
