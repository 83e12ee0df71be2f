"""The reader under every resource type's parser: exact messages for a missing or malformed text property."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from telephony_provider.errors import InvalidProperty
from telephony_provider.properties import parse_sip_media_application, parse_sip_rule, parse_voice_connector
from telephony_provider.properties.reader import PropertyReader, TextCheck
from tests.unit.lambdas.telephony_provider.testkit import SMA_LAMBDA_ARN

NAME_HINT = "1-256 letters, digits, spaces, '_', '.' or '-'"


def _message(call: Callable[[], object]) -> str:
    with pytest.raises(InvalidProperty) as caught:
        call()
    return str(caught.value)


def test_a_required_text_names_its_hint_when_missing_or_blank() -> None:
    reader = PropertyReader("Example", {"Blank": ""})
    check: TextCheck = {"pattern": re.compile(r"\d+"), "hint": "digits"}
    assert _message(lambda: reader.text("Absent", **check)) == "Example property Absent is required (digits)"
    assert _message(lambda: reader.text("Blank")) == "Example property Blank is required"
    assert reader.optional_text("Blank", **check) is None


def test_a_text_must_match_its_pattern_and_pass_its_test() -> None:
    reader = PropertyReader("Example", {"Id": "12a", "Even": "7"}, path="Section.")
    assert _message(lambda: reader.text("Id", pattern=re.compile(r"\d+"), hint="digits")) == (
        "Example property Section.Id must be digits, got '12a'"
    )
    assert _message(lambda: reader.text("Even", valid=lambda v: int(v) % 2 == 0, hint="even")) == (
        "Example property Section.Even must be even, got '7'"
    )
    assert _message(lambda: PropertyReader("Example", {"Id": 5}).text("Id")) == (
        "Example property Id must be a string, got 5"
    )


@pytest.mark.parametrize(
    ("parse", "props"),
    [
        (parse_voice_connector, {"AwsRegion": "us-east-1", "RequireEncryption": "true"}),
        (parse_sip_media_application, {"AwsRegion": "us-east-1", "LambdaArn": SMA_LAMBDA_ARN}),
        (
            parse_sip_rule,
            {
                "TriggerType": "ToPhoneNumber",
                "TriggerValue": "+12065550100",
                "SipMediaApplicationId": "sma-1",
                "AwsRegion": "us-east-1",
            },
        ),
    ],
)
def test_every_named_resource_reads_name_by_the_api_pattern(
    parse: Callable[[Mapping[str, Any]], Any], props: dict[str, str]
) -> None:
    resource_type = {
        parse_voice_connector: "VoiceConnector",
        parse_sip_media_application: "SipMediaApplication",
        parse_sip_rule: "SipRule",
    }[parse]
    assert _message(lambda: parse({**props, "Name": "phone/line"})) == (
        f"{resource_type} property Name must be {NAME_HINT}, got 'phone/line'"
    )
    assert _message(lambda: parse(props)) == f"{resource_type} property Name is required ({NAME_HINT})"
    assert parse({**props, "Name": "phone line_1.a-b"}).name == "phone line_1.a-b"
