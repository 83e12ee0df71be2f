"""DynamoDB persistence of call records: conditional writes make every change idempotent and ordered.

Refused conditions become CallNotFound / TransitionRefused; every other failure is an AwsFault."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from calls import schema
from calls.faults import AwsFault, aws_faults
from calls.record import CallRecord, CallStatus, Direction, EndReason, iso, statuses_leading_to

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class CallNotFound(LookupError):
    def __init__(self, call_id: str) -> None:
        super().__init__(f"no call with id {call_id!r}")
        self.call_id = call_id


class TransitionRefused(Exception):
    """A conditional write found the call in another state; `current` is what it is now (None: gone)."""

    def __init__(self, call_id: str, wanted: str, current: CallRecord | None) -> None:
        state = current.status.value if current else "missing"
        super().__init__(f"call {call_id!r} is {state}; cannot {wanted}")
        self.call_id = call_id
        self.current = current


_ENUMS: dict[str, type[Direction] | type[CallStatus] | type[EndReason]] = {
    "direction": Direction,
    "status": CallStatus,
    "end_reason": EndReason,
}
_NUMBERS = frozenset({"expires_at"})
_FIELDS = tuple(field.name for field in fields(CallRecord))


def to_item(record: CallRecord) -> dict[str, Any]:
    item: dict[str, Any] = {schema.LIST_PARTITION_KEY: {"S": schema.LIST_PARTITION_VALUE}}
    for name in _FIELDS:
        value = getattr(record, name)
        if value is None:
            continue
        item[name] = {"N": str(value)} if name in _NUMBERS else {"S": str(value)}
    return item


def from_item(item: Mapping[str, Any]) -> CallRecord:
    values: dict[str, Any] = {}
    for name in _FIELDS:
        if name not in item:
            continue
        cell = item[name]
        if name in _NUMBERS:
            values[name] = int(cell["N"])
        elif name in _ENUMS:
            values[name] = _ENUMS[name](cell["S"])
        else:
            values[name] = cell["S"]
    return CallRecord(**values)


def _is_conditional_failure(error: AwsFault) -> bool:
    return error.code == "ConditionalCheckFailedException"


def _faults(operation: str) -> AbstractContextManager[None]:
    """The table's SDK errors as AwsFault; the store turns the conditional ones into its own errors."""
    return aws_faults("DynamoDB (calls table)", operation)


def _update_expression(
    assignments: list[str],
    set_fields: Mapping[str, str | None],
    names: dict[str, str],
    values: dict[str, Any],
) -> str:
    """The UpdateExpression for `assignments` plus `set_fields` (None removes a field); fills names/values."""
    assignments = list(assignments)
    removals: list[str] = []
    for index, (name, value) in enumerate(set_fields.items()):
        if name not in _FIELDS or name in {"call_id", "status", "updated_at"}:
            raise ValueError(f"cannot set {name!r} on a call record")
        names[f"#f{index}"] = name
        if value is None:
            removals.append(f"#f{index}")
        else:
            values[f":f{index}"] = {"S": str(value)}
            assignments.append(f"#f{index} = :f{index}")
    expression = "SET " + ", ".join(assignments)
    if removals:
        expression += " REMOVE " + ", ".join(removals)
    return expression


@dataclass(frozen=True, slots=True)
class CallPage:
    calls: list[CallRecord]
    next_cursor: str | None


