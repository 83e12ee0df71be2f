"""Call control's view of the shared edges (calls.chime, calls.store): the caller's meeting in call
control's own terms, and record changes as decided. Failures stay calls.faults.AwsFault.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, cast

import botocore.session
from botocore.config import Config

from call_control.logic.decision import CallerMeeting, MeetingRequest, RecordChange
from call_control.settings import Settings
from calls.chime import ChimeMeetings
from calls.faults import AwsFault, FaultKind
from calls.record import CallRecord
from calls.store import CallStore

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_meetings import ChimeSDKMeetingsClient
    from mypy_boto3_dynamodb import DynamoDBClient


def sma_client_config() -> Config:
    """1 s to connect, 2 s to answer, 2 attempts in all: the SMA re-sends an unanswered event after ~5 s."""
    return Config(connect_timeout=1, read_timeout=2, retries={"total_max_attempts": 2, "mode": "standard"})


def sweeper_client_config() -> Config:
    return Config(connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 3, "mode": "standard"})


def call_edges(
    session: botocore.session.Session, settings: Settings, config: Config
) -> tuple[CallRecords, MeetingGateway]:
    """The calls table and the callers' meetings, over clients with `config`.

    botocore directly: boto3 would only add import time (s3transfer) to every cold start.
    """
    dynamodb = cast("DynamoDBClient", session.create_client("dynamodb", config=config))
    meetings = cast(
        "ChimeSDKMeetingsClient",
        session.create_client("chime-sdk-meetings", region_name=settings.control_region, config=config),
    )
    return (
        CallRecords(CallStore(dynamodb, settings.calls_table)),
        MeetingGateway(ChimeMeetings(meetings, media_region=settings.media_region)),
    )


class MeetingGateway:
    """The caller's meeting: one CreateMeetingWithAttendees, the phone leg's join token, the deletion."""

    def __init__(self, meetings: ChimeMeetings) -> None:
        self._meetings = meetings

    def create_for_caller(self, request: MeetingRequest) -> CallerMeeting:
        """The same request token returns the same meeting and attendee."""
        meeting, (attendee,) = self._meetings.create_meeting(
            request_token=request.request_token,
            external_meeting_id=request.external_meeting_id,
            external_user_ids=[request.caller_user_id],
        )
        return CallerMeeting(
            meeting_id=meeting["MeetingId"],
            attendee_id=attendee["AttendeeId"],
            join_token=attendee["JoinToken"],
        )

    def phone_leg_join_token(self, meeting_id: str, external_user_id: str) -> str | None:
        """The join token of the attendee the meeting API created for the phone leg; None: meeting gone."""
        try:
            return str(self._meetings.add_attendee(meeting_id, external_user_id)["JoinToken"])
        except AwsFault as fault:
            if fault.kind is FaultKind.NOT_FOUND:
                return None
            raise

    def delete(self, meeting_id: str) -> bool:
        """End the meeting for everyone; False when it no longer exists."""
        return self._meetings.delete_meeting(meeting_id)


class CallRecords:
    """The shared CallStore, changed as decided (refused conditions are TransitionRefused)."""

    def __init__(self, store: CallStore) -> None:
        self._store = store

    def create(self, record: CallRecord) -> bool:
        return self._store.create(record)

    def get(self, call_id: str) -> CallRecord | None:
        return self._store.get(call_id)

    def find_by_transaction(self, transaction_id: str) -> CallRecord | None:
        return self._store.find_by_transaction(transaction_id)

    def apply(self, call_id: str, change: RecordChange, *, now: datetime) -> CallRecord:
        return self._store.transition(
            call_id,
            change.to,
            now=now,
            set_fields=change.set_fields,
            from_statuses=change.from_statuses,
            answered_by_absent=change.answered_by_absent,
        )

    def claim_meeting_cleanup(self, call_id: str, *, now: datetime) -> str | None:
        return self._store.claim_meeting_cleanup(call_id, now=now)

    def release_meeting_cleanup(self, call_id: str) -> None:
        self._store.release_meeting_cleanup(call_id)

    def created_since(self, since: datetime) -> Iterator[CallRecord]:
        return self._store.list_created_since(since)
