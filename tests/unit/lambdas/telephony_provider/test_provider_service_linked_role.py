"""The Chime voice service-linked role is created only when missing and never deleted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from telephony_provider import handler, service_linked_role
from telephony_provider.errors import ProviderError
from telephony_provider.events import ProviderEvent, Request

ROLE_ARN = (
    "arn:aws:iam::123456789012:role/aws-service-role/voiceconnector.chime.amazonaws.com/"
    "AWSServiceRoleForAmazonChimeVoiceConnector"
)
ROLE = {
    "Path": "/aws-service-role/voiceconnector.chime.amazonaws.com/",
    "RoleName": service_linked_role.ROLE_NAME,
    "RoleId": "AROAEXAMPLEEXAMPLE123",
    "Arn": ROLE_ARN,
    "CreateDate": "2026-11-24T12:00:00Z",
}


@pytest.fixture
def iam() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def event(request_type: str) -> dict[str, Any]:
    return {
        "RequestType": request_type,
        "LogicalResourceId": "VoiceServiceRole",
        "RequestId": "r-1",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/PhoneLine/guid",
        "ResourceProperties": {"ServiceToken": "arn:x", "ResourceType": "ServiceLinkedRole"},
        **({"PhysicalResourceId": service_linked_role.ROLE_NAME} if request_type == "Delete" else {}),
    }


def test_an_existing_role_is_left_alone(iam: tuple[Any, Stubber]) -> None:
    client, stubber = iam
    stubber.add_response("get_role", {"Role": ROLE}, {"RoleName": service_linked_role.ROLE_NAME})
    assert service_linked_role.ensure_role(client) == ROLE_ARN


def test_a_missing_role_is_created_for_the_chime_voice_service(iam: tuple[Any, Stubber]) -> None:
    client, stubber = iam
    stubber.add_client_error("get_role", "NoSuchEntity", http_status_code=404)
    stubber.add_response(
        "create_service_linked_role",
        {"Role": ROLE},
        {
            "AWSServiceName": "voiceconnector.chime.amazonaws.com",
            "Description": "Lets Amazon Chime SDK PSTN audio speak with Amazon Polly",
        },
    )
    assert service_linked_role.ensure_role(client) == ROLE_ARN


def test_a_role_created_concurrently_is_accepted(iam: tuple[Any, Stubber]) -> None:
    client, stubber = iam
    stubber.add_client_error("get_role", "NoSuchEntity", http_status_code=404)
    stubber.add_client_error(
        "create_service_linked_role",
        "InvalidInput",
        service_message="Service role name AWSServiceRoleForAmazonChimeVoiceConnector has been taken in this account",
        http_status_code=400,
    )
    stubber.add_response("get_role", {"Role": ROLE}, {"RoleName": service_linked_role.ROLE_NAME})
    assert service_linked_role.ensure_role(client) == ROLE_ARN


def test_missing_permission_is_explained(iam: tuple[Any, Stubber]) -> None:
    client, stubber = iam
    stubber.add_client_error("get_role", "AccessDenied", http_status_code=403)
    with pytest.raises(ProviderError, match="needs iam:GetRole"):
        service_linked_role.ensure_role(client)


def test_create_answers_with_the_role_and_delete_keeps_it(iam: tuple[Any, Stubber]) -> None:
    client, stubber = iam
    stubber.add_response("get_role", {"Role": ROLE}, {"RoleName": service_linked_role.ROLE_NAME})
    create = ProviderEvent.from_raw(event("Create"))
    outcome = service_linked_role.on_event(Request(create, None, None), lambda region: None, iam=client)  # type: ignore[arg-type,return-value]
    assert outcome.to_response() == {
        "PhysicalResourceId": service_linked_role.ROLE_NAME,
        "Data": {"RoleArn": ROLE_ARN},
    }
    deleted = handler.on_event(event("Delete"))
    assert deleted == {"PhysicalResourceId": service_linked_role.ROLE_NAME, "Data": {}}


def test_unknown_properties_are_refused() -> None:
    bad = event("Create")
    bad["ResourceProperties"]["Releasee"] = "true"
    with pytest.raises(ProviderError, match="unknown property"):
        handler.on_event(bad)
