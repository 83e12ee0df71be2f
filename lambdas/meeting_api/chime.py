"""The Chime SDK edges: meetings and attendees (chime-sdk-meetings), SMA calls (chime-sdk-voice)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from meeting_api.aws_errors import aws_failure, is_not_found
from meeting_api.errors import MeetingNotFound, UpstreamFailure

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_meetings import ChimeSDKMeetingsClient
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient


def json_safe(value: Any) -> Any:
    """The SDK's response data as plain JSON: datetimes become ISO-8601 text, everything else is kept."""
    if isinstance(value, Mapping):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class MeetingsGateway:
    """Meetings and attendees, returned exactly as the Chime SDK meetings API shapes them."""

    service = "Chime SDK meetings"

    def __init__(self, client: ChimeSDKMeetingsClient, *, media_region: str) -> None:
        self._client = client
        self._region = media_region

    def get_meeting(self, meeting_id: str) -> dict[str, Any]:
        try:
            response = self._client.get_meeting(MeetingId=meeting_id)
        except (ClientError, BotoCoreError) as error:
            if is_not_found(error):
                raise MeetingNotFound(f"meeting {meeting_id} does not exist or has ended") from error
            raise aws_failure(self.service, "GetMeeting", error) from error
        return dict(json_safe(response["Meeting"]))

    def add_attendee(self, meeting_id: str, external_user_id: str) -> dict[str, Any]:
        try:
            response = self._client.create_attendee(MeetingId=meeting_id, ExternalUserId=external_user_id)
        except (ClientError, BotoCoreError) as error:
            if is_not_found(error):
                raise MeetingNotFound(f"meeting {meeting_id} does not exist or has ended") from error
            raise aws_failure(self.service, "CreateAttendee", error) from error
        return dict(json_safe(response["Attendee"]))

    def remove_attendee(self, meeting_id: str, attendee_id: str) -> bool:
        """Revoke an attendee's join token and drop it from the meeting; False when already gone."""
        try:
            self._client.delete_attendee(MeetingId=meeting_id, AttendeeId=attendee_id)
        except (ClientError, BotoCoreError) as error:
            if is_not_found(error):
                return False
            raise aws_failure(self.service, "DeleteAttendee", error) from error
        return True

    def create_meeting(
        self, *, request_token: str, external_meeting_id: str, external_user_ids: Sequence[str]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A meeting with these attendees, in this order; the same token returns the same meeting."""
        try:
            response = self._client.create_meeting_with_attendees(
                ClientRequestToken=request_token,
                MediaRegion=self._region,
                ExternalMeetingId=external_meeting_id,
                Attendees=[{"ExternalUserId": user} for user in external_user_ids],
            )
        except (ClientError, BotoCoreError) as error:
            raise aws_failure(self.service, "CreateMeetingWithAttendees", error) from error
        meeting = dict(json_safe(response["Meeting"]))
        attendees = {item["ExternalUserId"]: item for item in json_safe(response.get("Attendees", []))}
        missing = [user for user in external_user_ids if user not in attendees]
        if response.get("Errors") or missing:
            self.delete_meeting(meeting["MeetingId"])
            codes = sorted({str(item.get("ErrorCode")) for item in response.get("Errors", [])}) or ["missing"]
            raise UpstreamFailure(
                f"{self.service} CreateMeetingWithAttendees could not add all attendees ({', '.join(codes)})",
                transient=False,
            )
        return meeting, [dict(attendees[user]) for user in external_user_ids]

    def delete_meeting(self, meeting_id: str) -> bool:
        """End the meeting for everyone; False when it had already ended."""
        try:
            self._client.delete_meeting(MeetingId=meeting_id)
        except (ClientError, BotoCoreError) as error:
            if is_not_found(error):
                return False
            raise aws_failure(self.service, "DeleteMeeting", error) from error
        return True


class VoiceGateway:
    """Calls through our SIP media application: place one, or ask the SMA Lambda to act on one."""

    service = "Chime SDK voice"

    def __init__(
        self, client: ChimeSDKVoiceClient, *, sip_media_application_id: str, from_number: str
    ) -> None:
        self._client = client
        self._sma_id = sip_media_application_id
        self._from = from_number

    def place_call(self, *, to_number: str, arguments: Mapping[str, str]) -> str:
        """Dial `to_number` from our number; the SMA Lambda gets `arguments`. Returns the TransactionId."""
        try:
            response = self._client.create_sip_media_application_call(
                FromPhoneNumber=self._from,
                ToPhoneNumber=to_number,
                SipMediaApplicationId=self._sma_id,
                ArgumentsMap=dict(arguments),
            )
        except (ClientError, BotoCoreError) as error:
            raise aws_failure(self.service, "CreateSipMediaApplicationCall", error) from error
        return response["SipMediaApplicationCall"]["TransactionId"]

    def request_update(self, transaction_id: str, arguments: Mapping[str, str]) -> bool:
        """Send CALL_UPDATE_REQUESTED to the SMA Lambda; False when the transaction no longer exists."""
        try:
            self._client.update_sip_media_application_call(
                SipMediaApplicationId=self._sma_id, TransactionId=transaction_id, Arguments=dict(arguments)
            )
        except (ClientError, BotoCoreError) as error:
            if is_not_found(error):
                return False
            raise aws_failure(self.service, "UpdateSipMediaApplicationCall", error) from error
        return True
