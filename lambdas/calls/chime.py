"""The Chime SDK edge both call Lambdas share: meetings and attendees, and calls through our SIP media
application. Failures are AwsFault; "already gone" is an answer (False) where a caller can use one.

Each Lambda builds its own clients, with timeouts and retries sized for its own deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ReadTimeoutError

from calls.faults import OUTCOME_UNKNOWN, AwsFault, FaultKind, aws_faults

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_meetings import ChimeSDKMeetingsClient
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient

MEETINGS = "Chime SDK meetings"
VOICE = "Chime SDK voice"


def json_safe(value: Any) -> Any:
    """The SDK's response data as plain JSON: datetimes become ISO-8601 text, everything else is kept."""
    if isinstance(value, Mapping):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class ChimeMeetings:
    """Meetings and attendees (chime-sdk-meetings), returned as the API shapes them, in plain JSON."""

    def __init__(self, client: ChimeSDKMeetingsClient, *, media_region: str) -> None:
        self._client = client
        self._region = media_region

    def create_meeting(
        self, *, request_token: str, external_meeting_id: str, external_user_ids: Sequence[str]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A meeting with these attendees, in this order; the same token returns the same meeting.

        A meeting that lacks any of them (each with an AttendeeId and a JoinToken) is deleted: a REFUSED
        fault naming Chime's error codes.
        """
        operation = "CreateMeetingWithAttendees"
        with aws_faults(MEETINGS, operation):
            response = self._client.create_meeting_with_attendees(
                ClientRequestToken=request_token,
                MediaRegion=self._region,
                ExternalMeetingId=external_meeting_id,
                Attendees=[{"ExternalUserId": user} for user in external_user_ids],
            )
        meeting = dict(json_safe(response.get("Meeting", {})))
        attendees = {
            item.get("ExternalUserId"): dict(item)
            for item in json_safe(response.get("Attendees", []))
            if item.get("AttendeeId") and item.get("JoinToken")
        }
        missing = [user for user in external_user_ids if user not in attendees]
        if not meeting.get("MeetingId") or response.get("Errors") or missing:
            if meeting.get("MeetingId"):
                self.delete_meeting(meeting["MeetingId"])
            codes = sorted({str(item.get("ErrorCode")) for item in response.get("Errors", [])}) or ["missing"]
            raise AwsFault(
                MEETINGS,
                operation,
                "AttendeeNotCreated",
                kind=FaultKind.REFUSED,
                message=f"{MEETINGS} {operation} could not add all attendees ({', '.join(codes)})",
            )
        return meeting, [attendees[user] for user in external_user_ids]

    def get_meeting(self, meeting_id: str) -> dict[str, Any]:
        """The meeting; a NOT_FOUND fault when it does not exist or has ended."""
        with aws_faults(MEETINGS, "GetMeeting"):
            response = self._client.get_meeting(MeetingId=meeting_id)
        return dict(json_safe(response["Meeting"]))

    def add_attendee(self, meeting_id: str, external_user_id: str) -> dict[str, Any]:
        """The meeting's attendee with this ExternalUserId, created if needed; NOT_FOUND when it has ended.

        ExternalUserId is CreateAttendee's idempotency token (chime-sdk-meetings model): asking again
        returns the same attendee rather than adding a second one.
        """
        with aws_faults(MEETINGS, "CreateAttendee"):
            response = self._client.create_attendee(MeetingId=meeting_id, ExternalUserId=external_user_id)
        attendee = dict(json_safe(response.get("Attendee", {})))
        if not attendee.get("AttendeeId") or not attendee.get("JoinToken"):
            raise AwsFault(
                MEETINGS,
                "CreateAttendee",
                "AttendeeNotCreated",
                kind=FaultKind.REFUSED,
                message=f"{MEETINGS} CreateAttendee returned no attendee",
            )
        return attendee

    def remove_attendee(self, meeting_id: str, attendee_id: str) -> bool:
        """Revoke an attendee's join token and drop it from the meeting; False when already gone."""
        return _unless_gone(
            "DeleteAttendee",
            MEETINGS,
            lambda: self._client.delete_attendee(MeetingId=meeting_id, AttendeeId=attendee_id),
        )

    def delete_meeting(self, meeting_id: str) -> bool:
        """End the meeting for everyone; False when it had already ended."""
        return _unless_gone(
            "DeleteMeeting", MEETINGS, lambda: self._client.delete_meeting(MeetingId=meeting_id)
        )


class SmaCalls:
    """Calls through our SIP media application (chime-sdk-voice): place one, or ask the SMA Lambda to act."""

    def __init__(self, client: ChimeSDKVoiceClient, *, sip_media_application_id: str) -> None:
        self._client = client
        self._sma_id = sip_media_application_id

    def place_call(self, *, from_number: str, to_number: str, arguments: Mapping[str, str]) -> str:
        """Dial `to_number` from `from_number`; the SMA Lambda gets `arguments`. Returns the TransactionId.

        The request has no idempotency token: the client must send it once (no SDK retry), and an answer
        that never came raises OUTCOME_UNKNOWN, since the SMA may be dialling all the same."""
        with aws_faults(VOICE, "CreateSipMediaApplicationCall"):
            try:
                response = self._client.create_sip_media_application_call(
                    FromPhoneNumber=from_number,
                    ToPhoneNumber=to_number,
                    SipMediaApplicationId=self._sma_id,
                    ArgumentsMap=dict(arguments),
                )
            except ReadTimeoutError as error:
                raise AwsFault(
                    VOICE,
                    "CreateSipMediaApplicationCall",
                    OUTCOME_UNKNOWN,
                    kind=FaultKind.TRANSIENT,
                    message="the call was sent to the SIP media application, which did not answer in time",
                    detail=str(error),
                ) from error
        return response["SipMediaApplicationCall"]["TransactionId"]

    def request_update(self, transaction_id: str, arguments: Mapping[str, str]) -> bool:
        """Send CALL_UPDATE_REQUESTED to the SMA Lambda; False when the call no longer exists."""
        return _unless_gone(
            "UpdateSipMediaApplicationCall",
            VOICE,
            lambda: self._client.update_sip_media_application_call(
                SipMediaApplicationId=self._sma_id, TransactionId=transaction_id, Arguments=dict(arguments)
            ),
        )


def _unless_gone(operation: str, service: str, request: Callable[[], object]) -> bool:
    """Run `request`: True when done, False when what it names no longer exists, else AwsFault."""
    try:
        with aws_faults(service, operation):
            request()
    except AwsFault as fault:
        if fault.kind is FaultKind.NOT_FOUND:
            return False
        raise
    return True
