"""The meeting API: an HTTP API whose every route but /health needs an agent's Cognito ID token."""

from __future__ import annotations

import hashlib

import jsii
from aws_cdk import Duration, RemovalPolicy, SecretValue, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from calls import phone_numbers, schema
from calls.contracts import MEETING_API_SERVICE
from stacks.common.lambda_code import dependencies_layer, python_function
from stacks.common.nag import acknowledge, meeting_finding
from stacks.settings import DeploySettings
from stacks.telephony.call_control_functions import grant_meeting_creation, meeting_arns
from stacks.telephony.calls_table import grant_calls_table

# (method, path as docs/openapi.json names it, requests per second, burst): polling routes get room,
# call-placing routes very little.
ROUTES: tuple[tuple[str, str, int, int], ...] = (
    ("GET", "/calls", 50, 100),
    ("GET", "/calls/{call_id}", 20, 40),
    ("POST", "/calls", 2, 5),
    ("POST", "/calls/{call_id}/answer", 5, 10),
    ("POST", "/calls/{call_id}/leave", 5, 10),
    ("POST", "/calls/{call_id}/hangup", 5, 10),
    ("POST", "/calls/{call_id}/transfer", 2, 5),
    ("POST", "/meetings", 2, 5),
    ("DELETE", "/meetings/{meeting_id}", 2, 5),
    ("POST", "/realtime/session", 5, 10),
)
PUBLIC_ROUTES: tuple[tuple[str, str, int, int], ...] = (("GET", "/health", 5, 10),)
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","agent":"$context.authorizer.claims.sub",'
    '"agentEmail":"$context.authorizer.claims.email","tokenUse":"$context.authorizer.claims.token_use",'
    '"time":"$context.requestTime","method":"$context.httpMethod","route":"$context.routeKey",'
    '"status":"$context.status","latencyMs":"$context.responseLatency","error":"$context.error.message",'
    '"authorizerError":"$context.authorizer.error","integrationError":"$context.integrationErrorMessage"}'
)


@jsii.implements(apigw.IAccessLogSettings)
class _AccessLogs:
    """JSON access logs (request id, agent, route, status, latency, errors) into our log group."""

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigw.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigw.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return apigateway.AccessLogFormat.custom(ACCESS_LOG_FORMAT)


