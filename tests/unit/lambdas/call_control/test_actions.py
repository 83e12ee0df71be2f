"""Each builder returns exactly the JSON the developer guide documents, and the SMA contract accepts it."""

from __future__ import annotations

import pytest

from call_control import actions
from simulator.sma_contract import check_response


def test_join_chime_meeting_names_the_meeting_for_chime_sdk_meetings() -> None:
    action = actions.join_chime_meeting(call_id="call-1", join_token="token", meeting_id="meeting-1")
    assert action == {
        "Type": "JoinChimeMeeting",
        "Parameters": {"JoinToken": "token", "CallId": "call-1", "MeetingId": "meeting-1"},
    }


def test_speak_uses_documented_parameters() -> None:
    action = actions.speak(call_id="call-1", text="Hello", voice_id="Joanna", language_code="en-US")
    assert action["Type"] == "Speak"
    assert action["Parameters"] == {
        "Text": "Hello",
        "CallId": "call-1",
        "LanguageCode": "en-US",
        "TextType": "text",
        "VoiceId": "Joanna",
    }


@pytest.mark.parametrize("text", ["", "x" * 1001])
def test_speak_refuses_text_polly_would_refuse(text: str) -> None:
    with pytest.raises(ValueError, match="Speak text"):
        actions.speak(call_id="call-1", text=text, voice_id="Joanna", language_code="en-US")


def test_play_audio_reads_from_s3() -> None:
    action = actions.play_audio(call_id="call-1", bucket="greetings", key="hello.wav")
    assert action["Parameters"]["AudioSource"] == {
        "Type": "S3",
        "BucketName": "greetings",
        "Key": "hello.wav",
    }


def test_hangup_by_call_id_or_tag_with_a_documented_code() -> None:
    assert actions.hangup(call_id="call-1") == {
        "Type": "Hangup",
        "Parameters": {"SipResponseCode": "0", "CallId": "call-1"},
    }
    assert actions.hangup(participant_tag="LEG-B")["Parameters"]["ParticipantTag"] == "LEG-B"
    with pytest.raises(ValueError, match="SipResponseCode"):
        actions.hangup(call_id="call-1", sip_response_code="500")


def test_call_and_bridge_to_a_pstn_number() -> None:
    action = actions.call_and_bridge(caller_id_number="+12065550199", destination="+14155550123")
    assert action == {
        "Type": "CallAndBridge",
        "Parameters": {
            "CallTimeoutSeconds": 30,
            "CallerIdNumber": "+12065550199",
            "Endpoints": [{"BridgeEndpointType": "PSTN", "Uri": "+14155550123"}],
        },
    }
    with pytest.raises(ValueError, match=r"E\.164"):
        actions.call_and_bridge(caller_id_number="12065550199", destination="+14155550123")
    with pytest.raises(ValueError, match="CallTimeoutSeconds"):
        actions.call_and_bridge(
            caller_id_number="+12065550199", destination="+14155550123", timeout_seconds=121
        )


def test_every_builder_passes_the_sma_contract() -> None:
    built = [
        actions.join_chime_meeting(call_id="c", join_token="t", meeting_id="m"),
        actions.speak(call_id="c", text="Hi", voice_id="Joanna", language_code="en-US"),
        actions.play_audio(call_id="c", bucket="b", key="k.wav"),
        actions.hangup(call_id="c"),
        actions.hangup(participant_tag="LEG-A", sip_response_code="486"),
        actions.call_and_bridge(caller_id_number="+12065550199", destination="+14155550123"),
    ]
    assert check_response(actions.response(built, {"callId": "c"})) == []


def test_a_response_keeps_or_replaces_the_transaction_attributes() -> None:
    assert "TransactionAttributes" not in actions.response([])
    assert actions.response([], {})["TransactionAttributes"] == {}
    with pytest.raises(ValueError, match="at most 10"):
        actions.response([actions.hangup()] * 11)
