"""Property parsing: CloudFormation's string values become typed values, or a message naming the property."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephony_provider.errors import InvalidProperty
from telephony_provider.properties import (
    Logging,
    NumberSearch,
    OriginationRoute,
    Termination,
    parse_phone_number,
    parse_preflight,
    parse_sip_media_application,
    parse_sip_rule,
    parse_voice_connector,
    parse_voice_connector_settings,
)
from tests.unit.lambdas.telephony_provider.testkit import SMA_LAMBDA_ARN

VC_ID = "abcdefghijklmnopqrstu"

# ASCII "+1", then full-width digits (U+FF10..U+FF19), which regex \d accepted.
MIXED_WIDTH = "+1" + "".join(chr(ord(digit) + 0xFEE0) for digit in "2065550100")


def _fails(parse: Any, props: dict[str, Any], *fragments: str) -> None:
    with pytest.raises(InvalidProperty) as caught:
        parse(props)
    for fragment in fragments:
        assert fragment in str(caught.value), str(caught.value)


# --- Preflight, VoiceConnector, SipMediaApplication -----------------------------------------------


def test_preflight_reads_cloudformation_strings() -> None:
    props = parse_preflight(
        {
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:x",
            "ResourceType": "Preflight",
            "AccountId": "123456789012",
            "AwsRegion": "us-east-1",
            "LambdaArn": SMA_LAMBDA_ARN,
            "NamePrefix": "phone-line-dev",
        }
    )
    assert (props.account_id, props.aws_region, props.lambda_arn, props.name_prefix) == (
        "123456789012",
        "us-east-1",
        SMA_LAMBDA_ARN,
        "phone-line-dev",
    )


def test_preflight_rejects_a_lambda_in_another_region() -> None:
    _fails(
        parse_preflight,
        {
            "AccountId": "123456789012",
            "AwsRegion": "us-west-2",
            "LambdaArn": SMA_LAMBDA_ARN,
            "NamePrefix": "p",
        },
        "Preflight property LambdaArn",
        "us-west-2",
    )


def test_preflight_rejects_a_bad_account_id() -> None:
    _fails(
        parse_preflight,
        {"AccountId": "1234", "AwsRegion": "us-east-1", "LambdaArn": SMA_LAMBDA_ARN, "NamePrefix": "p"},
        "Preflight property AccountId must be a 12-digit AWS account id",
    )


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("false", False), ("TRUE", True), (False, False)]
)
def test_voice_connector_require_encryption_accepts_strings_and_booleans(raw: object, expected: bool) -> None:
    props = parse_voice_connector({"Name": "phone line", "AwsRegion": "us-west-2", "RequireEncryption": raw})
    assert props.require_encryption is expected
    assert props.aws_region == "us-west-2"


def test_voice_connector_rejects_a_region_without_voice_connectors() -> None:
    _fails(
        parse_voice_connector,
        {"Name": "x", "AwsRegion": "us-east-2", "RequireEncryption": "true"},
        "VoiceConnector property AwsRegion must be one of us-east-1, us-west-2",
    )


def test_voice_connector_requires_require_encryption() -> None:
    _fails(
        parse_voice_connector,
        {"Name": "x", "AwsRegion": "us-east-1"},
        "property RequireEncryption is required",
    )


def test_voice_connector_rejects_a_yes_for_a_boolean() -> None:
    _fails(
        parse_voice_connector,
        {"Name": "x", "AwsRegion": "us-east-1", "RequireEncryption": "yes"},
        "VoiceConnector property RequireEncryption must be 'true' or 'false', got 'yes'",
    )


def test_sip_media_application_rejects_a_name_outside_the_api_pattern() -> None:
    _fails(
        parse_sip_media_application,
        {"Name": "phone/line", "AwsRegion": "us-east-1", "LambdaArn": SMA_LAMBDA_ARN},
        "SipMediaApplication property Name must be",
    )


def test_unknown_properties_are_rejected_so_typos_cannot_change_meaning() -> None:
    _fails(
        parse_phone_number,
        {"Mode": "existing", "E164": "+12065550100", "ReleaseOndelete": "true"},
        "PhoneNumber has unknown property: ReleaseOndelete",
    )


# --- PhoneNumber ----------------------------------------------------------------------------------


def test_phone_number_order_mode_defaults() -> None:
    props = parse_phone_number({"Mode": "order", "AreaCode": "206"})
    assert props.mode == "order"
    assert props.search == NumberSearch(country="US", number_type="Local", area_code="206")
    assert props.product_type == "SipMediaApplicationDialIn"
    assert props.release_on_delete is False
    assert props.e164 is None
    assert props.aws_region is None


def test_phone_number_toll_free_search() -> None:
    props = parse_phone_number(
        {"Mode": "order", "NumberType": "TollFree", "TollFreePrefix": "888", "Country": "US", "AreaCode": ""}
    )
    assert props.search == NumberSearch(country="US", number_type="TollFree", toll_free_prefix="888")


def test_phone_number_outside_the_us_searches_by_type_only() -> None:
    props = parse_phone_number({"Mode": "order", "Country": "GB", "ReleaseOnDelete": "true"})
    assert props.search == NumberSearch(country="GB", number_type="Local")
    assert props.release_on_delete is True


def test_phone_number_existing_mode_ignores_search_defaults() -> None:
    props = parse_phone_number(
        {
            "Mode": "existing",
            "E164": "+12065550100",
            "Country": "US",
            "NumberType": "Local",
            "AwsRegion": "us-east-1",
        }
    )
    assert (props.mode, props.e164, props.search, props.aws_region) == (
        "existing",
        "+12065550100",
        None,
        "us-east-1",
    )


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({}, "PhoneNumber property Mode is required (one of order, existing)"),
        ({"Mode": "buy"}, "PhoneNumber property Mode must be one of order, existing, got 'buy'"),
        ({"Mode": "existing"}, "PhoneNumber property E164 is required"),
        ({"Mode": "existing", "E164": "2065550100"}, "PhoneNumber property E164 must be an E.164 number"),
        ({"Mode": "existing", "E164": MIXED_WIDTH}, "PhoneNumber property E164 must be an E.164"),
        (
            {"Mode": "order", "AreaCode": "206", "E164": "+12065550100"},
            "property E164 is only used with Mode",
        ),
        ({"Mode": "order"}, "PhoneNumber property AreaCode is required to order a US Local number"),
        (
            {"Mode": "order", "AreaCode": "20"},
            "PhoneNumber property AreaCode must be a three-digit US area code",
        ),
        ({"Mode": "order", "NumberType": "TollFree"}, "PhoneNumber property TollFreePrefix is required"),
        (
            {"Mode": "order", "NumberType": "TollFree", "TollFreePrefix": "900"},
            "TollFreePrefix must be one of",
        ),
        (
            {"Mode": "order", "Country": "GB", "AreaCode": "206"},
            "AreaCode only applies to US numbers, not GB",
        ),
        ({"Mode": "order", "Country": "gb"}, "PhoneNumber property Country must be an ISO 3166 alpha-2 code"),
        (
            {"Mode": "order", "Country": "DE", "ProductType": "VoiceConnector"},
            "ProductType must be SipMediaApplicationDialIn for numbers outside the US (DE)",
        ),
        (
            {"Mode": "order", "AreaCode": "206", "NumberType": "Mobile"},
            "NumberType must be one of Local, TollFree",
        ),
        (
            {"Mode": "order", "AreaCode": "206", "ReleaseOnDelete": "1"},
            "ReleaseOnDelete must be 'true' or 'false'",
        ),
        (
            {"Mode": "order", "AreaCode": "206", "TollFreePrefix": "800"},
            "TollFreePrefix only applies when NumberType",
        ),
    ],
)
def test_phone_number_bad_properties_are_named(props: dict[str, Any], message: str) -> None:
    _fails(parse_phone_number, props, message)


# --- SipRule --------------------------------------------------------------------------------------


def test_sip_rule_priority_arrives_as_a_string() -> None:
    props = parse_sip_rule(
        {
            "Name": "phone-line",
            "TriggerType": "ToPhoneNumber",
            "TriggerValue": "+12065550100",
            "SipMediaApplicationId": "a1b2c3d4-5678-90ab-cdef-111111111111",
            "AwsRegion": "us-east-1",
            "Priority": "2",
        }
    )
    assert props.priority == 2
    assert props.trigger_type == "ToPhoneNumber"


def test_sip_rule_priority_defaults_to_one_and_accepts_host_names() -> None:
    props = parse_sip_rule(
        {
            "Name": "vc",
            "TriggerType": "RequestUriHostname",
            "TriggerValue": "abcdefghijklmnopqrstu.voiceconnector.chime.aws",
            "SipMediaApplicationId": "sma",
            "AwsRegion": "us-west-2",
        }
    )
    assert props.priority == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"Priority": "0"}, "SipRule property Priority must be a whole number of at least 1, got 0"),
        ({"Priority": "1.5"}, "SipRule property Priority must be a whole number of at least 1, got '1.5'"),
        ({"Priority": True}, "SipRule property Priority must be a whole number"),
        ({"TriggerValue": "not a number"}, "SipRule property TriggerValue must be an E.164 number"),
        ({"TriggerValue": MIXED_WIDTH}, "SipRule property TriggerValue must be an E.164"),
        ({"TriggerType": "FromPhoneNumber"}, "TriggerType must be one of ToPhoneNumber, RequestUriHostname"),
        ({"SipMediaApplicationId": ""}, "SipRule property SipMediaApplicationId is required"),
    ],
)
def test_sip_rule_bad_properties_are_named(changes: dict[str, Any], message: str) -> None:
    props = {
        "Name": "phone-line",
        "TriggerType": "ToPhoneNumber",
        "TriggerValue": "+12065550100",
        "SipMediaApplicationId": "sma",
        "AwsRegion": "us-east-1",
        **changes,
    }
    _fails(parse_sip_rule, props, message)


# --- VoiceConnectorSettings -----------------------------------------------------------------------


def test_voice_connector_settings_nested_values_arrive_as_strings() -> None:
    props = parse_voice_connector_settings(
        {
            "VoiceConnectorId": VC_ID,
            "Termination": {
                "CallingRegions": ["US", "CA"],
                "CidrAllowedList": ["203.0.113.0/24"],
                "CpsLimit": "2",
            },
            "Origination": {
                "Routes": [
                    {
                        "Host": "sip.example.com",
                        "Port": "5061",
                        "Protocol": "TCP",
                        "Priority": "1",
                        "Weight": "10",
                    }
                ]
            },
            "Logging": {"EnableSIPLogs": "true", "EnableMediaMetricLogs": "false"},
        }
    )
    assert props.termination == Termination(
        calling_regions=("US", "CA"), cidr_allowed_list=("203.0.113.0/24",), cps_limit=2
    )
    assert props.origination is not None
    assert props.origination.routes == (
        OriginationRoute(host="sip.example.com", port=5061, protocol="TCP", priority=1, weight=10),
    )
    assert props.logging == Logging(enable_sip_logs=True, enable_media_metric_logs=False)


def test_voice_connector_settings_sections_are_optional() -> None:
    props = parse_voice_connector_settings({"VoiceConnectorId": VC_ID})
    assert (props.termination, props.origination, props.logging) == (None, None, Logging())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"VoiceConnectorId": "VC-1"},
            "VoiceConnectorSettings property VoiceConnectorId must be a Voice Connector id",
        ),
        ({"Termination": {"CidrAllowedList": []}}, "property Termination.CallingRegions is required"),
        (
            {"Termination": {"CallingRegions": ["US"], "CidrAllowedList": ["203.0.113.7/24"]}},
            "property Termination.CidrAllowedList[0] must be a CIDR block",
        ),
        (
            {"Termination": {"CallingRegions": ["usa"]}},
            "property Termination.CallingRegions[0] must be an ISO",
        ),
        ({"Termination": "on"}, "property Termination must be an object"),
        ({"Origination": {"Routes": []}}, "property Origination.Routes must list at least one route"),
        (
            {"Origination": {"Routes": [{"Host": "h", "Protocol": "TLS", "Priority": "1", "Weight": "1"}]}},
            "property Origination.Routes[0].Protocol must be one of TCP, UDP, got 'TLS'",
        ),
        (
            {
                "Origination": {
                    "Routes": [
                        {"Host": "h", "Port": "70000", "Protocol": "UDP", "Priority": "1", "Weight": "1"}
                    ]
                }
            },
            "property Origination.Routes[0].Port must be a whole number from 0 to 65535, got 70000",
        ),
        (
            {"Origination": {"Routes": [{"Host": "h", "Protocol": "UDP", "Priority": "1"}]}},
            "property Origination.Routes[0].Weight is required",
        ),
        ({"Logging": {"EnableSipLogs": "true"}}, "unknown property in Logging: EnableSipLogs"),
    ],
)
def test_voice_connector_settings_bad_properties_are_named(changes: dict[str, Any], message: str) -> None:
    _fails(parse_voice_connector_settings, {"VoiceConnectorId": VC_ID, **changes}, message)


# --- the string conventions, for any value --------------------------------------------------------


@given(st.integers(min_value=1, max_value=10**9))
def test_integers_read_the_same_from_cloudformation_strings_and_json_numbers(priority: int) -> None:
    base = {
        "Name": "r",
        "TriggerType": "ToPhoneNumber",
        "TriggerValue": "+12065550100",
        "SipMediaApplicationId": "s",
    }
    from_string = parse_sip_rule({**base, "AwsRegion": "us-east-1", "Priority": str(priority)})
    from_number = parse_sip_rule({**base, "AwsRegion": "us-east-1", "Priority": priority})
    assert from_string.priority == from_number.priority == priority


@given(st.text().filter(lambda s: s.strip().lower() not in ("true", "false", "")))
def test_anything_but_true_or_false_is_refused_for_a_flag(value: str) -> None:
    with pytest.raises(
        InvalidProperty, match=re.escape("property ReleaseOnDelete must be 'true' or 'false'")
    ):
        parse_phone_number({"Mode": "existing", "E164": "+12065550100", "ReleaseOnDelete": value})