def phone_choice_tag(settings: DeploySettings) -> str:
    choice = settings.phone
    text = "|".join(
        str(part) for part in (choice.existing, choice.country, choice.area_code, choice.toll_free_prefix)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


class AzureSecret(Construct):
    """The Azure OpenAI key: an existing secret (setting), or a new one the operator fills after deploy."""

    def __init__(self, scope: Construct, construct_id: str, *, existing_arn: str | None) -> None:
        super().__init__(scope, construct_id)
        if existing_arn:
            self.secret: secretsmanager.ISecret = secretsmanager.Secret.from_secret_complete_arn(
                self, "Existing", existing_arn
            )
            return
        created = secretsmanager.Secret(
            self,
            "Key",
            description='Azure OpenAI resource key as {"apiKey": "..."}; set it after the first deploy',
            secret_object_value={"apiKey": SecretValue.unsafe_plain_text("")},
            # A deleted secret stays recoverable for 30 days; the key itself lives on in Azure.
            removal_policy=RemovalPolicy.DESTROY,
        )
        acknowledge(
            created,
            "AwsSolutions-SMG4",
            "The value is an Azure OpenAI resource key: it is rotated in Azure (two keys, swap and "
            "regenerate), then written here; AWS has no rotation Lambda that could mint Azure keys.",
        )
        self.secret = created


class MeetingApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        table: dynamodb.ITableV2,
        sma_id: str,
        phone_number_parameter: str,
        web_url: str,
        issuer_url: str,
        client_id: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.azure_secret = AzureSecret(self, "AzureSecret", existing_arn=settings.azure.secret_arn).secret
        azure = settings.azure
        self.function = python_function(
            self,
            "Handler",
            handler="meeting_api.handler.lambda_handler",
            packages=("meeting_api", "calls"),
            description="Meeting API: calls, answering, outbound calls, Azure OpenAI Realtime credentials",
            environment={
                schema.TABLE_ENV: table.table_name,
                "SMA_ID": sma_id,
                "PHONE_NUMBER_PARAMETER": phone_number_parameter,
                # Changes when the number choice does, so the API's containers re-read the parameter.
                "PHONE_NUMBER_CHOICE": phone_choice_tag(settings),
                "MEETING_REGION": settings.meeting_region,
                "MEETINGS_CONTROL_REGION": settings.meetings_control_region,
                "AZURE_OPENAI_ENDPOINT": azure.endpoint or "",
                "AZURE_OPENAI_DEPLOYMENT": azure.deployment,
                "AZURE_OPENAI_VOICE": azure.voice,
                "AZURE_OPENAI_INSTRUCTIONS": azure.instructions,
                "AZURE_OPENAI_TRANSCRIPTION_MODEL": azure.transcription_model,
                "AZURE_OPENAI_SECRET_ARN": self.azure_secret.secret_arn,
                phone_numbers.ENV_VAR: settings.agents.dial_policy.to_json(),
                "OUTBOUND_CALLS_PER_AGENT_PER_HOUR": str(settings.agents.outbound_calls_per_agent_per_hour),
                "OUTBOUND_CALLS_PER_DAY": str(settings.agents.outbound_calls_per_day),
                "REALTIME_SESSIONS_PER_AGENT_PER_HOUR": str(
                    settings.agents.realtime_sessions_per_agent_per_hour
                ),
                "REALTIME_SECRET_SECONDS": str(settings.agents.realtime_secret_seconds),
                "CALL_RETENTION_DAYS": str(settings.call_control.call_retention_days),
                "POWERTOOLS_SERVICE_NAME": MEETING_API_SERVICE,
                "POWERTOOLS_METRICS_NAMESPACE": settings.api_metrics_namespace,
                "POWERTOOLS_LOG_LEVEL": "INFO",
            },
            timeout=Duration.seconds(15),
            memory_size=1024,
            layers=[dependencies_layer(self)],
        )
        grant_calls_table(self.function, table, list_calls=True)
        self.azure_secret.grant_read(self.function)
        self.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ssm:GetParameter"],
                resources=[
                    f"arn:{stack.partition}:ssm:{stack.region}:{stack.account}:parameter{phone_number_parameter}"
                ],
            )
        )
        grant_meeting_creation(self.function)
        self.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "chime:CreateAttendee",
                    "chime:DeleteAttendee",
                    "chime:GetMeeting",
                    "chime:DeleteMeeting",
                ],
                resources=meeting_arns(stack, settings),
            )
        )
        self.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["chime:CreateSipMediaApplicationCall", "chime:UpdateSipMediaApplicationCall"],
                resources=[f"arn:{stack.partition}:chime:{stack.region}:{stack.account}:sma/{sma_id}"],
            )
        )
        acknowledge(
            self.function.role,  # type: ignore[arg-type]
            "AwsSolutions-IAM5",
            "Meeting ids are created per call at run time and Chime authorizes attendee and meeting actions "
            "on existing meetings against meeting/* of this account and the meetings control region.",
            applies_to=[meeting_finding(self, settings.meetings_control_region)],
        )

        access_logs = logs.LogGroup(self, "AccessLogs", retention=logs.RetentionDays.THREE_MONTHS)
        self.http_api = apigw.HttpApi(
            self,
            "Http",
            description="Meeting API for the agent web client",
            cors_preflight=apigw.CorsPreflightOptions(
                allow_origins=[web_url],
                allow_methods=[
                    apigw.CorsHttpMethod.GET,
                    apigw.CorsHttpMethod.POST,
                    apigw.CorsHttpMethod.DELETE,
                ],
                allow_headers=["authorization", "content-type", "if-none-match"],
                expose_headers=["etag", "retry-after"],
                max_age=Duration.hours(1),
            ),
            create_default_stage=False,
        )
        self.stage = self.http_api.add_stage(
            "Stage",
            stage_name="$default",
            auto_deploy=True,
            access_log_settings=_AccessLogs(access_logs),
            throttle=apigw.ThrottleSettings(rate_limit=50, burst_limit=100),
        )
        # Checks signature, issuer, expiry and audience. An ID token's `aud` is the app client; an access
        # token has no `aud`, so API Gateway compares its `client_id` instead, which is the app client too:
        # both kinds pass here, and the Lambda (meeting_api.agents.Agent.from_claims) takes ID tokens only.
        authorizer = authorizers.HttpJwtAuthorizer(
            "AgentJwt",
            issuer_url,
            jwt_audience=[client_id],
            identity_source=["$request.header.Authorization"],
        )
        integration = integrations.HttpLambdaIntegration("Handler", self.function)
        route_settings = {}
        for method, path, rate, burst in (*ROUTES, *PUBLIC_ROUTES):
            is_public = (method, path, rate, burst) in PUBLIC_ROUTES
            routes = self.http_api.add_routes(
                path=path,
                methods=[apigw.HttpMethod(method)],
                integration=integration,
                authorizer=apigw.HttpNoneAuthorizer() if is_public else authorizer,
            )
            if is_public:
                acknowledge(
                    routes[0],
                    "AwsSolutions-APIG4",
                    "GET /health is deliberately anonymous for uptime checks; it returns only {status: ok} "
                    "and is throttled to 5 requests per second.",
                )
            route_settings[f"{method} {path}"] = {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}
        # Per-route throttles have no L2 property yet.
        stage = self.stage.node.default_child
        stage.add_property_override("RouteSettings", route_settings)  # type: ignore[union-attr]
        self.url = self.http_api.api_endpoint
