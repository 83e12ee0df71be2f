"""The meeting API stack: agent identity (Cognito), the HTTP API and its Lambda, the Azure key secret."""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from calls.contracts import MEETING_API_SERVICE, ApiMetric
from stacks.common.monitoring import Monitoring
from stacks.meeting_api.api import MeetingApi
from stacks.meeting_api.identity import AgentIdentity
from stacks.push.events import CallEvents
from stacks.settings import DeploySettings


class MeetingApiStack(Stack):
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
        cognito_domain_prefix: str,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.identity = AgentIdentity(
            self, "Identity", settings=settings, web_url=web_url, domain_prefix=cognito_domain_prefix
        )
        self.api = MeetingApi(
            self,
            "Api",
            settings=settings,
            table=table,
            sma_id=sma_id,
            phone_number_parameter=phone_number_parameter,
            web_url=web_url,
            issuer_url=self.identity.issuer_url,
            client_id=self.identity.client.user_pool_client_id,
        )
        self.events = CallEvents(
            self,
            "Events",
            settings=settings,
            user_pool=self.identity.user_pool,
            client_id=self.identity.client.user_pool_client_id,
            table=table,
        )
        monitoring = Monitoring(
            self, "Monitoring", dashboard_name=settings.api_dashboard_name, alarm_email=settings.alarm_email
        )
        monitoring.watch_function("MeetingApi", self.api.function)
        monitoring.watch_function("CallEventsPublisher", self.events.publisher)
        # The function answers its own failures with 500 JSON, so Lambda's Errors metric stays at zero.
        monitoring.alarm_on(
            "ApiServerErrors",
            self.api.http_api.metric_server_error(period=Duration.minutes(5), statistic="Sum"),
            threshold=5,
            description="The meeting API answered 5xx (AWS or Azure faults, or unexpected errors)",
        )
        monitoring.alarm_on_count(
            ApiMetric.UNHANDLED_ERRORS.value,
            namespace=settings.api_metrics_namespace,
            service=MEETING_API_SERVICE,
            description="The meeting API hit an unexpected error",
        )
        # Spend: each outbound call and Azure session costs money; these catch a stolen login early.
        agents = settings.agents
        monitoring.alarm_on_count(
            ApiMetric.OUTBOUND_CALLS_PLACED.value,
            namespace=settings.api_metrics_namespace,
            service=MEETING_API_SERVICE,
            threshold=outbound_calls_alarm(settings),
            period=Duration.hours(1),
            description="Many outbound calls in an hour: at this rate the line's daily cap lasts a working day",
        )
        monitoring.alarm_on_count(
            ApiMetric.REALTIME_SESSIONS_MINTED.value,
            namespace=settings.api_metrics_namespace,
            service=MEETING_API_SERVICE,
            threshold=realtime_sessions_alarm(settings),
            period=Duration.hours(1),
            description="Many Azure OpenAI Realtime sessions minted in an hour "
            f"(each agent may mint {agents.realtime_sessions_per_agent_per_hour} an hour)",
        )
        self.web_config = {
            "region": settings.region,
            "apiUrl": self.api.url,
            "userPoolId": self.identity.user_pool.user_pool_id,
            "userPoolClientId": self.identity.client.user_pool_client_id,
            "cognitoDomain": self.identity.domain.base_url(),
            # The push channel (frontend/src/calls/events-client.ts): where to connect, and the `host` to sign.
            "eventsRealtimeUrl": self.events.realtime_url,
            "eventsHttpHost": self.events.http_host,
        }
        CfnOutput(self, "ApiUrlOutput", key="ApiUrl", value=self.api.url, description="Meeting API base URL")
        CfnOutput(
            self,
            "AzureSecretOutput",
            key="AzureOpenAiSecretArn",
            value=self.api.azure_secret.secret_arn,
            description='Put the Azure OpenAI key here as {"apiKey": "..."}',
        )
        CfnOutput(self, "UserPoolOutput", key="UserPoolId", value=self.identity.user_pool.user_pool_id)


def outbound_calls_alarm(settings: DeploySettings) -> int:
    """Outbound calls in an hour that alarm: an eighth of the daily cap, so the cap would last 8 hours."""
    return max(1, settings.agents.outbound_calls_per_day // 8)


def realtime_sessions_alarm(settings: DeploySettings) -> int:
    """Sessions in an hour that alarm: half of what every invited agent (at least one) may mint."""
    agents = max(1, len(settings.agents.emails))
    return max(1, agents * settings.agents.realtime_sessions_per_agent_per_hour // 2)
