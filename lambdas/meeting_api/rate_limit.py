"""A per-agent hourly cap on outbound calls: an atomic counter per agent and clock hour, in the calls table.

The item has no list-index attribute, so it never shows in call lists, and an `expires_at` TTL, so DynamoDB
removes it after the hour. Its key holds a '#', which no call id may contain: no route reads it as a call.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from calls import schema
from calls.aws_errors import error_code
from meeting_api.agents import Agent
from meeting_api.aws_errors import aws_failure
from meeting_api.errors import RateLimited

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

KEY_PREFIX = "outbound-quota#"
_WINDOW = timedelta(hours=1)


def quota_key(agent: Agent, window_start: datetime) -> str:
    return f"{KEY_PREFIX}{agent.key}#{window_start:%Y-%m-%dT%H}"


class OutboundRateLimiter:
    def __init__(self, client: DynamoDBClient, table_name: str, *, calls_per_hour: int) -> None:
        self._client = client
        self._table = table_name
        self._limit = calls_per_hour

    def consume(self, agent: Agent, *, now: datetime) -> None:
        """Count one outbound call for the agent in the current clock hour, or raise RateLimited."""
        start = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        end = start + _WINDOW
        try:
            self._client.update_item(
                TableName=self._table,
                Key={schema.PARTITION_KEY: {"S": quota_key(agent, start)}},
                UpdateExpression="ADD #placed :one SET #agent = :agent, #ttl = :ttl",
                ConditionExpression="attribute_not_exists(#placed) OR #placed < :limit",
                ExpressionAttributeNames={
                    "#placed": "placed",
                    "#agent": "agent",
                    "#ttl": schema.TTL_ATTRIBUTE,
                },
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(self._limit)},
                    ":agent": {"S": agent.id},
                    ":ttl": {"N": str(int((end + _WINDOW).timestamp()))},
                },
            )
        except (ClientError, BotoCoreError) as error:
            if isinstance(error, ClientError) and error_code(error) == "ConditionalCheckFailedException":
                wait = max(1, int((end - now).total_seconds()))
                minutes = wait // 60 + 1
                raise RateLimited(
                    f"you placed {self._limit} outbound calls this hour; try again in {minutes} minutes",
                    retry_after=wait,
                ) from None
            raise aws_failure("DynamoDB", "UpdateItem (outbound quota)", error) from error
