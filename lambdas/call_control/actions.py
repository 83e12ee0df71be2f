"""One builder per SIP media application action, returning exactly the JSON the developer guide documents.

Sources (Amazon Chime SDK developer guide, PSTN audio actions): JoinChimeMeeting (join-chime-meeting.html),
Speak (speak.html), PlayAudio (play-audio.html), Hangup (hangup.html), CallAndBridge (call-and-bridge.html).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from calls.e164 import is_e164

Action = dict[str, Any]

SCHEMA_VERSION = "1.0"
MAX_ACTIONS = 10  # per response
SPEAK_TEXT_LIMIT = 1000  # Speak fails with MissingRequiredActionParameter beyond 1,000 characters
# Hangup's documented SipResponseCode values: 0 normal clearing, 480 unavailable, 486 busy.
HANGUP_CODES = frozenset({"0", "480", "486"})


def join_chime_meeting(*, call_id: str, join_token: str, meeting_id: str) -> Action:
    """Put the leg into a Chime SDK meeting. MeetingId is required for chime-sdk-meetings meetings."""
    return {
        "Type": "JoinChimeMeeting",
        "Parameters": {"JoinToken": join_token, "CallId": call_id, "MeetingId": meeting_id},
    }


def speak(*, call_id: str, text: str, voice_id: str, language_code: str) -> Action:
    """Say plain text with Amazon Polly (standard engine, the documented default)."""
    if not text or len(text) > SPEAK_TEXT_LIMIT:
        raise ValueError(f"Speak text must be 1..{SPEAK_TEXT_LIMIT} characters, not {len(text)}")
    return {
        "Type": "Speak",
        "Parameters": {
            "Text": text,
            "CallId": call_id,
            "LanguageCode": language_code,
            "TextType": "text",
            "VoiceId": voice_id,
        },
    }


def play_audio(*, call_id: str, bucket: str, key: str) -> Action:
    """Play a WAV file from S3 (the bucket must let voiceconnector.chime.amazonaws.com s3:GetObject)."""
    return {
        "Type": "PlayAudio",
        "Parameters": {
            "CallId": call_id,
            "AudioSource": {"Type": "S3", "BucketName": bucket, "Key": key},
        },
    }


def hangup(
    *, call_id: str | None = None, participant_tag: str | None = None, sip_response_code: str = "0"
) -> Action:
    """End one leg. With neither CallId nor ParticipantTag the SMA hangs up the leg it invoked us for."""
    if sip_response_code not in HANGUP_CODES:
        raise ValueError(f"Hangup SipResponseCode must be one of {sorted(HANGUP_CODES)}")
    parameters: dict[str, str] = {"SipResponseCode": sip_response_code}
    if call_id is not None:
        parameters["CallId"] = call_id
    elif participant_tag is not None:
        parameters["ParticipantTag"] = participant_tag
    return {"Type": "Hangup", "Parameters": parameters}


def call_and_bridge(*, caller_id_number: str, destination: str, timeout_seconds: int = 30) -> Action:
    """Dial a PSTN number and bridge it to the existing call (not possible while the leg is in a meeting)."""
    if not is_e164(caller_id_number) or not is_e164(destination):
        raise ValueError("CallAndBridge numbers must be E.164")
    if not 1 <= timeout_seconds <= 120:
        raise ValueError("CallTimeoutSeconds must be between 1 and 120")
    return {
        "Type": "CallAndBridge",
        "Parameters": {
            "CallTimeoutSeconds": timeout_seconds,
            "CallerIdNumber": caller_id_number,
            "Endpoints": [{"BridgeEndpointType": "PSTN", "Uri": destination}],
        },
    }


def response(actions: Sequence[Action], attributes: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The Lambda's answer. Attributes are omitted to keep the stored ones; a new map replaces them whole."""
    if len(actions) > MAX_ACTIONS:
        raise ValueError(f"at most {MAX_ACTIONS} actions per response, not {len(actions)}")
    body: dict[str, Any] = {"SchemaVersion": SCHEMA_VERSION, "Actions": list(actions)}
    if attributes is not None:
        body["TransactionAttributes"] = dict(attributes)
    return body
