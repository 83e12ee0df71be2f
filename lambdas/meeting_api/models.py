"""The API's JSON contract (camelCase): request bodies are strict, responses are what the web client reads."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from calls.phone_numbers import InvalidNumber, parse_number

CALL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
MEETING_ID_PATTERN = r"^[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}$"

# The error type the API answers with its `invalid_number` code (api.py).
INVALID_NUMBER = "invalid_number"


def _valid_number(value: str) -> str:
    try:
        return parse_number(value).e164
    except InvalidNumber as error:
        raise PydanticCustomError(
            INVALID_NUMBER, "must be an E.164 number such as +12065550100 ({reason})", {"reason": str(error)}
        ) from None


E164 = Annotated[
    str,
    AfterValidator(_valid_number),
    Field(
        description="A valid phone number in E.164 form, in ASCII: + and digits only (calls.phone_numbers)",
        examples=["+12065550100"],
        min_length=3,
        max_length=16,
    ),
]


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class DialRequest(RequestBody):
    to: E164


class RealtimeSessionRequest(RequestBody):
    call_id: Annotated[str | None, Field(alias="callId", pattern=CALL_ID_PATTERN)] = None


class Call(BaseModel):
    """A phone call as agents see it (calls.record.CallRecord.to_view)."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    direction: Literal["inbound", "outbound"]
    from_: Annotated[str, Field(alias="from")]
    to: str
    status: Literal["connecting", "ringing", "dialing", "in_progress", "transferring", "ended"]
    meeting_id: Annotated[str | None, Field(alias="meetingId")]
    answered_by: Annotated[
        str | None,
        Field(
            alias="answeredBy", description="The agent holding the call: their id (Cognito sub); compare it"
        ),
    ]
    answered_by_email: Annotated[
        str | None,
        Field(alias="answeredByEmail", description="The holding agent's e-mail, to show; null if unknown"),
    ]
    created_at: Annotated[str, Field(alias="createdAt")]
    answered_at: Annotated[str | None, Field(alias="answeredAt")]
    ended_at: Annotated[str | None, Field(alias="endedAt")]
    end_reason: Annotated[str | None, Field(alias="endReason")]
    updated_at: Annotated[str, Field(alias="updatedAt")]


ChimeMeeting = Annotated[
    dict[str, Any],
    Field(description="The Meeting exactly as Chime SDK meetings returns it (MeetingId, MediaPlacement…)"),
]
ChimeAttendee = Annotated[
    dict[str, Any],
    Field(description="The Attendee exactly as Chime SDK meetings returns it (AttendeeId, JoinToken…)"),
]


class Health(BaseModel):
    status: Literal["ok"]


class CallList(BaseModel):
    calls: list[Call]
    next_cursor: Annotated[str | None, Field(alias="nextCursor")]


class CallEnvelope(BaseModel):
    call: Call


class JoinedCall(BaseModel):
    """The call, and what amazon-chime-sdk-js needs to join its meeting."""

    call: Call
    meeting: ChimeMeeting
    attendee: ChimeAttendee


class MeetingJoin(BaseModel):
    """A meeting and one attendee: MeetingSessionConfiguration(meeting, attendee) in amazon-chime-sdk-js."""

    meeting: ChimeMeeting
    attendee: ChimeAttendee


class RealtimeSession(BaseModel):
    client_secret: Annotated[
        str, Field(alias="clientSecret", description="Ephemeral key (ek_…): Bearer for the SDP POST")
    ]
    expires_at: Annotated[
        int, Field(alias="expiresAt", description="When the key stops opening sessions (epoch s)")
    ]
    webrtc_url: Annotated[str, Field(alias="webrtcUrl", description="POST the SDP offer here")]
    model: str
    voice: str
    transcription_model: Annotated[
        str | None,
        Field(
            alias="transcriptionModel", description="The caller's words are transcribed with it; null: off"
        ),
    ]


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail
