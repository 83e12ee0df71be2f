"""The SIP media application's Lambda (every call event) and the sweeper that ends forgotten calls."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from calls import phone_numbers, schema
from calls.contracts import CALL_CONTROL_SERVICE, SWEEPER_SERVICE
from stacks.common.lambda_code import dependencies_layer, python_function
from stacks.common.nag import XRAY_ON_STAR, acknowledge, meeting_finding
from stacks.settings import DeploySettings
from stacks.telephony.calls_table import grant_calls_table

CHIME_VOICE_SERVICE = "voiceconnector.chime.amazonaws.com"
# Reserved for the SMA Lambda so other functions in the account can never starve live calls, and a cap on
# what a flood of calls can run at once. Each invocation lasts well under a second and a call raises a
# handful of events over minutes, so 20 covers far more simultaneous calls than a team's line carries.
# Lambda refuses a reservation that leaves the account's unreserved pool under 100: with the sweeper's 1,
# deploying needs a concurrency quota of at least 121 (the default is 1,000; raise a new account's first).
SMA_RESERVED_CONCURRENCY = 20


def meeting_arns(stack: Stack, settings: DeploySettings) -> list[str]:
    """Actions on an existing meeting (GetMeeting, CreateAttendee, DeleteMeeting...) are authorized against
    meeting/* in the meetings control region."""
    return [f"arn:{stack.partition}:chime:{settings.meetings_control_region}:{stack.account}:meeting/*"]


def grant_meeting_creation(function: lambda_.Function) -> None:
    """CreateMeetingWithAttendees on "*": the only resource IAM evaluates it against.

    The Service Authorization Reference lists no resource type for it (the meeting does not exist yet),
    so a statement scoped to meeting/* never matches and every call would be denied.
    """
    function.add_to_role_policy(
        iam.PolicyStatement(actions=["chime:CreateMeetingWithAttendees"], resources=["*"])
    )
    acknowledge(
        function.role,  # type: ignore[arg-type]
        "AwsSolutions-IAM5",
        "chime:CreateMeetingWithAttendees has no resource type in the Service Authorization Reference (the "
        "meeting does not exist yet), so IAM evaluates it against '*' only; every other Chime action of this "
        f"role is scoped to meeting/* or to our SIP media application. {XRAY_ON_STAR}",
        applies_to=["Resource::*"],
    )


class CallControlFunctions(Construct):
    """The call-control Lambda (the SMA's handler, within its ~5 s deadline) and the sweeper (every minute)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        table: dynamodb.ITableV2,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        layer = dependencies_layer(self)
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
            "POWERTOOLS_SERVICE_NAME": CALL_CONTROL_SERVICE,
            "POWERTOOLS_METRICS_NAMESPACE": settings.calls_metrics_namespace,
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
            reserved_concurrency=SMA_RESERVED_CONCURRENCY,
        )
        grant_calls_table(self.function, table, list_calls=False, find_by_transaction=True)
        grant_meeting_creation(self.function)
        self.function.add_to_role_policy(
            iam.PolicyStatement(actions=["chime:DeleteMeeting"], resources=meeting_arns(stack, settings))
        )
        # Only the Chime voice service, on behalf of this account's SIP media applications, may invoke it.
        self.function.add_permission(
            "InvokedByChimeVoice",
            principal=iam.ServicePrincipal(CHIME_VOICE_SERVICE),
            action="lambda:InvokeFunction",
            source_account=stack.account,
            source_arn=f"arn:{stack.partition}:chime:{stack.region}:{stack.account}:sma/*",
        )
        # An outbound call whose attributes the SMA did not keep gets its phone leg's join token again:
        # CreateAttendee with the leg's ExternalUserId returns the attendee the meeting API created.
        self.function.add_to_role_policy(
            iam.PolicyStatement(actions=["chime:CreateAttendee"], resources=meeting_arns(stack, settings))
        )

        self.sweeper = python_function(
            self,
            "Sweeper",
            handler="call_control.sweeper.lambda_handler",
            packages=("call_control", "calls"),
            description="Ends calls nobody answered in time and deletes meetings of ended calls",
            environment=dict(self.environment, POWERTOOLS_SERVICE_NAME=SWEEPER_SERVICE),
            timeout=Duration.seconds(60),
            memory_size=512,
            layers=[layer],
            reserved_concurrency=1,
        )
        # A failed or delayed sweep is stale by the next minute's, which redoes its work: Lambda's two async
        # retries (and six hours of queueing) would only run old sweeps on top of new ones.
        self.sweeper.configure_async_invoke(retry_attempts=0, max_event_age=Duration.minutes(1))
        grant_calls_table(self.sweeper, table, list_calls=True)
        self.sweeper.add_to_role_policy(
            iam.PolicyStatement(actions=["chime:DeleteMeeting"], resources=meeting_arns(stack, settings))
        )
        for function in (self.function, self.sweeper):
            acknowledge(
                function.role,  # type: ignore[arg-type]
                "AwsSolutions-IAM5",
                "Meeting ids are created per call at run time, and Chime authorizes DeleteMeeting against "
                "meeting/* of this account and the meetings control region.",
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
