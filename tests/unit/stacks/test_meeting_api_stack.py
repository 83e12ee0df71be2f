"""The meeting API: sign-in required everywhere but /health, throttled, CORS for the web client only."""

from __future__ import annotations

import json
from typing import Any

from calls.contracts import ApiMetric
from stacks.meeting_api.api import PUBLIC_ROUTES, ROUTES
from stacks.telephony.calls_table import CALL_TABLE_ACTIONS, LIST_ACTIONS
from tests.unit.stacks.conftest import Synthesized
from tests.unit.stacks.test_telephony_stack import (
    actions_of,
    function_by_handler,
    one,
    policy_statements,
    resources,
)


def test_every_route_but_health_needs_the_cognito_jwt(default_app: Synthesized) -> None:
    template = default_app.raw("meeting-api")
    authorizer_id, authorizer = one(template, "AWS::ApiGatewayV2::Authorizer")
    assert authorizer["Properties"]["AuthorizerType"] == "JWT"
    assert authorizer["Properties"]["IdentitySource"] == ["$request.header.Authorization"]
    client_id, _ = one(template, "AWS::Cognito::UserPoolClient")
    assert authorizer["Properties"]["JwtConfiguration"]["Audience"] == [{"Ref": client_id}]
    routes = {
        route["Properties"]["RouteKey"]: route["Properties"]
        for route in resources(template, "AWS::ApiGatewayV2::Route").values()
    }
    assert set(routes) == {f"{method} {path}" for method, path, _, _ in (*ROUTES, *PUBLIC_ROUTES)}
    for key, route in routes.items():
        if key == "GET /health":
            assert route["AuthorizationType"] == "NONE"
        else:
            assert route["AuthorizationType"] == "JWT", key
            assert route["AuthorizerId"] == {"Ref": authorizer_id}, key


