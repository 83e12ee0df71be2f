"""Which Events channels a change to the calls table goes to, and what the event says: pure, no AWS.

Channels (AppSync Events: the first segment is the namespace):
  /queue/new, /queue/ringing, /queue/answered, /queue/ended   every call change, by what it means for the
                                                              queue; agents subscribe to /queue/*
  /call/<callId>/status                                       the same event, for one call
  /call/<callId>/transcript                                   transcript lines of one call (reserved)
The event is `{"kind": <queue kind>, "call": <the call as GET /calls shows it>}`: the view comes from
calls.record.CallRecord.to_view, the one the meeting API answers with, so push and poll never disagree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from calls import schema
from calls.contracts import (
    EVENTS_CALL_NAMESPACE,
    EVENTS_NAMESPACES,
    EVENTS_QUEUE_NAMESPACE,
    EVENTS_URL_ENV,
)
from calls.record import CallStatus
from calls.store import from_item

URL_ENV = EVENTS_URL_ENV
QUEUE_NAMESPACE = EVENTS_QUEUE_NAMESPACE
CALL_NAMESPACE = EVENTS_CALL_NAMESPACE
NAMESPACES = EVENTS_NAMESPACES
#: What the web client subscribes to: every queue channel, one subscription.
QUEUE_SUBSCRIPTION = f"/{QUEUE_NAMESPACE}/*"
#: Events per publish request (AppSync Events' HTTP publish takes at most 5).
MAX_EVENTS_PER_PUBLISH = 5
# A channel segment we are sure AppSync accepts: letters, digits and dashes (call ids are UUIDs).
_SEGMENT = re.compile(r"^[A-Za-z0-9-]{1,50}$")
# Keys of items that are not calls (the meeting API's rate-limit counters) contain '#', no call id does.
_NOT_A_CALL = "#"


class QueueKind(StrEnum):
    NEW = "new"
    RINGING = "ringing"
    ANSWERED = "answered"
    ENDED = "ended"


KIND_OF_STATUS: Mapping[CallStatus, QueueKind] = {
    CallStatus.CONNECTING: QueueKind.NEW,
    CallStatus.DIALING: QueueKind.NEW,
    CallStatus.RINGING: QueueKind.RINGING,
    CallStatus.IN_PROGRESS: QueueKind.ANSWERED,
    CallStatus.TRANSFERRING: QueueKind.ANSWERED,
    CallStatus.ENDED: QueueKind.ENDED,
}


def queue_channel(kind: QueueKind) -> str:
    return f"/{QUEUE_NAMESPACE}/{kind.value}"


def call_channel(call_id: str, topic: Literal["status", "transcript"]) -> str | None:
    """The call's own channel, or None for an id that is not a safe channel segment."""
    if not _SEGMENT.match(call_id):
        return None
    return f"/{CALL_NAMESPACE}/{call_id}/{topic}"


@dataclass(frozen=True, slots=True)
class Publication:
    channel: str
    event: str  # stringified JSON, as AppSync Events takes it
    sequence_number: str  # the stream record's, to report a failed batch item


def publications(record: Mapping[str, Any]) -> list[Publication]:
    """What one DynamoDB stream record publishes: nothing for deletions (TTL), non-call items, and changes
    agents cannot see (internal fields only); else the queue channel and the call's status channel."""
    change = record.get("dynamodb") or {}
    new_image = change.get("NewImage")
    call_id = ((change.get("Keys") or {}).get(schema.PARTITION_KEY) or {}).get("S", "")
    if record.get("eventName") == "REMOVE" or not new_image or not call_id or _NOT_A_CALL in call_id:
        return []
    call = from_item(new_image)
    view = call.to_view()
    old_image = change.get("OldImage")
    if old_image and from_item(old_image).to_view() == view:
        return []
    kind = KIND_OF_STATUS[call.status]
    event = json.dumps({"kind": kind.value, "call": view}, separators=(",", ":"))
    sequence = str(change.get("SequenceNumber", ""))
    channels = [queue_channel(kind), call_channel(call.call_id, "status")]
    return [Publication(channel, event, sequence) for channel in channels if channel]
