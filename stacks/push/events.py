"""The push channel: an AppSync Events API agents subscribe to, fed from the calls table's stream.

Subscribers connect and subscribe with their Cognito token (this user pool, this app client only); only
IAM may publish, so a browser can never publish. Every signed-in agent may read the queue and any call
today, so the namespaces need no per-channel handler; when that changes, an onSubscribe handler is where
it goes. Why a stream consumer publishes (not the writers): call_events/handler.py.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_appsync as appsync
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from calls.contracts import CALL_EVENTS_SERVICE, EVENTS_NAMESPACES, EVENTS_URL_ENV
from stacks.common.lambda_code import dependencies_layer, python_function
from stacks.common.nag import XRAY_ON_STAR, acknowledge
from stacks.settings import DeploySettings

_T = appsync.AppSyncAuthorizationType


class CallEvents(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        user_pool: cognito.IUserPool,
        client_id: str,
        table: dynamodb.ITableV2,
    ) -> None:
        super().__init__(scope, construct_id)
        agents = appsync.AppSyncAuthProvider(
            authorization_type=_T.USER_POOL,
            cognito_config=appsync.AppSyncCognitoConfig(
                user_pool=user_pool, app_id_client_regex=f"^{client_id}$"
            ),
        )
        publishers = appsync.AppSyncAuthProvider(authorization_type=_T.IAM)
        self.api = appsync.EventApi(
            self,
            "Api",
            api_name=settings.events_api_name,
            # Every list is explicit: an omitted one would allow every provider (browsers could publish).
            authorization_config=appsync.EventApiAuthConfig(
                auth_providers=[agents, publishers],
                connection_auth_mode_types=[_T.USER_POOL, _T.IAM],
                default_publish_auth_mode_types=[_T.IAM],
                default_subscribe_auth_mode_types=[_T.USER_POOL],
            ),
            log_config=appsync.AppSyncLogConfig(
                field_log_level=appsync.AppSyncFieldLogLevel.ERROR, retention=logs.RetentionDays.ONE_MONTH
            ),
        )
        acknowledge(
            self.api,
            "AwsSolutions-IAM4",
            "AppSync's logging role for this Event API uses AWS's AWSAppSyncPushToCloudWatchLogs, which "
            "aws-cdk-lib attaches; it only lets AppSync write this API's error logs.",
            applies_to=[
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSAppSyncPushToCloudWatchLogs"
            ],
        )
        # aws-cdk-lib sets the API log group's retention with its LogRetention singleton function.
        stack = Stack.of(self)
        retention = next(c for c in stack.node.children if c.node.id.startswith("LogRetention"))
        acknowledge(
            retention,
            "AwsSolutions-IAM4",
            "aws-cdk-lib's LogRetention function (sets the call-events API log group's retention) uses "
            "AWSLambdaBasicExecutionRole for its own logs only.",
            applies_to=[
                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
            ],
        )
        acknowledge(
            retention,
            "AwsSolutions-IAM5",
            "aws-cdk-lib's LogRetention function calls logs:PutRetentionPolicy and "
            "logs:DeleteRetentionPolicy on '*': the log group it manages is named by AppSync at deploy time.",
            applies_to=["Resource::*"],
        )
        namespaces = [
            self.api.add_channel_namespace(
                name,
                channel_namespace_name=name,
                authorization_config=appsync.NamespaceAuthConfig(
                    publish_auth_mode_types=[_T.IAM], subscribe_auth_mode_types=[_T.USER_POOL]
                ),
            )
            for name in EVENTS_NAMESPACES
        ]
        self.publisher = python_function(
            self,
            "Publisher",
            handler="call_events.handler.lambda_handler",
            packages=("call_events", "calls"),
            description="Publishes call changes from the calls table's stream to the agents' Events API",
            environment={
                EVENTS_URL_ENV: f"https://{self.api.http_dns}/event",
                "POWERTOOLS_SERVICE_NAME": CALL_EVENTS_SERVICE,
                "POWERTOOLS_LOG_LEVEL": "INFO",
            },
            timeout=Duration.seconds(30),
            memory_size=256,
            layers=[dependencies_layer(self)],
        )
        for namespace in namespaces:
            namespace.grant_publish(self.publisher)
        stream_arn = table.table_stream_arn
        if stream_arn is None:
            raise ValueError("the calls table has no stream: CallStore must enable NEW_AND_OLD_IMAGES")
        # The mapping is built here, not with DynamoEventSource, whose grant scopes ListStreams to the
        # stream's ARN (ListStreams has no resource type: IAM would deny it).
        self.publisher.add_event_source_mapping(
            "CallChanges",
            event_source_arn=stream_arn,
            starting_position=lambda_.StartingPosition.LATEST,
            batch_size=100,
            max_batching_window=Duration.seconds(0),
            # Few retries and a short age: a stale ring is worse than none, and browsers resynchronise.
            retry_attempts=2,
            max_record_age=Duration.minutes(2),
            bisect_batch_on_error=True,
            report_batch_item_failures=True,
        )
        self.publisher.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
                resources=[stream_arn],
            )
        )
        self.publisher.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:ListStreams"], resources=["*"])  # no resource type
        )
        acknowledge(
            self.publisher.role,  # type: ignore[arg-type]
            "AwsSolutions-IAM5",
            "dynamodb:ListStreams (granted by the stream event source) has no resource type and takes only "
            f"'*'; the stream's own actions are scoped to the calls table's stream. {XRAY_ON_STAR}",
            applies_to=["Resource::*"],
        )
        self.http_host = self.api.http_dns
        self.realtime_url = f"wss://{self.api.realtime_dns}/event/realtime"
