"""SipRule: the number (or host name) → SIP media application route; disable before delete."""

from __future__ import annotations

import pytest

from telephony_provider import handler
from telephony_provider.errors import ProviderError
from telephony_provider.properties import parse_sip_rule
from telephony_provider.sip_rule import needs_new_rule
from tests.unit.lambdas.telephony_provider.testkit import REGION, FakeAws, provider_event

SMA_ID = "a1b2c3d4-0000-4000-8000-0000000000aa"
RULE_ID = "b2c3d4e5-0000-4000-8000-0000000000bb"
NUMBER = "+12065550100"
PROPS = {
    "ResourceType": "SipRule",
    "Name": "phone-line-dev",
    "TriggerType": "ToPhoneNumber",
    "TriggerValue": NUMBER,
    "SipMediaApplicationId": SMA_ID,
    "AwsRegion": REGION,
    "Priority": "1",
}
TARGETS = [{"SipMediaApplicationId": SMA_ID, "Priority": 1, "AwsRegion": REGION}]
CREATE = {
    "Name": "phone-line-dev",
    "TriggerType": "ToPhoneNumber",
    "TriggerValue": NUMBER,
    "TargetApplications": TARGETS,
}


def _rule(rule_id: str = RULE_ID, name: str = "phone-line-dev", value: str = NUMBER) -> dict[str, object]:
    return {
        "SipRuleId": rule_id,
        "Name": name,
        "Disabled": False,
        "TriggerType": "ToPhoneNumber",
        "TriggerValue": value,
        "TargetApplications": TARGETS,
    }


def _conflict(aws: FakeAws) -> None:
    aws.stub().add_client_error(
        "create_sip_rule",
        service_error_code="ConflictException",
        service_message="A SIP rule with this trigger already exists",
        http_status_code=409,
        expected_params=CREATE,
    )


def test_create_routes_the_number_to_the_application(aws: FakeAws) -> None:
    aws.stub().add_response("create_sip_rule", {"SipRule": _rule()}, CREATE)

    response = handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)

    assert response == {"PhysicalResourceId": RULE_ID, "Data": {"SipRuleId": RULE_ID}}


def test_a_create_aws_rejects_names_the_call(aws: FakeAws) -> None:
    aws.stub().add_client_error(
        "create_sip_rule",
        service_error_code="BadRequestException",
        service_message="Phone number is not of product type SipMediaApplicationDialIn",
        http_status_code=400,
        expected_params=CREATE,
    )

    with pytest.raises(
        ProviderError, match="CreateSipRule in us-east-1 returned BadRequestException: Phone number"
    ):
        handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)


def test_a_retried_create_adopts_the_rule_its_first_attempt_made(aws: FakeAws) -> None:
    _conflict(aws)
    stub = aws.stub()
    stub.add_response(
        "list_sip_rules",
        {"SipRules": [_rule(rule_id="other", value="+12065550199")], "NextToken": "page-2"},
        {"MaxResults": 100},
    )
    stub.add_response("list_sip_rules", {"SipRules": [_rule()]}, {"MaxResults": 100, "NextToken": "page-2"})
    stub.add_response(
        "update_sip_rule",
        {"SipRule": _rule()},
        {"SipRuleId": RULE_ID, "Name": "phone-line-dev", "Disabled": False, "TargetApplications": TARGETS},
    )

    assert (
        handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)["PhysicalResourceId"]
        == RULE_ID
    )


def test_a_rule_owned_by_someone_else_is_not_taken(aws: FakeAws) -> None:
    _conflict(aws)
    aws.stub().add_response("list_sip_rules", {"SipRules": [_rule(name="legacy-ivr")]}, {"MaxResults": 100})

    with pytest.raises(ProviderError) as caught:
        handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)

    assert str(caught.value).startswith(
        f"Another SIP rule ({RULE_ID}, named 'legacy-ivr') already routes ToPhoneNumber {NUMBER} in us-east-1"
    )


def test_a_conflict_without_a_matching_rule_reports_aws_s_words(aws: FakeAws) -> None:
    _conflict(aws)
    aws.stub().add_response("list_sip_rules", {"SipRules": []}, {"MaxResults": 100})

    with pytest.raises(
        ProviderError, match="CreateSipRule in us-east-1 returned ConflictException: A SIP rule"
    ):
        handler.on_event(provider_event("Create", PROPS), None, chimes=aws.chimes)


