"""Every IAM statement of every synthesized template, held against AWS's Service Authorization data.

No fake evaluates IAM, so without this a statement AWS can never match (an action without resource
types scoped to an ARN, or an ARN of the wrong shape) passes every other test and denies every call.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from stacks.settings import settings_from_context
from telephony_provider import iam as provider_iam
from tests.unit.stacks.conftest import CDK_CONTEXT, Synthesized
from tests.unit.stacks.iam_authorization import (
    Stack,
    check_app,
    problems_in,
    service_authorization,
    statements,
)

APPS = [("default_app", "us-east-1"), ("west_app", "us-west-2")]


@pytest.mark.parametrize(("app_name", "region"), APPS)
def test_every_statement_is_one_iam_can_match(
    app_name: str, region: str, request: pytest.FixtureRequest
) -> None:
    app: Synthesized = request.getfixturevalue(app_name)
    assert sum(1 for template in app.templates.values() for _ in statements(template)) > 20
    found = check_app(app.templates, region)
    assert not found, "\n".join(found)


def test_statements_hold_with_the_settings_that_change_them(variant_app: Synthesized) -> None:
    found = check_app(variant_app.templates, "us-east-1")
    assert not found, "\n".join(found)


# The checker itself, on statements whose verdict is known from the Service Authorization Reference.
TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        "Sma": {"Type": "AWS::Chime::SipMediaApplication", "Properties": {}},
    }
}
STACK = Stack("t", TEMPLATE, "us-east-1", {"t": TEMPLATE})
MEETINGS = {
    "Fn::Join": [
        "",
        ["arn:", {"Ref": "AWS::Partition"}, ":chime:us-east-1:", {"Ref": "AWS::AccountId"}, ":meeting/*"],
    ]
}
SMA = {
    "Fn::Sub": [
        "arn:${AWS::Partition}:chime:${AWS::Region}:${AWS::AccountId}:sma/${Id}",
        {"Id": {"Fn::GetAtt": ["Sma", "SipMediaApplicationId"]}},
    ]
}


def _problems(action: str | list[str], resource: Any) -> list[str]:
    return problems_in({"Effect": "Allow", "Action": action, "Resource": resource}, STACK, "t/Policy")


def test_an_action_without_resource_types_scoped_to_an_arn_is_refused() -> None:
    (problem,) = _problems("chime:CreateMeetingWithAttendees", MEETINGS)
    assert "chime:CreateMeetingWithAttendees has no resource type" in problem
    assert "arn:aws:chime:us-east-1:123456789012:meeting/*" in problem
    assert _problems("chime:CreateMeetingWithAttendees", "*") == []


def test_an_arn_of_the_actions_resource_type_passes_and_another_shape_fails() -> None:
    assert _problems(["chime:DeleteMeeting", "chime:GetMeeting"], MEETINGS) == []
    assert _problems("chime:UpdateSipMediaApplicationCall", SMA) == []
    (problem,) = _problems("chime:UpdateSipMediaApplicationCall", MEETINGS)
    assert "sip-media-application" in problem
    assert (
        _problems("dynamodb:Query", {"Fn::Join": ["", [{"Fn::GetAtt": ["Table", "Arn"]}, "/index/x"]]}) == []
    )


def test_unknown_actions_and_services_are_refused() -> None:
    assert "no such action" in _problems("chime:CreateMeetingWithAttendee", "*")[0]
    assert "no service" in _problems("chimesdk:CreateMeeting", "*")[0]
    assert "no such action" in _problems("s3:Frobnicate*", "*")[0]


def test_a_wildcard_action_needs_one_matching_action_that_fits_each_arn() -> None:
    bucket = "arn:aws:s3:::my-bucket"
    assert _problems("s3:List*", bucket) == []
    assert "no action it matches applies" in _problems("s3:List*", MEETINGS)[0]


def _logical_id_stem(path: str) -> str:
    """CDK's logical id for a construct path, without its hash: no Resource/Default, no repeated parts."""
    parts = [part for part in path.split("/") if part not in ("Resource", "Default")]
    kept = [part for index, part in enumerate(parts) if index == 0 or part != parts[index - 1]]
    return re.sub(r"[^A-Za-z0-9]", "", "".join(kept))


def _star_reasons(app: Synthesized) -> dict[tuple[str, str], str]:
    """cdk-nag's recorded IAM5[Resource::*] reason per policy: (stack name, logical id without its hash)."""
    reasons: dict[tuple[str, str], str] = {}
    for plugin in app.validation_report["pluginReports"]:
        for violation in plugin.get("suppressedViolations", []):
            if violation["ruleName"] == "AwsSolutions-IAM5[Resource::*]":
                for construct in violation["violatingConstructs"]:
                    stack, _, path = construct["constructPath"].partition("/")
                    reasons[(stack, _logical_id_stem(path))] = violation["reason"]
    return reasons


@pytest.mark.parametrize(("app_name", "region"), APPS)
def test_every_action_on_star_is_named_in_its_policys_cdk_nag_reason(
    app_name: str, region: str, request: pytest.FixtureRequest
) -> None:
    """One reason is recorded per role and finding, so it must name every action the role holds on "*"."""
    app: Synthesized = request.getfixturevalue(app_name)
    reasons = _star_reasons(app)
    settings = settings_from_context(CDK_CONTEXT)
    unexplained: list[str] = []
    for part, template in app.templates.items():
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] != "AWS::IAM::Policy":
                continue
            on_star = {
                action
                for statement in resource["Properties"]["PolicyDocument"]["Statement"]
                if statement["Effect"] == "Allow" and "*" in _list(statement["Resource"])
                for action in _list(statement["Action"])
            }
            if not on_star:
                continue
            reason = reasons.get((settings.stack_name(part), logical_id[:-8]), "")
            unexplained += [
                f"{part}/{logical_id}: {action}"
                for action in sorted(on_star)
                if action.split(":")[1] not in reason
            ]
    assert not unexplained, "\n".join(unexplained)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _resource_types(action: str) -> list[str]:
    prefix, name = action.split(":")
    return list(service_authorization()[prefix]["Actions"][name.lower()].get("Resources", []))


def test_the_providers_scoping_claims_match_the_service_authorization_data() -> None:
    assert all(_resource_types(a) == ["voice-connector"] for a in provider_iam.VOICE_CONNECTOR_ACTIONS)
    assert all(
        _resource_types(a) == ["sip-media-application"] for a in provider_iam.SIP_MEDIA_APPLICATION_ACTIONS
    )
    assert all(
        _resource_types(a) == ["sip-media-application"] for a in provider_iam.SMA_IN_BODY_CHIME_ACTIONS
    )
    no_type = provider_iam.NO_RESOURCE_TYPE_CHIME_ACTIONS | provider_iam.IS_COMPLETE_CHIME_ACTIONS
    assert [a for a in sorted(no_type) if _resource_types(a)] == []
