"""Sliding-window caps, kept in the calls table: outbound calls per agent per hour and per line per day,
Azure Realtime sessions per agent per hour.

One item per capped subject holds the times (epoch ms) of its uses within the window, at most `limit` of
them, and a version. Taking a use reads the item and writes it back with the new time, conditional on the
version it read: exact (never more than `limit` uses in any window, however they straddle clock hours)
and safe when requests race, which re-read and retry. (One blind write cannot do it: DynamoDB's
expressions can neither count the uses newer than a time nor drop the older ones; a clock-hour counter,
which can, lets an agent place twice the cap across an hour boundary.) The items have no list-index
attribute, so they never show in call lists; a '#' in their key, which no call id may contain, keeps
every route off them; an `expires_at` TTL removes them once their last use leaves the window.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from calls import schema
from calls.faults import AwsFault, FaultKind, aws_faults
from meeting_api.agents import Agent
from meeting_api.errors import RateLimited

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


@dataclass(frozen=True, slots=True)
class CapRule:
    """What a cap counts, over which window, and what its refusal says; how many is a setting."""

    key_prefix: str
    window: timedelta
    refusal: str  # the 429 message, e.g. "you placed {limit} outbound calls in the last hour"


OUTBOUND_PER_AGENT = CapRule(
    "outbound-quota", timedelta(hours=1), "you placed {limit} outbound calls in the last hour"
)
OUTBOUND_PER_LINE = CapRule(
    "line-outbound-quota",
    timedelta(days=1),
    "the line placed its {limit} outbound calls of the last 24 hours",
)
SESSIONS_PER_AGENT = CapRule(
    "realtime-quota", timedelta(hours=1), "you started {limit} AI assistant sessions in the last hour"
)
_SERVICE = "DynamoDB"
_ATTEMPTS = 4  # racing requests of one subject: each conflict means another use was recorded


class SlidingWindowCap:
    def __init__(self, client: DynamoDBClient, table_name: str, rule: CapRule, *, limit: int) -> None:
        self._client = client
        self._table = table_name
        self._prefix = rule.key_prefix
        self._limit = limit
        self._window_ms = int(rule.window.total_seconds() * 1000)
        self._refusal = rule.refusal

    def key(self, subject: str) -> str:
        return f"{self._prefix}#{subject}"

    def take(self, subject: str, *, label: str, now: datetime) -> None:
        """Record one use by `subject` at `now`, or raise RateLimited (with Retry-After) if it has none left."""
        key = {schema.PARTITION_KEY: {"S": self.key(subject)}}
        now_ms = int(now.timestamp() * 1000)
        for _ in range(_ATTEMPTS):
            uses, version = self._read(key)
            recent = sorted(use for use in uses if use > now_ms - self._window_ms)
            if len(recent) >= self._limit:
                wait = math.ceil((recent[-self._limit] + self._window_ms - now_ms) / 1000)
                minutes = math.ceil(wait / 60)
                raise RateLimited(
                    f"{self._refusal.format(limit=self._limit)}; try again in {minutes} minute"
                    + ("s" if minutes != 1 else ""),
                    retry_after=max(1, wait),
                )
            if self._write(key, [*recent, now_ms], version=version, label=label):
                return
        raise AwsFault(
            _SERVICE,
            f"UpdateItem ({self._prefix})",
            "ConditionalCheckFailedException",
            kind=FaultKind.TRANSIENT,
            message=f"too many requests at once for {label}'s {self._prefix} item; retry shortly",
        )

    def _read(self, key: dict[str, Any]) -> tuple[list[int], int]:
        with aws_faults(_SERVICE, f"GetItem ({self._prefix})"):
            item = self._client.get_item(
                TableName=self._table,
                Key=key,
                ConsistentRead=True,
                ProjectionExpression="#uses, #version",
                ExpressionAttributeNames={"#uses": "uses", "#version": "version"},
            ).get("Item", {})
        uses = [int(cell["N"]) for cell in item.get("uses", {}).get("L", [])]
        return uses, int(item["version"]["N"]) if "version" in item else 0

    def _write(self, key: dict[str, Any], uses: list[int], *, version: int, label: str) -> bool:
        """Store `uses` if nobody wrote since we read `version`; False when someone did."""
        names = {"#uses": "uses", "#version": "version", "#ttl": schema.TTL_ATTRIBUTE, "#label": "subject"}
        values: dict[str, Any] = {
            ":uses": {"L": [{"N": str(use)} for use in uses]},
            ":next": {"N": str(version + 1)},
            ":ttl": {"N": str((max(uses) + self._window_ms) // 1000 + 60)},
            ":label": {"S": label},
        }
        condition = "attribute_not_exists(#version)"
        if version:
            condition = "#version = :read"
            values[":read"] = {"N": str(version)}
        try:
            with aws_faults(_SERVICE, f"UpdateItem ({self._prefix})"):
                self._client.update_item(
                    TableName=self._table,
                    Key=key,
                    UpdateExpression="SET #uses = :uses, #version = :next, #ttl = :ttl, #label = :label",
                    ConditionExpression=condition,
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                )
        except AwsFault as fault:
            if fault.code == "ConditionalCheckFailedException":
                return False
            raise
        return True


class OutboundRateLimiter:
    """Each outbound leg (a call placed, a transfer) counts for its agent (an hour) and the line (a day)."""

    def __init__(
        self, client: DynamoDBClient, table_name: str, *, calls_per_hour: int, calls_per_day: int
    ) -> None:
        self.per_agent = SlidingWindowCap(client, table_name, OUTBOUND_PER_AGENT, limit=calls_per_hour)
        self.per_line = SlidingWindowCap(client, table_name, OUTBOUND_PER_LINE, limit=calls_per_day)

    def consume(self, agent: Agent, *, now: datetime) -> None:
        # The agent's cap first: an agent over it must not use up the line's.
        self.per_agent.take(agent.key, label=agent.id, now=now)
        self.per_line.take("line", label="line", now=now)


class SessionRateLimiter:
    """Azure Realtime sessions each agent may mint per hour."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        sessions_per_hour: int,
        clock: Callable[[], datetime],
    ) -> None:
        self._cap = SlidingWindowCap(client, table_name, SESSIONS_PER_AGENT, limit=sessions_per_hour)
        self._clock = clock

    def consume(self, agent: Agent) -> None:
        self._cap.take(agent.key, label=agent.id, now=self._clock())
