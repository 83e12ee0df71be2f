"""What a load run adds to the local AWS: per-call counts of AWS requests, DynamoDB's per-item atomicity
under threads, and the table's stream as the log of every record change."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from unittest import mock

import boto3
import botocore.session
from moto.core.botocore_stubber import BotocoreStubber

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_attribution = threading.local()


@contextmanager
def acting_for(call: int, side: str) -> Iterator[None]:
    """AWS requests made by this thread meanwhile count for call `call`, on `side` ("sma" or "api")."""
    before = getattr(_attribution, "who", None)
    _attribution.who = (call, side)
    try:
        yield
    finally:
        _attribution.who = before


@dataclass
class AwsRequestCounter:
    """Counts every AWS request attempt (retries included) by call, side and "service.Operation"."""

    by_call: dict[int, Counter[str]] = field(default_factory=dict)
    unattributed: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, session: botocore.session.Session) -> None:
        # First, so that moto (which answers in before-send too) cannot hide DynamoDB requests from it.
        session.get_component("event_emitter").register_first("before-send", self._sent)

    def _sent(self, event_name: str = "", **_: Any) -> None:
        operation = ".".join(event_name.split(".")[1:3])
        who = getattr(_attribution, "who", None)
        with self._lock:
            if who is None:
                self.unattributed[operation] += 1
                return
            call, side = who
            self.by_call.setdefault(call, Counter())[f"{side} {operation}"] += 1


@contextmanager
def atomic_moto_dynamodb() -> Iterator[None]:
    """One DynamoDB request at a time inside moto, as DynamoDB applies each single-item write atomically.

    moto checks a ConditionExpression and then writes, with no lock: two threads could both pass the check,
    which real DynamoDB never allows. Serializing its DynamoDB requests restores that guarantee.
    """
    lock = threading.RLock()
    original = BotocoreStubber.__call__

    def serialized(self: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
        if ".dynamodb." not in f"{event_name}.":
            return original(self, event_name, request, **kwargs)
        with lock:
            return original(self, event_name, request, **kwargs)

    with mock.patch.object(BotocoreStubber, "__call__", serialized):
        yield


@dataclass(frozen=True, slots=True)
class Change:
    """One write to an item of the table, in the order the table applied it (its stream record)."""

    key: str
    kind: str  # INSERT | MODIFY | REMOVE
    old: dict[str, Any]
    new: dict[str, Any]

    def text(self, side: str, name: str) -> str | None:
        image = self.old if side == "old" else self.new
        value = image.get(name)
        return str(value["S"]) if isinstance(value, dict) and "S" in value else None


def stream_changes(client: DynamoDBClient, table: str) -> None:
    """Turn on the table's stream (new and old images): from now on every write is logged in order."""
    client.update_table(
        TableName=table,
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )


def read_changes(client: DynamoDBClient, table: str, partition_key: str) -> list[Change]:
    """Every change logged since stream_changes, oldest first."""
    arn = client.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    region = client.meta.region_name
    # The regional endpoint: for calls naming a stream ARN botocore would pick the account's own endpoint
    # (<account>.streams-ddb.<region>), which moto does not serve.
    streams = boto3.client(
        "dynamodbstreams", region_name=region, endpoint_url=f"https://streams.dynamodb.{region}.amazonaws.com"
    )
    changes: list[Change] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator: str | None = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            for record in page["Records"]:
                data: Any = record["dynamodb"]
                changes.append(
                    Change(
                        key=str(data["Keys"][partition_key]["S"]),
                        kind=str(record["eventName"]),
                        old=dict(data.get("OldImage", {})),
                        new=dict(data.get("NewImage", {})),
                    )
                )
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return changes