def test_stage_throttles_each_route_and_logs_access(default_app: Synthesized) -> None:
    template = default_app.raw("meeting-api")
    _, stage = one(template, "AWS::ApiGatewayV2::Stage")
    props = stage["Properties"]
    assert props["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50}
    assert props["RouteSettings"]["POST /calls"] == {"ThrottlingRateLimit": 2, "ThrottlingBurstLimit": 5}
    assert set(props["RouteSettings"]) == {f"{m} {p}" for m, p, _, _ in (*ROUTES, *PUBLIC_ROUTES)}
    log_format = json.loads(props["AccessLogSettings"]["Format"])
    assert log_format["requestId"] == "$context.requestId"
    # The agent as the API knows them (the ID token's sub) and as people know them (its e-mail); a refused
    # access token shows as tokenUse "access".
    assert log_format["agent"] == "$context.authorizer.claims.sub"
    assert log_format["agentEmail"] == "$context.authorizer.claims.email"
    assert log_format["tokenUse"] == "$context.authorizer.claims.token_use"


def test_cors_allows_only_the_web_client_origin(default_app: Synthesized) -> None:
    # API Gateway answers CORS for an HTTP API with a CORS configuration and ignores the CORS headers the
    # Lambda returns, so this configuration is the whole of it.
    template = default_app.raw("meeting-api")
    _, api = one(template, "AWS::ApiGatewayV2::Api")
    cors = api["Properties"]["CorsConfiguration"]
    (origin,) = cors["AllowOrigins"]
    scheme, domain = origin["Fn::Join"][1]
    assert scheme == "https://"
    # The web-hosting stack's CloudFront distribution domain (CDK's export of its DomainName attribute).
    stack, export = domain["Fn::ImportValue"].split(":")
    assert stack == "phoneline-web-hosting"
    assert export.startswith("ExportsOutputFnGetAttHostingDistribution") and "DomainName" in export
    assert set(cors["AllowMethods"]) == {"GET", "POST", "DELETE"}
    assert set(cors["AllowHeaders"]) == {"authorization", "content-type", "if-none-match"}
    # The client reads these cross-origin: ETag for polling, Retry-After after a 429.
    assert set(cors["ExposeHeaders"]) == {"etag", "retry-after"}
    assert "AllowCredentials" not in cors  # bearer tokens, no cookies


def test_the_function_does_not_answer_cors_itself(default_app: Synthesized) -> None:
    _, function = function_by_handler(default_app.raw("meeting-api"), "meeting_api.handler.lambda_handler")
    assert "ALLOWED_ORIGIN" not in function["Properties"]["Environment"]["Variables"]


def test_user_pool_is_invite_only_with_strong_passwords(synth_cache: Any) -> None:
    template = synth_cache(agentEmails="ann@example.com,bob@example.com").raw("meeting-api")
    _, pool = one(template, "AWS::Cognito::UserPool")
    props = pool["Properties"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert props["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert props["MfaConfiguration"] == "OPTIONAL"
    users = [
        user["Properties"]["Username"] for user in resources(template, "AWS::Cognito::UserPoolUser").values()
    ]
    assert sorted(users) == ["ann@example.com", "bob@example.com"]
    _, client = one(template, "AWS::Cognito::UserPoolClient")
    assert client["Properties"]["AllowedOAuthFlows"] == ["code"]
    assert client["Properties"]["GenerateSecret"] is False
    assert client["Properties"]["CallbackURLs"][0]["Fn::Join"][1][-1] == "/"
    # Sign-out revokes the refresh token at /oauth2/revoke, which answers invalid_request otherwise.
    assert client["Properties"]["EnableTokenRevocation"] is True
    # The authorizer accepts an ID token until it expires, revoked or not: keep that window short.
    units = client["Properties"]["TokenValidityUnits"]
    assert (client["Properties"]["IdTokenValidity"], units["IdToken"]) == (15, "minutes")
    assert (client["Properties"]["AccessTokenValidity"], units["AccessToken"]) == (15, "minutes")


def test_api_role_may_call_only_its_chime_actions_on_its_own_sma(default_app: Synthesized) -> None:
    template = default_app.raw("meeting-api")
    _, handler = function_by_handler(template, "meeting_api.handler.lambda_handler")
    statements = policy_statements(template, handler["Properties"]["Role"]["Fn::GetAtt"][0])
    assert actions_of(statements) == {
        *CALL_TABLE_ACTIONS,
        *LIST_ACTIONS,
        "chime:CreateMeetingWithAttendees",
        "chime:CreateAttendee",
        "chime:DeleteAttendee",
        "chime:GetMeeting",
        "chime:DeleteMeeting",
        "chime:CreateSipMediaApplicationCall",
        "chime:UpdateSipMediaApplicationCall",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "ssm:GetParameter",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }
    sma_statements = [s for s in statements if "chime:CreateSipMediaApplicationCall" in s["Action"]]
    assert len(sma_statements) == 1
    assert "sma/" in str(sma_statements[0]["Resource"])
    assert "ImportValue" in str(sma_statements[0]["Resource"])


def test_the_azure_key_lives_in_secrets_manager_not_in_the_environment(default_app: Synthesized) -> None:
    template = default_app.raw("meeting-api")
    secret_id, _ = one(template, "AWS::SecretsManager::Secret")
    _, handler = function_by_handler(template, "meeting_api.handler.lambda_handler")
    variables = handler["Properties"]["Environment"]["Variables"]
    assert variables["AZURE_OPENAI_SECRET_ARN"] == {"Ref": secret_id}
    assert variables["AZURE_OPENAI_TRANSCRIPTION_MODEL"] == "whisper-1"
    assert variables["MEETINGS_CONTROL_REGION"] == "us-east-1"
    assert variables["AZURE_OPENAI_ENDPOINT"] == ""  # not configured: the API answers 503 for the AI only
    assert not any("key" in name.lower() for name in variables if name != "AZURE_OPENAI_SECRET_ARN")


def test_an_existing_secret_is_used_instead_of_a_new_one(synth_cache: Any) -> None:
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:azure-openai-AbCdEf"
    template = synth_cache(azureOpenAiSecretArn=arn, azureOpenAiEndpoint="https://res.openai.azure.com").raw(
        "meeting-api"
    )
    assert not resources(template, "AWS::SecretsManager::Secret")
    _, handler = function_by_handler(template, "meeting_api.handler.lambda_handler")
    variables = handler["Properties"]["Environment"]["Variables"]
    assert variables["AZURE_OPENAI_SECRET_ARN"] == arn
    assert variables["AZURE_OPENAI_ENDPOINT"] == "https://res.openai.azure.com"


def test_our_number_reaches_the_api_through_a_parameter_not_an_export(default_app: Synthesized) -> None:
    """An imported export would lock the number: CloudFormation refuses to change an export in use."""
    api = default_app.raw("meeting-api")
    assert "PhoneNumber" not in json.dumps(api).replace("PHONE_NUMBER", "")
    _, handler = function_by_handler(api, "meeting_api.handler.lambda_handler")
    variables = handler["Properties"]["Environment"]["Variables"]
    assert variables["PHONE_NUMBER_PARAMETER"] == "/phoneline/telephony/phone-number"
    assert "PHONE_NUMBER" not in variables
    statements = policy_statements(api, handler["Properties"]["Role"]["Fn::GetAtt"][0])
    (read,) = [s for s in statements if s["Action"] == "ssm:GetParameter"]
    assert str(read["Resource"]).endswith("parameter/phoneline/telephony/phone-number']]}")
    _, parameter = one(default_app.raw("telephony"), "AWS::SSM::Parameter")
    assert parameter["Properties"]["Name"] == "/phoneline/telephony/phone-number"
    assert "PhoneNumber" in json.dumps(parameter["Properties"]["Value"])


def test_changing_the_number_choice_changes_the_api_function(
    synth_cache: Any, default_app: Synthesized
) -> None:
    """So its containers start again and read the new number."""

    def choice(app: Synthesized) -> str:
        _, handler = function_by_handler(app.raw("meeting-api"), "meeting_api.handler.lambda_handler")
        return str(handler["Properties"]["Environment"]["Variables"]["PHONE_NUMBER_CHOICE"])

    assert choice(default_app) != choice(synth_cache(phoneAreaCode="425"))


def test_spend_alarms_watch_outbound_calls_and_azure_sessions_per_hour(default_app: Synthesized) -> None:
    template = default_app.raw("meeting-api")
    alarms = {
        alarm["Properties"]["MetricName"]: alarm["Properties"]
        for alarm in resources(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == "phoneline/api"
    }
    outbound, sessions = alarms[ApiMetric.OUTBOUND_CALLS_PLACED], alarms[ApiMetric.REALTIME_SESSIONS_MINTED]
    assert (outbound["Period"], outbound["Statistic"], outbound["Threshold"]) == (3600, "Sum", 25)  # 200 / 8
    assert (sessions["Period"], sessions["Statistic"], sessions["Threshold"]) == (3600, "Sum", 15)  # 30 / 2
    assert outbound["Dimensions"] == sessions["Dimensions"] == [{"Name": "service", "Value": "meeting-api"}]
    assert outbound["AlarmActions"] and sessions["AlarmActions"]


def test_the_function_gets_every_cap_from_the_settings(default_app: Synthesized) -> None:
    _, function = function_by_handler(default_app.raw("meeting-api"), "meeting_api.handler.lambda_handler")
    environment = function["Properties"]["Environment"]["Variables"]
    assert {
        name: environment[name]
        for name in (
            "OUTBOUND_CALLS_PER_AGENT_PER_HOUR",
            "OUTBOUND_CALLS_PER_DAY",
            "REALTIME_SESSIONS_PER_AGENT_PER_HOUR",
            "REALTIME_SECRET_SECONDS",
        )
    } == {
        "OUTBOUND_CALLS_PER_AGENT_PER_HOUR": "20",
        "OUTBOUND_CALLS_PER_DAY": "200",
        "REALTIME_SESSIONS_PER_AGENT_PER_HOUR": "30",
        "REALTIME_SECRET_SECONDS": "60",
    }
