"""The entry points: dispatch by ResourceType, the framework's edge cases, and error messages."""

from __future__ import annotations

import pytest

from telephony_provider import handler
from telephony_provider.errors import InvalidProperty, ProviderError
from tests.unit.lambdas.telephony_provider.testkit import FakeAws, is_complete_event, provider_event

NUMBER = "+12065550100"


def test_every_resource_type_has_a_kind() -> None:
    assert set(handler.KINDS) == {
        "Preflight",
        "ServiceLinkedRole",
        "VoiceConnector",
        "SipMediaApplication",
        "PhoneNumber",
        "SipRule",
        "VoiceConnectorSettings",
    }


def test_an_unknown_resource_type_is_named(aws: FakeAws) -> None:
    with pytest.raises(
        ProviderError, match="Custom resource Resource has ResourceType 'Phone'; this provider handles"
    ):
        handler.on_event(provider_event("Create", {"ResourceType": "Phone"}), None, chimes=aws.chimes)


def test_bad_properties_fail_before_any_aws_call(aws: FakeAws) -> None:
    event = provider_event("Create", {"ResourceType": "SipRule", "Name": "x", "TriggerType": "ToPhoneNumber"})

    with pytest.raises(InvalidProperty, match="SipRule property TriggerValue is required"):
        handler.on_event(event, None, chimes=aws.chimes)
    assert aws.regions_used == []


def test_not_a_cloudformation_event() -> None:
    with pytest.raises(ProviderError, match="Not a CloudFormation custom resource event"):
        handler.on_event({"hello": "world"})


@pytest.mark.parametrize(
    "physical_id",
    [
        "AWSCDK::CustomResourceProviderFramework::CREATE_FAILED",
        "AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID",
    ],
)
def test_a_delete_for_a_create_that_never_happened_touches_nothing(aws: FakeAws, physical_id: str) -> None:
    # Even with properties that would not parse: the Create may have failed on exactly those.
    event = provider_event(
        "Delete", {"ResourceType": "PhoneNumber", "Mode": "order"}, physical_id=physical_id
    )

    assert handler.on_event(event, None, chimes=aws.chimes) == {"PhysicalResourceId": physical_id, "Data": {}}
    assert handler.is_complete(is_complete_event(event, {}), None, chimes=aws.chimes) == {
        "IsComplete": True,
        "Data": {},
    }
    assert aws.regions_used == []


def test_unreadable_old_properties_do_not_block_an_update(aws: FakeAws) -> None:
    props = {"ResourceType": "PhoneNumber", "Mode": "existing", "E164": NUMBER}
    aws.stub().add_response(
        "get_phone_number",
        {
            "PhoneNumber": {
                "PhoneNumberId": NUMBER,
                "E164PhoneNumber": NUMBER,
                "Status": "Assigned",
                "ProductType": "SipMediaApplicationDialIn",
            }
        },
        {"PhoneNumberId": NUMBER},
    )
    event = provider_event(
        "Update", props, old_properties={"ResourceType": "PhoneNumber", "Mode": "legacy"}, physical_id=NUMBER
    )

    assert handler.on_event(event, None, chimes=aws.chimes)["PhysicalResourceId"] == NUMBER


def test_is_complete_is_immediate_for_synchronous_kinds(aws: FakeAws) -> None:
    props = {
        "ResourceType": "SipRule",
        "Name": "r",
        "TriggerType": "ToPhoneNumber",
        "TriggerValue": NUMBER,
        "SipMediaApplicationId": "s",
        "AwsRegion": "us-east-1",
    }
    event = provider_event("Create", props)

    answer = handler.is_complete(
        is_complete_event(event, {"PhysicalResourceId": "rule", "Data": {"SipRuleId": "rule"}}),
        None,
        chimes=aws.chimes,
    )

    assert answer == {"IsComplete": True, "Data": {}}


def test_every_response_carries_only_string_data(aws: FakeAws) -> None:
    aws.stub().add_response(
        "create_voice_connector",
        {
            "VoiceConnector": {
                "VoiceConnectorId": "abcdefghijklmnopqrstu",
                "OutboundHostName": "h.voiceconnector.chime.aws",
                "RequireEncryption": True,
            }
        },
        {"Name": "n", "AwsRegion": "us-east-1", "RequireEncryption": True},
    )
    props = {
        "ResourceType": "VoiceConnector",
        "Name": "n",
        "AwsRegion": "us-east-1",
        "RequireEncryption": "true",
    }

    response = handler.on_event(provider_event("Create", props), None, chimes=aws.chimes)

    assert isinstance(response["PhysicalResourceId"], str)
    assert all(isinstance(value, str) for value in response["Data"].values())
