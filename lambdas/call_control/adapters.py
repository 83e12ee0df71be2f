"""The AWS edges of call control: Chime SDK meetings and voice, the calls table; failures as one error."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from call_control.logic.decision import CallerMeeting, MeetingRequest, RecordChange
from calls.aws_errors import TRANSIENT_CODES, error_code
from calls.record import CallRecord
from calls.store import CallStore

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_meetings import ChimeSDKMeetingsClient
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient


class AwsFault(Exception):
    """An AWS call failed (throttled, 5xx, refused, timed out). `code` is the service's error code."""

    def __init__(self, operation: str, code: str, detail: str) -> None:
        super().__init__(f"{operation} failed: {code}: {detail}")
        self.operation = operation
        self.code = code

    @property
    def transient(self) -> bool:
        return self.code in TRANSIENT_CODES or self.code == "Timeout"


def fault(operation: str, error: ClientError | BotoCoreError) -> AwsFault:
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        return AwsFault(operation, str(info.get("Code", "Unknown")), str(info.get("Message", "")))
    return AwsFault(operation, "Timeout", str(error))  # connection failures and timeouts never reached AWS


def sma_client_config() -> Config:
    """1 s to connect, 2 s to answer, 2 attempts in all: the SMA re-sends an unanswered event after ~5 s."""
    return Config(connect_timeout=1, read_timeout=2, retries={"total_max_attempts": 2, "mode": "standard"})


def sweeper_client_config() -> Config:
    return Config(connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 3, "mode": "standard"})


class MeetingGateway:
    """The caller's meeting (chime-sdk-meetings)."""

    def __init__(self, client: ChimeSDKMeetingsClient, *, media_region: str) -> None:
        self._client = client
        self._media_region = media_region

    def create_for_caller(self, request: MeetingRequest) -> CallerMeeting:
        """One CreateMeetingWithAttendees; the same request token returns the same meeting and attendee."""
        try:
            response = self._client.create_meeting_with_attendees(
                ClientRequestToken=request.request_token,
                MediaRegion=self._media_region,
                ExternalMeetingId=request.external_meeting_id,
                Attendees=[{"ExternalUserId": request.caller_user_id}],
            )
        except (ClientError, BotoCoreError) as error:
            raise fault("CreateMeetingWithAttendees", error) from error
        meeting_id = response.get("Meeting", {}).get("MeetingId")
        attendee = next(
            (
                item
                for item in response.get("Attendees", [])
                if item.get("ExternalUserId") == request.caller_user_id
            ),
            None,
        )
        if (
            not meeting_id
            or attendee is None
            or not attendee.get("JoinToken")
            or not attendee.get("AttendeeId")
        ):
            errors = (
                ", ".join(str(item.get("ErrorCode")) for item in response.get("Errors", [])) or "no attendee"
            )
            if meeting_id:
                self.delete(meeting_id)
            raise AwsFault("CreateMeetingWithAttendees", "AttendeeNotCreated", errors)
        return CallerMeeting(
            meeting_id=meeting_id, attendee_id=attendee["AttendeeId"], join_token=attendee["JoinToken"]
        )

    def phone_leg_join_token(self, meeting_id: str, external_user_id: str) -> str | None:
        """The join token of the meeting's attendee with this ExternalUserId; None if the meeting is gone.

        ExternalUserId is CreateAttendee's idempotency token (chime-sdk-meetings model), so this returns
        the attendee the meeting API created for the phone leg rather than adding a second one.
        """
        try:
            response = self._client.create_attendee(MeetingId=meeting_id, ExternalUserId=external_user_id)
        except ClientError as error:
            if error_code(error) == "NotFoundException":
                return None
            raise fault("CreateAttendee", error) from error
        except BotoCoreError as error:
            raise fault("CreateAttendee", error) from error
        token = response.get("Attendee", {}).get("JoinToken")
        if not token:
            raise AwsFault("CreateAttendee", "AttendeeNotCreated", "no join token in the answer")
        return token

    def delete(self, meeting_id: str) -> bool:
        """End the meeting for everyone; False when it no longer exists."""
        try:
            self._client.delete_meeting(MeetingId=meeting_id)
        except ClientError as error:
            if error_code(error) == "NotFoundException":
                return False
            raise fault("DeleteMeeting", error) from error
        except BotoCoreError as error:
            raise fault("DeleteMeeting", error) from error
        return True


class SmaCalls:
    """Asks our SIP media application to act on a live call (chime-sdk-voice)."""

    def __init__(self, client: ChimeSDKVoiceClient, *, sip_media_application_id: str) -> None:
        self._client = client
        self._sma_id = sip_media_application_id

    def request_update(self, transaction_id: str, arguments: Mapping[str, str]) -> bool:
        """Send CALL_UPDATE_REQUESTED to the SMA Lambda; False when the call no longer exists."""
        try:
            self._client.update_sip_media_application_call(
                SipMediaApplicationId=self._sma_id, TransactionId=transaction_id, Arguments=dict(arguments)
            )
        except ClientError as error:
            if error_code(error) == "NotFoundException":
                return False
            raise fault("UpdateSipMediaApplicationCall", error) from error
        except BotoCoreError as error:
            raise fault("UpdateSipMediaApplicationCall", error) from error
        return True


class CallRecords:
    """The shared CallStore, with AWS failures as AwsFault (refused conditions stay TransitionRefused)."""

    def __init__(self, store: CallStore) -> None:
        self._store = store

    def create(self, record: CallRecord) -> bool:
        try:
            return self._store.create(record)
        except (ClientError, BotoCoreError) as error:
            raise fault("PutItem", error) from error

    def get(self, call_id: str) -> CallRecord | None:
        try:
            return self._store.get(call_id)
        except (ClientError, BotoCoreError) as error:
            raise fault("GetItem", error) from error

    def find_by_transaction(self, transaction_id: str) -> CallRecord | None:
        try:
            return self._store.find_by_transaction(transaction_id)
        except (ClientError, BotoCoreError) as error:
            raise fault("Query", error) from error

    def apply(self, call_id: str, change: RecordChange, *, now: datetime) -> CallRecord:
        try:
            return self._store.transition(
                call_id,
                change.to,
                now=now,
                set_fields=change.set_fields,
                from_statuses=change.from_statuses,
                answered_by_absent=change.answered_by_absent,
            )
        except (ClientError, BotoCoreError) as error:
            raise fault("UpdateItem", error) from error

    def claim_meeting_cleanup(self, call_id: str, *, now: datetime) -> str | None:
        try:
            return self._store.claim_meeting_cleanup(call_id, now=now)
        except (ClientError, BotoCoreError) as error:
            raise fault("UpdateItem", error) from error

    def release_meeting_cleanup(self, call_id: str) -> None:
        try:
            self._store.release_meeting_cleanup(call_id)
        except (ClientError, BotoCoreError) as error:
            raise fault("UpdateItem", error) from error

    def created_since(self, since: datetime) -> Iterator[CallRecord]:
        try:
            yield from self._store.list_created_since(since)
        except (ClientError, BotoCoreError) as error:
            raise fault("Query", error) from error
