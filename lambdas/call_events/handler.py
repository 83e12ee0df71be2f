"""Lambda entry point (call_events.handler.lambda_handler): the calls table's stream → AppSync Events.

Why a stream consumer rather than the writers publishing: the SMA handler answers Chime within a ~5 s
deadline and the meeting API answers agents; neither waits on, fails with, or holds a grant for the push
channel, and every writer (SMA, API, sweeper, future ones) is covered by one consumer. The price is the
stream's delay (the event source polls each shard about 4 times a second) plus this function's cold start
on a quiet line; a lost event costs nothing lasting, as browsers refetch after every (re)subscribe and on a
slow safety-net poll. Cost: one invocation per batch of changes, a few per call.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

import botocore.session
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from call_events.channels import MAX_EVENTS_PER_PUBLISH, URL_ENV, Publication, publications
from call_events.publisher import EventsPublisher, PublishFailed

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "call-events"))
_publisher: EventsPublisher | None = None


def _current_publisher() -> EventsPublisher:
    global _publisher  # noqa: PLW0603 - one pooled client per container
    if _publisher is None:
        session = botocore.session.get_session()
        credentials = session.get_credentials()
        if credentials is None:
            raise RuntimeError("no AWS credentials to sign Events publishes with")
        region = os.environ.get("AWS_REGION") or session.get_config_variable("region") or ""
        _publisher = EventsPublisher(os.environ[URL_ENV], region, credentials.get_frozen_credentials)
    return _publisher


def publish_changes(records: list[dict[str, Any]], publisher: EventsPublisher) -> list[str]:
    """Publish every record's events, batched per channel in stream order; returns the sequence numbers of
    the records whose events failed (the event source retries from the earliest of them)."""
    by_channel: dict[str, list[Publication]] = defaultdict(list)
    skipped = 0
    for record in records:
        try:
            found = publications(record)
        except (KeyError, ValueError, TypeError):
            # A record we cannot read would block the shard forever if reported; log it and move on.
            logger.exception(
                "unreadable stream record", sequence=record.get("dynamodb", {}).get("SequenceNumber")
            )
            found = []
        skipped += not found
        for publication in found:
            by_channel[publication.channel].append(publication)
    failed: list[str] = []
    for channel, items in by_channel.items():
        for start in range(0, len(items), MAX_EVENTS_PER_PUBLISH):
            chunk = items[start : start + MAX_EVENTS_PER_PUBLISH]
            try:
                publisher.publish(channel, [item.event for item in chunk])
            except PublishFailed as error:
                logger.warning("publish failed", channel=channel, error=str(error))
                failed.extend(item.sequence_number for item in chunk)
    logger.info(
        "published", records=len(records), skipped=skipped, channels=len(by_channel), failed=len(failed)
    )
    return failed


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    failed = publish_changes(event.get("Records", []), _current_publisher())
    if not failed:
        return {"batchItemFailures": []}
    earliest = min(failed, key=lambda sequence: int(sequence) if sequence.isdigit() else 0)
    return {"batchItemFailures": [{"itemIdentifier": earliest}]}
