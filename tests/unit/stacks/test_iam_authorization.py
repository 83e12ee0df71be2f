"""Every IAM statement of every synthesized template, held against AWS's Service Authorization data.

No fake evaluates IAM, so without this a statement AWS can never match (an action without resource
types scoped to an ARN, or an ARN of the wrong shape) passes every other test and denies every call.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.stacks.conftest import Synthesized
from tests.unit.stacks.iam_authorization import Stack, check_app, problems_in, statements

APPS = [("default_app", "us-east-1"), ("west_app", "us-west-2")]


@pytest.mark.parametrize(("app_name", "region"), APPS)
def test_every_statement_is_one_iam_can_match(
    app_name: str, region: str, request: pytest.FixtureRequest
) -> None:
    app: Synthesized = request.getfixturevalue(app_name)
    assert sum(1 for template in app.templates.values() for _ in statements(template)) > 20
    found = check_app(app.templates, region)
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
