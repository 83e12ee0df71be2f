"""The calls table: one record per call, shared by the call-control and meeting-API Lambdas."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from calls import schema


class CallsTable(Construct):
    """On-demand, point-in-time recovery, TTL for old records; kept when the stack is deleted (call history)."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.TableV2(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name=schema.PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            billing=dynamodb.Billing.on_demand(),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=schema.TTL_ATTRIBUTE,
            encryption=dynamodb.TableEncryptionV2.dynamo_owned_key(),
            deletion_protection=True,
            # Feeds the push channel's publisher (stacks/push): old and new images, to skip invisible changes.
            dynamo_stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            removal_policy=RemovalPolicy.RETAIN,
            global_secondary_indexes=[
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name=schema.LIST_INDEX,
                    partition_key=dynamodb.Attribute(
                        name=schema.LIST_PARTITION_KEY, type=dynamodb.AttributeType.STRING
                    ),
                    sort_key=dynamodb.Attribute(
                        name=schema.LIST_SORT_KEY, type=dynamodb.AttributeType.STRING
                    ),
                    projection_type=dynamodb.ProjectionType.ALL,
                ),
                # Which call an SMA TransactionId belongs to, for outbound events that arrive without our
                # transaction attributes (the SMA ignores the answer to NEW_OUTBOUND_CALL). Keys only: the
                # reader then gets the record by call_id with a consistent read, and the index costs a few
                # bytes a call, written only when a call's transaction_id is first set.
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name=schema.TRANSACTION_INDEX,
                    partition_key=dynamodb.Attribute(
                        name=schema.TRANSACTION_KEY, type=dynamodb.AttributeType.STRING
                    ),
                    projection_type=dynamodb.ProjectionType.KEYS_ONLY,
                ),
            ],
        )


# What the Lambdas do with the table: single-item reads and conditional writes, and (for those that list
# calls) the list-index query.
CALL_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")
LIST_ACTIONS = ("dynamodb:Query",)
TRANSACTION_LOOKUP_ACTIONS = ("dynamodb:Query",)


def grant_calls_table(
    grantee: iam.IGrantable,
    table: dynamodb.ITableV2,
    *,
    list_calls: bool,
    find_by_transaction: bool = False,
) -> None:
    """Exactly the table and the indexes it reads: no '/index/*' wildcard, no scans, no deletes."""
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=list(CALL_TABLE_ACTIONS), resources=[table.table_arn])
    )
    if find_by_transaction:
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(TRANSACTION_LOOKUP_ACTIONS),
                resources=[f"{table.table_arn}/index/{schema.TRANSACTION_INDEX}"],
            )
        )
    if list_calls:
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(LIST_ACTIONS), resources=[f"{table.table_arn}/index/{schema.LIST_INDEX}"]
            )
        )
