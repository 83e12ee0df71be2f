"""The calls table's stream, for the push tests: each write of the fake API becomes a DynamoDB stream
record (old and new images, as the table's NEW_AND_OLD_IMAGES stream carries them) handed to the real
publisher (call_events.handler.publish_changes) on its own thread, in order, as Lambda would."""

from __future__ import annotations

import itertools
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from botocore.credentials import ReadOnlyCredentials

from call_events.handler import publish_changes
from call_events.publisher import EventsPublisher
from calls.record import CallRecord
from calls.store import to_item

CREDENTIALS = ReadOnlyCredentials("AKIDFAKESTREAM", "fake-secret", "fake-session")


def stream_record(old: CallRecord | None, new: CallRecord, sequence: int) -> dict[str, Any]:
    change: dict[str, Any] = {
        "Keys": {"call_id": {"S": new.call_id}},
        "NewImage": to_item(new),
        "SequenceNumber": str(sequence),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        change["OldImage"] = to_item(old)
    return {"eventName": "MODIFY" if old else "INSERT", "eventSource": "aws:dynamodb", "dynamodb": change}


class CallsStream:
    def __init__(self, events_url: str) -> None:
        self._url = events_url
        self._sequence = itertools.count(1000)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="calls-stream")
        self._publisher: EventsPublisher | None = None
        #: (call id, updatedAt, monotonic time of the write) of every write, for latency figures.
        self.writes: list[tuple[str, str, float]] = []
        self.failed: list[str] = []

    def write(self, old: CallRecord | None, new: CallRecord) -> Future[None]:
        self.writes.append((new.call_id, new.updated_at, time.monotonic()))
        record = stream_record(old, new, next(self._sequence))
        return self._executor.submit(self._deliver, record)

    def _deliver(self, record: dict[str, Any]) -> None:
        if self._publisher is None:
            self._publisher = EventsPublisher(self._url, "us-east-1", lambda: CREDENTIALS)
        self.failed += publish_changes([record], self._publisher)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
