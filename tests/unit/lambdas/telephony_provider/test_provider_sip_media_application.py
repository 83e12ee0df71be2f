"""SipMediaApplication (for regions without AWS::Chime::SipMediaApplication): create, update, delete."""

from __future__ import annotations

import pytest

from telephony_provider import handler
from telephony_provider.errors import ProviderError
from tests.unit.lambdas.telephony_provider.testkit import ACCOUNT_ID, FakeAws, provider_event

REGION = "us-west-2"
LAMBDA_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:PhoneLine-SmaHandler"
PROPS = {
    "ResourceType": "SipMediaApplication",
    "Name": "phone-line-dev",
    "AwsRegion": REGION,
    "LambdaArn": LAMBDA_ARN,
}
SMA_ID = "a1b2c3d4-0000-4000-8000-0000000000aa"
SMA_ARN = f"arn:aws:chime:{REGION}:{ACCOUNT_ID}:sma/{SMA_ID}"
CREATE = {"AwsRegion": REGION, "Name": "phone-line-dev", "Endpoints": [{"LambdaArn": LAMBDA_ARN}]}


def _application(name: str = "phone-line-dev") -> dict[str, object]:
    return {
        "SipMediaApplication": {
            "SipMediaApplicationId": SMA_ID,
            "SipMediaApplicationArn": SMA_ARN,
            "AwsRegion": REGION,
            "Name": name,
            "Endpoints": [{"LambdaArn": LAMBDA_ARN}],
        }
    }


def test_create_returns_the_id_and_arn(aws: FakeAws) -> None:
    aws.stub(REGION).add_response("create_sip_media_application", _application(), CREATE)

    response = handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)

    assert response == {
        "PhysicalResourceId": SMA_ID,
        "Data": {"SipMediaApplicationId": SMA_ID, "SipMediaApplicationArn": SMA_ARN},
    }


def test_create_refused_for_a_new_customer_says_so(aws: FakeAws) -> None:
    aws.stub(REGION).add_client_error(
        "create_sip_media_application",
        service_error_code="ForbiddenException",
        service_message="Forbidden",
        http_status_code=403,
        expected_params=CREATE,
    )

    with pytest.raises(ProviderError, match="AWS closed them to new customers on 2026-10-29"):
        handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)


def test_update_changes_name_and_lambda(aws: FakeAws) -> None:
    new_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:PhoneLine-SmaHandlerV2"
    aws.stub(REGION).add_response(
        "update_sip_media_application",
        _application(name="renamed"),
        {"SipMediaApplicationId": SMA_ID, "Name": "renamed", "Endpoints": [{"LambdaArn": new_arn}]},
    )
    new = {**PROPS, "Name": "renamed", "LambdaArn": new_arn}

    response = handler.on_event(
        provider_event("Update", new, old_properties=PROPS, physical_id=SMA_ID), None, chimes=aws.chimes
    )

    assert response["PhysicalResourceId"] == SMA_ID
    assert response["Data"]["SipMediaApplicationId"] == SMA_ID


def test_a_region_change_creates_a_new_application(aws: FakeAws) -> None:
    aws.stub(REGION).add_response("create_sip_media_application", _application(), CREATE)
    old = {**PROPS, "AwsRegion": "us-east-1", "LambdaArn": LAMBDA_ARN.replace(REGION, "us-east-1")}

    event = provider_event("Update", PROPS, old_properties=old, physical_id="old-sma-id")

    assert handler.on_event(event, None, chimes=aws.chimes)["PhysicalResourceId"] == SMA_ID


def test_update_of_a_vanished_application_says_what_to_do(aws: FakeAws) -> None:
    aws.stub(REGION).add_client_error(
        "update_sip_media_application",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={
            "SipMediaApplicationId": SMA_ID,
            "Name": "phone-line-dev",
            "Endpoints": [{"LambdaArn": LAMBDA_ARN}],
        },
    )

    with pytest.raises(ProviderError, match=f"SIP media application {SMA_ID} no longer exists"):
        handler.on_event(
            provider_event("Update", PROPS, old_properties=PROPS, physical_id=SMA_ID), None, chimes=aws.chimes
        )


def test_delete_then_repeated_delete(aws: FakeAws) -> None:
    stub = aws.stub(REGION)
    stub.add_response("delete_sip_media_application", {}, {"SipMediaApplicationId": SMA_ID})
    stub.add_client_error(
        "delete_sip_media_application",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"SipMediaApplicationId": SMA_ID},
    )
    event = provider_event("Delete", PROPS, physical_id=SMA_ID)

    assert handler.on_event(event, None, chimes=aws.chimes)["PhysicalResourceId"] == SMA_ID
    assert handler.on_event(event, None, chimes=aws.chimes)["PhysicalResourceId"] == SMA_ID


def test_delete_while_rules_still_target_it_explains_why(aws: FakeAws) -> None:
    aws.stub(REGION).add_client_error(
        "delete_sip_media_application",
        service_error_code="ConflictException",
        service_message="SIP media application is in use",
        http_status_code=409,
        expected_params={"SipMediaApplicationId": SMA_ID},
    )

    with pytest.raises(ProviderError, match="SIP rules that target it must be deleted first"):
        handler.on_event(provider_event("Delete", PROPS, physical_id=SMA_ID), None, chimes=aws.chimes)


def test_delete_failing_for_another_reason_names_the_call(aws: FakeAws) -> None:
    aws.stub(REGION).add_client_error(
        "delete_sip_media_application",
        service_error_code="ServiceUnavailableException",
        service_message="Try later",
        http_status_code=503,
        expected_params={"SipMediaApplicationId": SMA_ID},
    )

    with pytest.raises(
        ProviderError, match="DeleteSipMediaApplication in us-west-2 returned ServiceUnavailableException"
    ):
        handler.on_event(provider_event("Delete", PROPS, physical_id=SMA_ID), None, chimes=aws.chimes)


def test_a_create_answer_without_an_id_asks_for_a_retry(aws: FakeAws) -> None:
    aws.stub(REGION).add_response(
        "create_sip_media_application", {"SipMediaApplication": {"Name": "phone-line-dev"}}, CREATE
    )

    with pytest.raises(ProviderError) as caught:
        handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)

    assert str(caught.value) == (
        "CreateSipMediaApplication answered without a SipMediaApplicationId; try again."
    )
