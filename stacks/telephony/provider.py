"""The custom resource provider for what CloudFormation lacks in Chime SDK Voice (numbers, SIP rules...)."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import custom_resources as cr
from constructs import Construct

from aws_cdk import aws_lambda as lambda_

from stacks.common.lambda_code import python_function
from stacks.common.nag import acknowledge, arn_finding
from telephony_provider.iam import CHIME_VOICE_ACTIONS

# Vended-log delivery for Voice Connector SIP/media-metric logs: CloudWatch Logs authorizes these on
# the caller ("Access Denied for LogDestination" otherwise); none of them takes a resource ARN.
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
)


class TelephonyProvider(Construct):
    """One provider (on_event + is_complete, 30 s polling up to an hour) for every Chime voice resource."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.on_event = python_function(
            self,
            "OnEvent",
            handler="telephony_provider.handler.on_event",
            packages=("telephony_provider",),
            description="Creates, updates and deletes Chime SDK Voice resources CloudFormation lacks",
            environment={},
            timeout=Duration.minutes(2),
            memory_size=256,
        )
        self.is_complete = python_function(
            self,
            "IsComplete",
            handler="telephony_provider.handler.is_complete",
            packages=("telephony_provider",),
            description="Polls phone number orders until the number is acquired or the order fails",
            environment={},
            timeout=Duration.minutes(1),
            memory_size=256,
        )
        chime = iam.PolicyStatement(actions=sorted(CHIME_VOICE_ACTIONS), resources=["*"])
        log_delivery = iam.PolicyStatement(actions=list(LOG_DELIVERY_ACTIONS), resources=["*"])
        # Speak / SpeakAndGetDigits use Polly through this service-linked role; the provider creates it if missing.
        role_arn = (
            f"arn:{stack.partition}:iam::{stack.account}:role/aws-service-role/"
            "voiceconnector.chime.amazonaws.com/AWSServiceRoleForAmazonChimeVoiceConnector"
        )
        read_role = iam.PolicyStatement(actions=["iam:GetRole"], resources=[role_arn])
        create_role = iam.PolicyStatement(
            actions=["iam:CreateServiceLinkedRole"],
            resources=[role_arn],
            conditions={"StringEquals": {"iam:AWSServiceName": "voiceconnector.chime.amazonaws.com"}},
        )
        for function in (self.on_event, self.is_complete):
            for statement in (chime, log_delivery, read_role, create_role):
                function.add_to_role_policy(statement)
            acknowledge(
                function.role,  # type: ignore[arg-type]
                "AwsSolutions-IAM5",
                "Chime SDK Voice administration actions (search/order numbers, SIP rules, Voice Connector "
                "settings) and CloudWatch vended-log delivery do not support resource-level permissions; "
                "the action list is exactly what the provider calls (telephony_provider/iam.py).",
                applies_to=["Resource::*"],
            )
        self.provider = cr.Provider(
            self,
            "Provider",
            on_event_handler=self.on_event,
            is_complete_handler=self.is_complete,
            query_interval=Duration.seconds(30),
            total_timeout=Duration.hours(1),
            log_group=logs.LogGroup(self, "FrameworkLogs", retention=logs.RetentionDays.ONE_MONTH),
            disable_waiter_state_machine_logging=False,
            waiter_state_machine_log_options=cr.LogOptions(
                destination=logs.LogGroup(self, "WaiterLogs", retention=logs.RetentionDays.ONE_MONTH),
                level=sfn.LogLevel.ALL,
                include_execution_data=False,
            ),
        )
        framework_functions = [
            child for child in self.provider.node.find_all() if isinstance(child, lambda_.Function)
        ]
        acknowledge(
            self.provider,
            "AwsSolutions-IAM4",
            "The CDK provider framework's own functions use AWSLambdaBasicExecutionRole for their logs; "
            "it grants only CloudWatch Logs writes.",
            applies_to=["Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
        )
        acknowledge(
            self.provider,
            "AwsSolutions-IAM5",
            "The CDK provider framework invokes the handler functions by ARN with a ':*' version suffix; "
            "these grants are generated by aws-cdk-lib and name only this provider's functions.",
            applies_to=[
                arn_finding(function, ":*")
                for function in (self.on_event, self.is_complete, *framework_functions)
            ],
        )
        acknowledge(
            self.provider,
            "AwsSolutions-IAM5",
            "The waiter state machine logs ALL events to its log group; Step Functions' CloudWatch log "
            "delivery actions (logs:CreateLogDelivery and friends) accept only Resource '*'.",
            applies_to=["Resource::*"],
        )
        acknowledge(
            self.provider,
            "AwsSolutions-L1",
            "The CDK provider framework pins the Node.js runtime of its own framework functions; our "
            "handler functions run the pinned Python runtime.",
        )
        acknowledge(
            self.provider,
            "AwsSolutions-SF2",
            "aws-cdk-lib does not expose X-Ray tracing for the provider framework's internal waiter state "
            "machine; it only polls is_complete, which is itself traced.",
        )

    @property
    def service_token(self) -> str:
        return self.provider.service_token
