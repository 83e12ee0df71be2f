"""The SIP media application's Lambda (every call event) and the sweeper that ends forgotten calls."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from constructs import Construct

from calls import phone_numbers, schema
from stacks.common.lambda_code import powertools_layer, python_function
from stacks.common.nag import acknowledge, meeting_finding
from stacks.settings import Settings
from stacks.telephony.call_store import grant_calls_table

CHIME_VOICE_SERVICE = "voiceconnector.chime.amazonaws.com"


def meeting_arns(stack: Stack, settings: Settings) -> list[str]:
    """Meetings are authorized against meeting/* in the meetings control region (CreateMeeting included)."""
    return [f"arn:{stack.partition}:chime:{settings.meetings_control_region}:{stack.account}:meeting/*"]


class CallControl(Construct):
    """The SMA handler answers within the SMA's ~5 s deadline; the sweeper runs every minute."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        table: dynamodb.ITableV2,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        layer = powertools_layer(self, settings.region)
        options = settings.call_control
        self.environment = {
            schema.TABLE_ENV: table.table_name,
            "MEETING_REGION": settings.meeting_region,
            "MEETINGS_CONTROL_REGION": settings.meetings_control_region,
            "GREETING_TEXT": options.greeting_text,
            "GREETING_VOICE": options.greeting_voice,
            "GREETING_LANGUAGE": options.greeting_language,
            "WAIT_TIMEOUT_SECONDS": str(options.wait_timeout_seconds),
            "CALL_RETENTION_DAYS": str(options.call_retention_days),
            phone_numbers.ENV_VAR: settings.agents.dial_policy.to_json(),  # transfers obey it too
            "POWERTOOLS_SERVICE_NAME": "call-control",
            "POWERTOOLS_METRICS_NAMESPACE": f"{settings.prefix}/calls",
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
        self.function = python_function(
            self,
            "Handler",
            handler="call_control.handler.lambda_handler",
            packages=("call_control", "calls"),
            description="SIP media application handler: puts callers into Chime SDK meetings",
            environment=self.environment,
            # The SMA retries after ~5 s; AWS calls inside are bounded (1 s connect, 2 s read, 2 attempts),
            # and a run cut short mid-write would only leave work for the retry to redo.
            timeout=Duration.seconds(10),
            memory_size=1024,
            layers=[layer],
        )
        grant_calls_table(self.function, table, list_calls=False)
        self.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["chime:CreateMeetingWithAttendees", "chime:DeleteMeeting"],
                resources=meeting_arns(stack, settings),
            )
        )
        # Only the Chime voice service, on behalf of this account's SIP media applications, may invoke it.
        self.function.add_permission(
            "InvokedByChimeVoice",
            principal=iam.ServicePrincipal(CHIME_VOICE_SERVICE),
            action="lambda:InvokeFunction",
            source_account=stack.account,
            source_arn=f"arn:{stack.partition}:chime:{stack.region}:{stack.account}:sma/*",
        )

        self.sweeper = python_function(
            self,
            "Sweeper",
            handler="call_control.sweeper.lambda_handler",
            packages=("call_control", "calls"),
            description="Ends calls nobody answered in time and deletes meetings of ended calls",
            environment=dict(self.environment, POWERTOOLS_SERVICE_NAME="call-sweeper"),
            timeout=Duration.seconds(60),
            memory_size=512,
            layers=[layer],
            reserved_concurrency=1,
        )
        grant_calls_table(self.sweeper, table, list_calls=True)
        self.sweeper.add_to_role_policy(
            iam.PolicyStatement(actions=["chime:DeleteMeeting"], resources=meeting_arns(stack, settings))
        )
        for function in (self.function, self.sweeper):
            acknowledge(
                function.role,  # type: ignore[arg-type]
                "AwsSolutions-IAM5",
                "Meeting ids are created per call at run time, and Chime authorizes CreateMeeting* against "
                "meeting/* of this account and region.",
                applies_to=[meeting_finding(self, settings.meetings_control_region)],
            )
        events.Rule(
            self,
            "EveryMinute",
            schedule=events.Schedule.rate(Duration.minutes(1)),
            targets=[targets.LambdaFunction(self.sweeper, retry_attempts=0)],
        )

    def allow_call_updates(self, sma_id: str) -> None:
        """The sweeper ends timed-out calls through UpdateSipMediaApplicationCall on our SMA only.

        Only the sweeper gets SMA_ID: the SMA needs the handler's ARN, so the handler reads the SMA id from
        each event instead (a dependency cycle otherwise).
        """
        stack = Stack.of(self)
        self.sweeper.add_environment("SMA_ID", sma_id)
        self.sweeper.add_to_role_policy(
            iam.PolicyStatement(
                actions=["chime:UpdateSipMediaApplicationCall"],
                resources=[f"arn:{stack.partition}:chime:{stack.region}:{stack.account}:sma/{sma_id}"],
            )
        )