def test_update_in_place_keeps_the_rule_and_re_enables_it(aws: FakeAws) -> None:
    new = {**PROPS, "Name": "renamed", "Priority": "2"}
    aws.stub().add_response(
        "update_sip_rule",
        {"SipRule": _rule(name="renamed")},
        {
            "SipRuleId": RULE_ID,
            "Name": "renamed",
            "Disabled": False,
            "TargetApplications": [{"SipMediaApplicationId": SMA_ID, "Priority": 2, "AwsRegion": REGION}],
        },
    )

    response = handler.on_event(
        provider_event("Update", new, old_properties=PROPS, physical_id=RULE_ID), None, chimes=aws.chimes
    )

    assert response == {"PhysicalResourceId": RULE_ID, "Data": {"SipRuleId": RULE_ID}}


def test_a_new_number_gets_a_new_rule(aws: FakeAws) -> None:
    new_number = "+12065550123"
    new = {**PROPS, "TriggerValue": new_number}
    aws.stub().add_response(
        "create_sip_rule",
        {"SipRule": _rule(rule_id="new-rule", value=new_number)},
        {**CREATE, "TriggerValue": new_number},
    )

    response = handler.on_event(
        provider_event("Update", new, old_properties=PROPS, physical_id=RULE_ID), None, chimes=aws.chimes
    )

    assert response["PhysicalResourceId"] == "new-rule"


def test_update_of_a_vanished_rule_says_what_to_do(aws: FakeAws) -> None:
    aws.stub().add_client_error(
        "update_sip_rule",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={
            "SipRuleId": RULE_ID,
            "Name": "phone-line-dev",
            "Disabled": False,
            "TargetApplications": TARGETS,
        },
    )

    with pytest.raises(ProviderError, match=f"SIP rule {RULE_ID} no longer exists in us-east-1"):
        handler.on_event(
            provider_event("Update", PROPS, old_properties=PROPS, physical_id=RULE_ID),
            None,
            chimes=aws.chimes,
        )


def test_delete_disables_the_rule_first(aws: FakeAws) -> None:
    stub = aws.stub()
    stub.add_response(
        "update_sip_rule",
        {"SipRule": {**_rule(), "Disabled": True}},
        {"SipRuleId": RULE_ID, "Name": "phone-line-dev", "Disabled": True},
    )
    stub.add_response("delete_sip_rule", {}, {"SipRuleId": RULE_ID})

    response = handler.on_event(provider_event("Delete", PROPS, physical_id=RULE_ID), None, chimes=aws.chimes)

    assert response == {"PhysicalResourceId": RULE_ID, "Data": {}}


def test_a_repeated_delete_finds_nothing_and_succeeds(aws: FakeAws) -> None:
    aws.stub().add_client_error(
        "update_sip_rule",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"SipRuleId": RULE_ID, "Name": "phone-line-dev", "Disabled": True},
    )

    assert (
        handler.on_event(provider_event("Delete", PROPS, physical_id=RULE_ID), None, chimes=aws.chimes)[
            "PhysicalResourceId"
        ]
        == RULE_ID
    )


def test_a_delete_interrupted_after_disabling_finishes_on_retry(aws: FakeAws) -> None:
    stub = aws.stub()
    stub.add_response(
        "update_sip_rule",
        {"SipRule": {**_rule(), "Disabled": True}},
        {"SipRuleId": RULE_ID, "Name": "phone-line-dev", "Disabled": True},
    )
    stub.add_client_error(
        "delete_sip_rule",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"SipRuleId": RULE_ID},
    )

    assert (
        handler.on_event(provider_event("Delete", PROPS, physical_id=RULE_ID), None, chimes=aws.chimes)[
            "PhysicalResourceId"
        ]
        == RULE_ID
    )


def test_delete_failing_otherwise_names_the_call(aws: FakeAws) -> None:
    aws.stub().add_client_error(
        "update_sip_rule",
        service_error_code="ServiceFailureException",
        http_status_code=500,
        expected_params={"SipRuleId": RULE_ID, "Name": "phone-line-dev", "Disabled": True},
    )

    with pytest.raises(ProviderError, match="UpdateSipRule in us-east-1 returned ServiceFailureException"):
        handler.on_event(provider_event("Delete", PROPS, physical_id=RULE_ID), None, chimes=aws.chimes)


@pytest.mark.parametrize(
    ("change", "replace"),
    [
        ({"TriggerValue": "+12065550123"}, True),
        ({"TriggerType": "RequestUriHostname", "TriggerValue": "vc.voiceconnector.chime.aws"}, True),
        ({"AwsRegion": "us-west-2"}, True),
        ({"Name": "renamed"}, False),
        ({"Priority": "3"}, False),
        ({"SipMediaApplicationId": "another-sma"}, False),
    ],
)
def test_which_changes_need_a_new_rule(change: dict[str, str], replace: bool) -> None:
    old = parse_sip_rule(PROPS)
    assert needs_new_rule(old, parse_sip_rule({**PROPS, **change})) is replace
    assert needs_new_rule(None, old) is False
