"""Preflight: a probe SIP media application proves the account may create one, before anything is bought."""

from __future__ import annotations

import logging

import pytest

from telephony_provider import handler
from telephony_provider.errors import ProviderError
from tests.unit.lambdas.telephony_provider.testkit import (
    ACCOUNT_ID,
    REGION,
    SMA_LAMBDA_ARN,
    FakeAws,
    is_complete_event,
    provider_event,
)

PROPS = {
    "ResourceType": "Preflight",
    "AccountId": ACCOUNT_ID,
    "AwsRegion": REGION,
    "LambdaArn": SMA_LAMBDA_ARN,
    "NamePrefix": "phone-line-dev",
}
PHYSICAL_ID = f"phone-line-dev-preflight-{ACCOUNT_ID}-{REGION}"
PROBE_ID = "a1b2c3d4-0000-4000-8000-000000000001"
CREATE_PROBE = {
    "AwsRegion": REGION,
    "Name": "phone-line-dev-preflight",
    "Endpoints": [{"LambdaArn": SMA_LAMBDA_ARN}],
}


def _probe_created(aws: FakeAws) -> None:
    aws.stub().add_response(
        "create_sip_media_application",
        {"SipMediaApplication": {"SipMediaApplicationId": PROBE_ID, "Name": "phone-line-dev-preflight"}},
        CREATE_PROBE,
    )


def test_create_probes_then_deletes_the_probe(aws: FakeAws) -> None:
    _probe_created(aws)
    aws.stub().add_response("delete_sip_media_application", {}, {"SipMediaApplicationId": PROBE_ID})

    response = handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)

    assert response == {"PhysicalResourceId": PHYSICAL_ID, "Data": {}}
    assert aws.regions_used == [REGION]


def test_update_probes_again_and_keeps_the_physical_id(aws: FakeAws) -> None:
    _probe_created(aws)
    aws.stub().add_response("delete_sip_media_application", {}, {"SipMediaApplicationId": PROBE_ID})
    event = provider_event("Update", PROPS, old_properties=PROPS, physical_id="earlier-id")

    assert handler.on_event(event, None, chimes=aws.chimes)["PhysicalResourceId"] == "earlier-id"


def test_a_probe_that_cannot_be_deleted_only_warns(aws: FakeAws, caplog: pytest.LogCaptureFixture) -> None:
    _probe_created(aws)
    aws.stub().add_client_error(
        "delete_sip_media_application",
        service_error_code="ServiceFailureException",
        http_status_code=500,
        expected_params={"SipMediaApplicationId": PROBE_ID},
    )

    with caplog.at_level(logging.WARNING, logger="telephony_provider"):
        response = handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)

    assert response["PhysicalResourceId"] == PHYSICAL_ID
    assert "delete-sip-media-application --sip-media-application-id " + PROBE_ID in caplog.text


def test_a_probe_still_in_use_only_warns(aws: FakeAws, caplog: pytest.LogCaptureFixture) -> None:
    _probe_created(aws)
    aws.stub().add_client_error(
        "delete_sip_media_application",
        service_error_code="ConflictException",
        http_status_code=409,
        expected_params={"SipMediaApplicationId": PROBE_ID},
    )

    with caplog.at_level(logging.WARNING, logger="telephony_provider"):
        response = handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)

    assert response["PhysicalResourceId"] == PHYSICAL_ID
    assert "delete-sip-media-application --sip-media-application-id " + PROBE_ID in caplog.text


@pytest.mark.parametrize(
    "code", ["ForbiddenException", "UnauthorizedClientException", "AccessDeniedException"]
)
def test_a_refused_account_fails_plainly(aws: FakeAws, code: str) -> None:
    aws.stub().add_client_error(
        "create_sip_media_application",
        service_error_code=code,
        service_message="Service not available for this account",
        http_status_code=403,
        expected_params=CREATE_PROBE,
    )

    with pytest.raises(ProviderError) as caught:
        handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)

    message = str(caught.value)
    assert message.startswith(
        "Account 123456789012 cannot create Amazon Chime SDK SIP media applications in us-east-1: AWS closed "
        "them to new customers on 2026-10-29 (existing customers keep them). Deploy with an account that "
        "already uses SIP media applications, or ask AWS Support for a PSTN Audio Maintenance Mode Exception, "
        "which AWS offers to customers who use SIP media applications only for Amazon Chime SDK meeting "
        "dial-in and dial-out, as this app does: "
        "https://docs.aws.amazon.com/chime-sdk/latest/ag/sip-applications-maintenance-mode.html "
        f"(AWS said: {code}: Service not available for this account)"
    )
    assert ("chime:CreateSipMediaApplication" in message) == (code == "AccessDeniedException")


def test_the_quota_gets_its_own_message(aws: FakeAws) -> None:
    aws.stub().add_client_error(
        "create_sip_media_application",
        service_error_code="ResourceLimitExceededException",
        service_message="Limit exceeded",
        http_status_code=400,
        expected_params=CREATE_PROBE,
    )

    with pytest.raises(ProviderError, match="has reached its quota of SIP media applications in us-east-1"):
        handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)


def test_other_failures_name_the_call_and_the_cause(aws: FakeAws) -> None:
    aws.stub().add_client_error(
        "create_sip_media_application",
        service_error_code="BadRequestException",
        service_message="Invalid Lambda ARN",
        http_status_code=400,
        expected_params=CREATE_PROBE,
    )

    with pytest.raises(ProviderError) as caught:
        handler.on_event(provider_event("Create", PROPS, logical_id="Preflight"), None, chimes=aws.chimes)

    assert str(caught.value) == (
        "Preflight Preflight (Create) failed: Amazon Chime SDK CreateSipMediaApplication in us-east-1 "
        "returned BadRequestException: Invalid Lambda ARN. Fix the cause AWS names, then deploy again."
    )


def test_delete_touches_nothing(aws: FakeAws) -> None:
    event = provider_event("Delete", PROPS, physical_id=PHYSICAL_ID)

    assert handler.on_event(event, None, chimes=aws.chimes) == {"PhysicalResourceId": PHYSICAL_ID, "Data": {}}
    assert handler.is_complete(
        is_complete_event(event, {"PhysicalResourceId": PHYSICAL_ID}), None, chimes=aws.chimes
    ) == {
        "IsComplete": True,
        "Data": {},
    }
    assert aws.regions_used == []
