"""The fake Chime SDK endpoint refuses what the real service model refuses, and behaves like the service."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from simulator.environment import LocalAws
from simulator.fake_chime import validate

ONE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def test_requests_are_checked_against_the_model_beyond_what_botocore_checks(local: LocalAws) -> None:
    meetings = boto3.client("chime-sdk-meetings", config=ONE_ATTEMPT)
    with pytest.raises(ClientError) as refused:
        meetings.create_meeting_with_attendees(
            ClientRequestToken="not allowed: spaces and colons",
            MediaRegion="us-east-1",
            ExternalMeetingId="x" * 65,
            Attendees=[{"ExternalUserId": "caller"}],
        )
    assert refused.value.response["Error"]["Code"] == "BadRequestException"
    assert any("ClientRequestToken does not match" in problem for problem in local.chime.violations)
    assert any("ExternalMeetingId has 65 characters" in problem for problem in local.chime.violations)


def test_the_same_request_token_returns_the_same_meeting_and_attendee(local: LocalAws) -> None:
    meetings = boto3.client("chime-sdk-meetings")
    request = {
        "ClientRequestToken": "sma-1234",
        "MediaRegion": "us-east-1",
        "ExternalMeetingId": "call-1234",
        "Attendees": [{"ExternalUserId": "caller-1234"}],
    }
    first = meetings.create_meeting_with_attendees(**request)  # type: ignore[arg-type]
    second = meetings.create_meeting_with_attendees(**request)  # type: ignore[arg-type]
    assert first["Meeting"]["MeetingId"] == second["Meeting"]["MeetingId"]
    assert first["Attendees"] == second["Attendees"]
    meeting_id = first["Meeting"]["MeetingId"]
    assert meetings.get_meeting(MeetingId=meeting_id)["Meeting"]["MediaRegion"] == "us-east-1"
    meetings.delete_meeting(MeetingId=meeting_id)
    with pytest.raises(meetings.exceptions.NotFoundException):
        meetings.delete_meeting(MeetingId=meeting_id)


def test_faults_are_served_with_the_services_status_codes(local: LocalAws) -> None:
    meetings = boto3.client("chime-sdk-meetings", config=ONE_ATTEMPT)
    local.chime.fail_next("GetMeeting", "ThrottlingException")
    with pytest.raises(ClientError) as throttled:
        meetings.get_meeting(MeetingId="12345678-1234-1234-1234-123456789012")
    assert throttled.value.response["Error"]["Code"] == "ThrottlingException"
    assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_voice_calls_go_to_whoever_plays_the_sma(local: LocalAws) -> None:
    voice = boto3.client("chime-sdk-voice")
    with pytest.raises(voice.exceptions.NotFoundException):
        voice.update_sip_media_application_call(SipMediaApplicationId="sma", TransactionId="tx", Arguments={})
    local.chime.on_update_call = lambda sma, tx, arguments: tx == "tx"
    voice.update_sip_media_application_call(
        SipMediaApplicationId="sma", TransactionId="tx", Arguments={"a": "b"}
    )
    [update] = local.chime.calls_to("UpdateSipMediaApplicationCall")[-1:]
    assert update.params == {"SipMediaApplicationId": "sma", "TransactionId": "tx", "Arguments": {"a": "b"}}


def test_the_validator_reads_the_model() -> None:
    import botocore.session

    model = botocore.session.get_session().get_service_model("chime-sdk-voice")
    shape = model.operation_model("UpdateSipMediaApplicationCall").input_shape
    assert validate(shape, {"SipMediaApplicationId": "s", "TransactionId": "t", "Arguments": {}}) == []
    too_many = {str(index): "v" for index in range(21)}
    problems = validate(shape, {"SipMediaApplicationId": "s", "Arguments": too_many})
    assert any("TransactionId is required" in problem for problem in problems)
    assert any("more than 20" in problem for problem in problems)