class CallStore:
    """Reads and writes call records. Every state change is a conditional update on the current status."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def _update(self, call_id: str, **request: Any) -> dict[str, Any]:
        """UpdateItem on the call's item; a failed condition stays an AwsFault for the caller to name."""
        with _faults("UpdateItem"):
            return dict(
                self._client.update_item(
                    TableName=self._table, Key={schema.PARTITION_KEY: {"S": call_id}}, **request
                )
            )

    def create(self, record: CallRecord) -> bool:
        """Store a new call; False when it already exists (a retried event), leaving it untouched."""
        try:
            with _faults("PutItem"):
                self._client.put_item(
                    TableName=self._table,
                    Item=to_item(record),
                    ConditionExpression="attribute_not_exists(#pk)",
                    ExpressionAttributeNames={"#pk": schema.PARTITION_KEY},
                )
        except AwsFault as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    def get(self, call_id: str) -> CallRecord | None:
        with _faults("GetItem"):
            response = self._client.get_item(
                TableName=self._table, Key={schema.PARTITION_KEY: {"S": call_id}}, ConsistentRead=True
            )
        item = response.get("Item")
        return from_item(item) if item else None

    def require(self, call_id: str) -> CallRecord:
        record = self.get(call_id)
        if record is None:
            raise CallNotFound(call_id)
        return record

    def transition(
        self,
        call_id: str,
        to: CallStatus,
        *,
        now: datetime,
        set_fields: Mapping[str, str | None] | None = None,
        from_statuses: Iterable[CallStatus] | None = None,
        answered_by: str | None = None,
        answered_by_absent: bool = False,
    ) -> CallRecord:
        """Move the call to `to` if it is in one of `from_statuses` (default: any status allowed to reach it).

        `answered_by` / `answered_by_absent` add a condition on who holds the call. Fields set to None are
        removed. Raises TransitionRefused with the current record when the condition does not hold.
        """
        sources = frozenset(from_statuses) if from_statuses is not None else statuses_leading_to(to)
        if not sources:
            raise TransitionRefused(call_id, f"become {to.value}", self.get(call_id))
        names: dict[str, str] = {"#pk": schema.PARTITION_KEY, "#status": "status", "#updated": "updated_at"}
        values: dict[str, Any] = {":to": {"S": to.value}, ":now": {"S": iso(now)}}
        expression = _update_expression(["#status = :to", "#updated = :now"], set_fields or {}, names, values)
        source_names = []
        for index, status in enumerate(sorted(sources)):
            values[f":s{index}"] = {"S": status.value}
            source_names.append(f":s{index}")
        conditions = ["attribute_exists(#pk)", f"#status IN ({', '.join(source_names)})"]
        if answered_by is not None:
            names["#answered_by"] = "answered_by"
            values[":agent"] = {"S": answered_by}
            conditions.append("#answered_by = :agent")
        if answered_by_absent:
            names["#answered_by"] = "answered_by"
            conditions.append("attribute_not_exists(#answered_by)")
        try:
            response = self._update(
                call_id,
                UpdateExpression=expression,
                ConditionExpression=" AND ".join(conditions),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except AwsFault as error:
            if _is_conditional_failure(error):
                raise TransitionRefused(call_id, f"become {to.value}", self.get(call_id)) from error
            raise
        return from_item(response["Attributes"])

    def update_fields(self, call_id: str, *, now: datetime, set_fields: Mapping[str, str]) -> CallRecord:
        """Set plain fields (transaction id, attendee id) in one write, whatever the status: they do not
        depend on it, so a concurrent status change is no reason to refuse. CallNotFound if there is no call.
        """
        names: dict[str, str] = {"#pk": schema.PARTITION_KEY, "#updated": "updated_at"}
        values: dict[str, Any] = {":now": {"S": iso(now)}}
        expression = _update_expression(["#updated = :now"], set_fields, names, values)
        try:
            response = self._update(
                call_id,
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(#pk)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except AwsFault as error:
            if _is_conditional_failure(error):
                raise CallNotFound(call_id) from error
            raise
        return from_item(response["Attributes"])

    def hand_agent_attendee(
        self, call_id: str, *, agent: str, attendee_id: str, now: datetime
    ) -> tuple[CallRecord, str | None]:
        """Make `attendee_id` the agent's attendee while the agent still holds the call, in one write.

        Returns the record and the attendee it replaced (whose join token should be revoked): read in the
        same write, so of two answers racing (two tabs), the later one always learns of the earlier.
        TransitionRefused when the agent no longer holds the call.
        """
        try:
            response = self._update(
                call_id,
                UpdateExpression="SET #attendee = :attendee, #updated = :now",
                ConditionExpression="attribute_exists(#pk) AND #answered_by = :agent",
                ExpressionAttributeNames={
                    "#pk": schema.PARTITION_KEY,
                    "#attendee": "agent_attendee_id",
                    "#updated": "updated_at",
                    "#answered_by": "answered_by",
                },
                ExpressionAttributeValues={
                    ":attendee": {"S": attendee_id},
                    ":now": {"S": iso(now)},
                    ":agent": {"S": agent},
                },
                ReturnValues="ALL_OLD",
            )
        except AwsFault as error:
            if _is_conditional_failure(error):
                raise TransitionRefused(call_id, "take the agent's attendee", self.get(call_id)) from error
            raise
        before = from_item(response["Attributes"])
        return before.replace(agent_attendee_id=attendee_id, updated_at=iso(now)), before.agent_attendee_id

    def claim_meeting_cleanup(self, call_id: str, *, now: datetime) -> str | None:
        """Claim the deletion of the call's meeting: its id for the one caller who wins, else None.

        None when the call has no meeting or someone already claimed it; CallNotFound when there is no
        such call. A claimant whose DeleteMeeting fails calls `release_meeting_cleanup` so the sweeper
        tries again.
        """
        try:
            response = self._update(
                call_id,
                UpdateExpression="SET #ended = :now",
                ConditionExpression=(
                    "attribute_exists(#pk) AND attribute_exists(#meeting) AND attribute_not_exists(#ended)"
                ),
                ExpressionAttributeNames={
                    "#pk": schema.PARTITION_KEY,
                    "#meeting": "meeting_id",
                    "#ended": "meeting_ended_at",
                },
                ExpressionAttributeValues={":now": {"S": iso(now)}},
                ReturnValues="ALL_NEW",
            )
        except AwsFault as error:
            if not _is_conditional_failure(error):
                raise
            if self.get(call_id) is None:
                raise CallNotFound(call_id) from error
            return None
        return from_item(response["Attributes"]).meeting_id

    def release_meeting_cleanup(self, call_id: str) -> None:
        """Undo a claim whose DeleteMeeting failed, leaving the meeting to the sweeper."""
        self._update(
            call_id,
            UpdateExpression="REMOVE #ended",
            ConditionExpression="attribute_exists(#pk)",
            ExpressionAttributeNames={"#pk": schema.PARTITION_KEY, "#ended": "meeting_ended_at"},
        )

    def list_created_since(self, since: datetime, *, page_size: int = 100) -> Iterator[CallRecord]:
        """Every call created at or after `since`, newest first, through the list index (for sweeps)."""
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": schema.LIST_INDEX,
            "KeyConditionExpression": "#lpk = :lpk AND #created >= :since",
            "ExpressionAttributeNames": {"#lpk": schema.LIST_PARTITION_KEY, "#created": schema.LIST_SORT_KEY},
            "ExpressionAttributeValues": {
                ":lpk": {"S": schema.LIST_PARTITION_VALUE},
                ":since": {"S": iso(since)},
            },
            "ScanIndexForward": False,
            "Limit": page_size,
        }
        while True:
            with _faults("Query"):
                response = self._client.query(**query)
            for item in response.get("Items", []):
                yield from_item(item)
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return
            query["ExclusiveStartKey"] = last_key

    def list_recent(self, *, limit: int, cursor: str | None = None) -> CallPage:
        """Newest calls first, through the list index; the cursor is opaque to callers."""
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": schema.LIST_INDEX,
            "KeyConditionExpression": "#lpk = :lpk",
            "ExpressionAttributeNames": {"#lpk": schema.LIST_PARTITION_KEY},
            "ExpressionAttributeValues": {":lpk": {"S": schema.LIST_PARTITION_VALUE}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            query["ExclusiveStartKey"] = decode_cursor(cursor)
        with _faults("Query"):
            response = self._client.query(**query)
        calls = [from_item(item) for item in response.get("Items", [])]
        last_key = response.get("LastEvaluatedKey")
        return CallPage(calls=calls, next_cursor=encode_cursor(last_key) if last_key else None)

    def find_by_transaction(self, transaction_id: str) -> CallRecord | None:
        """The call the SMA's TransactionId belongs to, or None if no record carries it (yet).

        The transaction index holds keys only (a few bytes a call, written once or twice per call): it
        answers "which call_id", and the record itself comes from a consistent GetItem, because a GSI is
        only eventually consistent and the caller decides on the call's current status.
        """
        with _faults("Query"):
            response = self._client.query(
                TableName=self._table,
                IndexName=schema.TRANSACTION_INDEX,
                KeyConditionExpression="#tx = :tx",
                ExpressionAttributeNames={"#tx": schema.TRANSACTION_KEY},
                ExpressionAttributeValues={":tx": {"S": transaction_id}},
                Limit=1,  # one call per transaction: the SMA's ids are unique
            )
        items = response.get("Items", [])
        if not items:
            return None
        return self.get(items[0][schema.PARTITION_KEY]["S"])


class InvalidCursor(ValueError):
    pass


_CURSOR_KEYS = frozenset({schema.PARTITION_KEY, schema.LIST_PARTITION_KEY, schema.LIST_SORT_KEY})


def encode_cursor(key: Mapping[str, Any]) -> str:
    plain = {name: cell["S"] for name, cell in key.items()}
    return base64.urlsafe_b64encode(json.dumps(plain, sort_keys=True).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        plain = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as error:
        raise InvalidCursor("cursor is not one this API returned") from error
    if (
        not isinstance(plain, dict)
        or set(plain) != _CURSOR_KEYS
        or not all(isinstance(value, str) for value in plain.values())
    ):
        raise InvalidCursor("cursor is not one this API returned")
    return {name: {"S": value} for name, value in plain.items()}
