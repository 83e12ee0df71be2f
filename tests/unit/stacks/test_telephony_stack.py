"""The telephony stack's resources, their order, removal policies and least-privilege roles."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match

from calls import schema
from calls.contracts import ApiMetric, CallMetric
from stacks.telephony.call_control_functions import SMA_RESERVED_CONCURRENCY
from stacks.telephony.calls_table import CALL_TABLE_ACTIONS, TRANSACTION_LOOKUP_ACTIONS
from telephony_provider.iam import IAM_ROLE_ACTIONS, LOG_DELIVERY_ACTIONS, ON_EVENT_CHIME_ACTIONS
from tests.unit.stacks.conftest import Synthesized


def resources(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == resource_type}


def one(template: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    found = resources(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.items()))


def policy_statements(template: dict[str, Any], role_logical_id: str) -> list[dict[str, Any]]:
    statements = []
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role_logical_id} in policy["Properties"]["Roles"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def actions_of(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        value = statement["Action"]
        found.update([value] if isinstance(value, str) else value)
    return found


def function_by_handler(template: dict[str, Any], handler: str) -> tuple[str, dict[str, Any]]:
    matches = [
        (key, value)
        for key, value in resources(template, "AWS::Lambda::Function").items()
        if value["Properties"].get("Handler") == handler
    ]
    assert len(matches) == 1, handler
    return matches[0]


def test_sma_points_at_the_call_control_handler_and_only_chime_voice_may_invoke_it(
    default_app: Synthesized,
) -> None:
    template = default_app.raw("telephony")
    handler_id, handler = function_by_handler(template, "call_control.handler.lambda_handler")
    assert handler["Properties"]["Runtime"] == "python3.13"
    assert handler["Properties"]["Architectures"] == ["arm64"]
    assert handler["Properties"]["Timeout"] == 10
    variables = handler["Properties"]["Environment"]["Variables"]
    assert variables["MEETINGS_CONTROL_REGION"] == "us-east-1"
    _, sma = one(template, "AWS::Chime::SipMediaApplication")
    assert sma["Properties"]["Endpoints"] == [{"LambdaArn": {"Fn::GetAtt": [handler_id, "Arn"]}}]
    assert sma["Properties"]["AwsRegion"] == "us-east-1"
    permissions = [
        value["Properties"]
        for value in resources(template, "AWS::Lambda::Permission").values()
        if value["Properties"]["FunctionName"] == {"Fn::GetAtt": [handler_id, "Arn"]}
    ]
    assert len(permissions) == 1
    assert permissions[0]["Principal"] == "voiceconnector.chime.amazonaws.com"
    assert permissions[0]["SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert "sma/*" in str(permissions[0]["SourceArn"])


def test_preflight_runs_before_the_sma_and_no_number_is_ordered_before_the_sma(
    default_app: Synthesized,
) -> None:
    template = default_app.raw("telephony")
    preflight_id, _ = one(template, "Custom::ChimePreflight")
    sma_id, sma = one(template, "AWS::Chime::SipMediaApplication")
    _vc_id, vc = one(template, "AWS::Chime::VoiceConnector")
    _, number = one(template, "Custom::ChimePhoneNumber")
    assert preflight_id in sma["DependsOn"]
    assert preflight_id in vc["DependsOn"]
    assert sma_id in number["DependsOn"]


def test_the_number_is_ordered_with_the_default_settings_and_kept_on_delete(default_app: Synthesized) -> None:
    template = default_app.raw("telephony")
    _, number = one(template, "Custom::ChimePhoneNumber")
    assert number["DeletionPolicy"] == "Retain"
    assert number["UpdateReplacePolicy"] == "Retain"
    props = number["Properties"]
    assert props["Mode"] == "order"
    assert props["Country"] == "US"
    assert props["NumberType"] == "Local"
    assert props["ProductType"] == "SipMediaApplicationDialIn"
    assert props["ReleaseOnDelete"] is False


def test_releasing_the_number_on_delete_is_opt_in(synth_cache: Any) -> None:
    template = synth_cache(releaseNumberOnDelete=True, phoneAreaCode="206").raw("telephony")
    _, number = one(template, "Custom::ChimePhoneNumber")
    assert number["DeletionPolicy"] == "Delete"
    assert number["Properties"]["ReleaseOnDelete"] is True
    assert number["Properties"]["AreaCode"] == "206"


def test_sip_rules_route_the_number_and_the_trunk_to_the_sma(default_app: Synthesized) -> None:
    template = default_app.raw("telephony")
    rules = [value["Properties"] for value in resources(template, "Custom::ChimeSipRule").values()]
    sma_id, _ = one(template, "AWS::Chime::SipMediaApplication")
    vc_id, _ = one(template, "AWS::Chime::VoiceConnector")
    number_id, _ = one(template, "Custom::ChimePhoneNumber")
    by_trigger = {rule["TriggerType"]: rule for rule in rules}
    assert set(by_trigger) == {"ToPhoneNumber", "RequestUriHostname"}
    assert by_trigger["ToPhoneNumber"]["TriggerValue"] == {"Fn::GetAtt": [number_id, "PhoneNumber"]}
    assert by_trigger["RequestUriHostname"]["TriggerValue"] == {"Fn::GetAtt": [vc_id, "OutboundHostName"]}
    for rule in rules:
        assert rule["SipMediaApplicationId"] == {"Fn::GetAtt": [sma_id, "SipMediaApplicationId"]}


def test_voice_connector_requires_encryption_and_logs_by_default(default_app: Synthesized) -> None:
    template = default_app.raw("telephony")
    _, vc = one(template, "AWS::Chime::VoiceConnector")
    assert vc["Properties"]["RequireEncryption"] is True
    _, vc_settings = one(template, "Custom::ChimeVoiceConnectorSettings")
    assert vc_settings["Properties"]["Logging"] == {"EnableSIPLogs": True, "EnableMediaMetricLogs": True}
    assert "Termination" not in vc_settings["Properties"]
    assert "Origination" not in vc_settings["Properties"]


def test_termination_and_origination_come_from_the_settings(synth_cache: Any) -> None:
    template = synth_cache(
        terminationCidrs="203.0.113.0/28",
        originationRoutes='[{"host": "pbx.example.com", "port": 5061, "protocol": "TCP"}]',
    ).raw("telephony")
    _, vc_settings = one(template, "Custom::ChimeVoiceConnectorSettings")
    assert vc_settings["Properties"]["Termination"] == {
        "CallingRegions": ["US"],
        "CidrAllowedList": ["203.0.113.0/28"],
        "CpsLimit": 1,
    }
    assert vc_settings["Properties"]["Origination"]["Routes"] == [
        {"Host": "pbx.example.com", "Port": 5061, "Protocol": "TCP", "Priority": 1, "Weight": 1}
    ]


def test_calls_table_is_on_demand_recoverable_expiring_and_retained(default_app: Synthesized) -> None:
    template = default_app.template("telephony")
    template.has_resource(
        "AWS::DynamoDB::GlobalTable",
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": Match.object_like(
                {
                    "BillingMode": "PAY_PER_REQUEST",
                    "KeySchema": [{"AttributeName": schema.PARTITION_KEY, "KeyType": "HASH"}],
                    "TimeToLiveSpecification": {"AttributeName": schema.TTL_ATTRIBUTE, "Enabled": True},
                    "GlobalSecondaryIndexes": [
                        Match.object_like({"IndexName": schema.LIST_INDEX}),
                        Match.object_like({"IndexName": schema.TRANSACTION_INDEX}),
                    ],
                    "Replicas": [
                        Match.object_like(
                            {
                                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                                "DeletionProtectionEnabled": True,
                            }
                        )
                    ],
                }
            ),
        },
    )


def test_call_control_role_has_only_what_it_uses(default_app: Synthesized) -> None:
    template = default_app.raw("telephony")
    _, handler = function_by_handler(template, "call_control.handler.lambda_handler")
    role_id = handler["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = policy_statements(template, role_id)
    assert actions_of(statements) == {
        *CALL_TABLE_ACTIONS,
        *TRANSACTION_LOOKUP_ACTIONS,
        "chime:CreateAttendee",  # the phone leg's join token when an outbound call's attributes are lost
        "chime:CreateMeetingWithAttendees",
        "chime:DeleteMeeting",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if statement["Resource"] == "*":
            # CreateMeetingWithAttendees has no resource type: IAM evaluates it against "*" only.
            assert all(
                action.startswith("xray:") or action == "chime:CreateMeetingWithAttendees"
                for action in actions
            ), statement
        elif any(action.startswith("chime:") for action in actions):
            assert "meeting/*" in str(statement["Resource"])
    _, role = next((k, v) for k, v in resources(template, "AWS::IAM::Role").items() if k == role_id)
    assert "ManagedPolicyArns" not in role["Properties"]


def test_only_the_sma_handler_may_find_calls_by_transaction_and_only_through_its_index(
    default_app: Synthesized,
) -> None:
    template = default_app.raw("telephony")
    [table] = resources(template, "AWS::DynamoDB::GlobalTable").values()
    indexes = {index["IndexName"]: index for index in table["Properties"]["GlobalSecondaryIndexes"]}
    assert indexes[schema.TRANSACTION_INDEX]["KeySchema"] == [
        {"AttributeName": schema.TRANSACTION_KEY, "KeyType": "HASH"}
    ]
    assert indexes[schema.TRANSACTION_INDEX]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    table_id = next(iter(resources(template, "AWS::DynamoDB::GlobalTable")))
    for handler_name, may_look_up in (
        ("call_control.handler.lambda_handler", True),
        ("call_control.sweeper.lambda_handler", False),
    ):
        _, function = function_by_handler(template, handler_name)
        role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
        lookups = [
            statement
            for statement in policy_statements(template, role_id)
            if f"/index/{schema.TRANSACTION_INDEX}" in str(statement["Resource"])
        ]
        if not may_look_up:
            assert lookups == [], handler_name
            continue
        [lookup] = lookups
        assert lookup["Action"] == "dynamodb:Query"
        assert lookup["Resource"] == {
            "Fn::Join": ["", [{"Fn::GetAtt": [table_id, "Arn"]}, f"/index/{schema.TRANSACTION_INDEX}"]]
        }


def test_sweeper_may_update_calls_only_on_our_sma(default_app: Synthesized) -> None:
    template = default_app.raw("telephony")
    _, sweeper = function_by_handler(template, "call_control.sweeper.lambda_handler")
    sma_id, _ = one(template, "AWS::Chime::SipMediaApplication")
    role_id = sweeper["Properties"]["Role"]["Fn::GetAtt"][0]
    updates = [
        s
        for s in policy_statements(template, role_id)
        if s["Action"] == "chime:UpdateSipMediaApplicationCall"
    ]
    assert len(updates) == 1
    assert {"Fn::GetAtt": [sma_id, "SipMediaApplicationId"]} in updates[0]["Resource"]["Fn::Join"][1]
    assert sweeper["Properties"]["Environment"]["Variables"]["SMA_ID"] == {
        "Fn::GetAtt": [sma_id, "SipMediaApplicationId"]
    }
    rules = resources(template, "AWS::Events::Rule")
    assert [rule["Properties"]["ScheduleExpression"] for rule in rules.values()] == ["rate(1 minute)"]


def test_provider_role_lists_its_chime_voice_actions_explicitly(default_app: Synthesized) -> None:
    template = default_app.raw("telephony")
    _, on_event = function_by_handler(template, "telephony_provider.handler.on_event")
    statements = policy_statements(template, on_event["Properties"]["Role"]["Fn::GetAtt"][0])
    assert actions_of(statements) == {
        *ON_EVENT_CHIME_ACTIONS,
        *LOG_DELIVERY_ACTIONS,
        *IAM_ROLE_ACTIONS,
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }
    assert not any(action.endswith("*") for action in actions_of(statements))
    for statement in statements:
        if str(statement["Action"]).startswith("iam:"):
            assert "AWSServiceRoleForAmazonChimeVoiceConnector" in str(statement["Resource"])
    role = list(resources(template, "Custom::ChimeServiceLinkedRole").values())
    assert len(role) == 1
    assert role[0]["Properties"]["ResourceType"] == "ServiceLinkedRole"


def test_every_function_logs_with_retention_and_traces(default_app: Synthesized) -> None:
    for part, template in default_app.templates.items():
        functions = resources(template, "AWS::Lambda::Function")
        groups = resources(template, "AWS::Logs::LogGroup")
        assert all("RetentionInDays" in group["Properties"] for group in groups.values()), part
        for key, function in functions.items():
            if str(function["Properties"].get("Handler", "")).startswith(
                ("call_control", "meeting_api", "telephony_provider")
            ):
                assert function["Properties"]["TracingConfig"] == {"Mode": "Active"}, key
                assert "LoggingConfig" in function["Properties"], key


def test_outputs_name_what_the_operator_needs(default_app: Synthesized) -> None:
    outputs = default_app.raw("telephony")["Outputs"]
    assert {
        "PhoneNumber",
        "VoiceConnectorId",
        "VoiceConnectorHost",
        "SipMediaApplicationId",
        "Region",
    } <= set(outputs)


def test_a_region_without_the_meetings_api_creates_meetings_in_us_east_1(synth_cache: Any) -> None:
    template = synth_cache(region="eu-west-1").raw("telephony")
    _, handler = function_by_handler(template, "call_control.handler.lambda_handler")
    assert handler["Properties"]["Environment"]["Variables"]["MEETINGS_CONTROL_REGION"] == "us-east-1"
    statements = policy_statements(template, handler["Properties"]["Role"]["Fn::GetAtt"][0])
    chime = [s for s in statements if "chime:DeleteMeeting" in s["Action"]]
    assert ":chime:us-east-1:" in str(chime[0]["Resource"])


@pytest.mark.parametrize("kind", ["VoiceConnector", "SipMediaApplication"])
def test_us_west_2_gets_the_custom_resource_instead_of_the_missing_type(
    west_app: Synthesized, kind: str
) -> None:
    template = west_app.raw("telephony")
    assert not resources(template, f"AWS::Chime::{kind}")
    _, custom = one(template, f"Custom::Chime{kind}")
    assert custom["Properties"]["AwsRegion"] == "us-west-2"
    assert custom["Properties"]["ResourceType"] == kind


def test_alarms_watch_what_lambda_errors_cannot_see(default_app: Synthesized) -> None:
    """Both Lambdas answer their own failures (a polite hang-up, a 500 JSON), so Lambda's Errors stays at
    zero: alarms watch the metrics they publish for those, and the API's 5xx."""
    alarms = {
        (a["Properties"].get("MetricName"), a["Properties"].get("Namespace"))
        for template in default_app.templates.values()
        for a in resources(template, "AWS::CloudWatch::Alarm").values()
    }
    assert (CallMetric.CALLS_FAILED, "phoneline/calls") in alarms
    assert (CallMetric.HANDLER_FAILURES, "phoneline/calls") in alarms
    assert (ApiMetric.UNHANDLED_ERRORS, "phoneline/api") in alarms
    assert ("5xx", "AWS/ApiGateway") in alarms


def test_the_sma_lambda_has_reserved_concurrency_and_the_sweeper_never_retries(
    default_app: Synthesized,
) -> None:
    template = default_app.raw("telephony")
    handler_id, handler = function_by_handler(template, "call_control.handler.lambda_handler")
    sweeper_id, sweeper = function_by_handler(template, "call_control.sweeper.lambda_handler")
    assert handler["Properties"]["ReservedConcurrentExecutions"] == SMA_RESERVED_CONCURRENCY
    assert sweeper["Properties"]["ReservedConcurrentExecutions"] == 1
    configs = {
        config["Properties"]["FunctionName"]["Ref"]: config["Properties"]
        for config in resources(template, "AWS::Lambda::EventInvokeConfig").values()
    }
    # A sweep that failed or waited is stale a minute later; the next scheduled sweep redoes it.
    assert configs[sweeper_id]["MaximumRetryAttempts"] == 0
    assert configs[sweeper_id]["MaximumEventAgeInSeconds"] == 60
    assert handler_id not in configs  # the SMA invokes it synchronously
