"""One AWS-fault type for every edge: the calls table and the Chime gateways raise it, with its kind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectTimeoutError, ParamValidationError
from botocore.stub import Stubber
from moto import mock_aws

from calls.chime import ChimeMeetings, SmaCalls
from calls.contracts import hangup_request
from calls.faults import AwsFault, FaultKind, kind_of
from calls.record import CallStatus
from calls.store import CallStore, TransitionRefused
from simulator.calls_table import create_calls_table

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
MEETING = "4e8f5a2b-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
SMA_ID = "11111111-2222-4333-8444-555555555555"
TRANSACTION = "0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f"
OFFLINE = {"region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("ThrottlingException", FaultKind.TRANSIENT),
        ("ThrottledClientException", FaultKind.TRANSIENT),
        ("ProvisionedThroughputExceededException", FaultKind.TRANSIENT),
        ("Timeout", FaultKind.TRANSIENT),
        ("NotFoundException", FaultKind.NOT_FOUND),
        ("ConflictException", FaultKind.CONFLICT),
        ("ConditionalCheckFailedException", FaultKind.CONFLICT),
        ("AccessDeniedException", FaultKind.REFUSED),
        ("BadRequestException", FaultKind.REFUSED),
        ("ResourceNotFoundException", FaultKind.REFUSED),  # DynamoDB: the table is missing, not the call
    ],
)
def test_each_service_code_has_one_kind(code: str, kind: FaultKind) -> None:
    assert kind_of(code) is kind


@pytest.fixture
def store() -> Iterator[CallStore]:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_calls_table(client)
        yield CallStore(client, "calls")


def _fail_with(store: CallStore, monkeypatch: pytest.MonkeyPatch, method: str, error: Exception) -> None:
    def fail(**_: Any) -> None:
        raise error

    monkeypatch.setattr(store._client, method, fail)


def test_the_store_raises_a_throttled_read_as_a_transient_fault(
    store: CallStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "GetItem")
    _fail_with(store, monkeypatch, "get_item", throttled)
    with pytest.raises(AwsFault) as caught:
        store.get("tx-1")
    fault = caught.value
    assert (fault.kind, fault.operation, fault.code, fault.detail) == (
        FaultKind.TRANSIENT,
        "GetItem",
        "ThrottlingException",
        "slow",
    )
    assert "DynamoDB" in fault.message and fault.__cause__ is throttled


def test_the_store_raises_a_timeout_as_a_transient_fault(
    store: CallStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_with(store, monkeypatch, "query", ConnectTimeoutError(endpoint_url="https://dynamodb"))
    with pytest.raises(AwsFault) as caught:
        list(store.list_created_since(T0))
    assert (caught.value.kind, caught.value.operation) == (FaultKind.TRANSIENT, "Query")


def test_a_call_botocore_refuses_to_send_is_refused_not_transient(
    store: CallStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_with(store, monkeypatch, "get_item", ParamValidationError(report="Key: invalid"))
    with pytest.raises(AwsFault) as caught:
        store.get("tx-1")
    assert (caught.value.kind, caught.value.code) == (FaultKind.REFUSED, "ParamValidationError")


def test_the_store_keeps_its_own_errors_for_refused_conditions(store: CallStore) -> None:
    with pytest.raises(TransitionRefused):
        store.transition("missing", CallStatus.ENDED, now=T0)


def test_a_denied_write_is_a_refused_fault_naming_iam(
    store: CallStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "UpdateItem")
    _fail_with(store, monkeypatch, "update_item", denied)
    with pytest.raises(AwsFault) as caught:
        store.release_meeting_cleanup("tx-1")
    assert caught.value.kind is FaultKind.REFUSED and "IAM" in caught.value.message


@pytest.fixture
def meetings() -> Iterator[tuple[ChimeMeetings, Stubber]]:
    client = boto3.client("chime-sdk-meetings", config=Config(retries={"total_max_attempts": 1}), **OFFLINE)
    with Stubber(client) as stub:
        yield ChimeMeetings(client, media_region="us-east-1"), stub
        stub.assert_no_pending_responses()


@pytest.fixture
def calls() -> Iterator[tuple[SmaCalls, Stubber]]:
    client = boto3.client("chime-sdk-voice", config=Config(retries={"total_max_attempts": 1}), **OFFLINE)
    with Stubber(client) as stub:
        yield SmaCalls(client, sip_media_application_id=SMA_ID), stub
        stub.assert_no_pending_responses()


def test_a_gone_meeting_is_a_not_found_fault_when_read_and_false_when_deleted(
    meetings: tuple[ChimeMeetings, Stubber],
) -> None:
    gateway, stub = meetings
    stub.add_client_error("get_meeting", service_error_code="NotFoundException", http_status_code=404)
    stub.add_client_error("create_attendee", service_error_code="NotFoundException", http_status_code=404)
    stub.add_client_error("delete_meeting", service_error_code="NotFoundException", http_status_code=404)
    with pytest.raises(AwsFault) as read:
        gateway.get_meeting(MEETING)
    with pytest.raises(AwsFault) as joined:
        gateway.add_attendee(MEETING, "agent-x")
    assert read.value.kind is joined.value.kind is FaultKind.NOT_FOUND
    assert gateway.delete_meeting(MEETING) is False


def test_a_meeting_missing_an_attendee_is_deleted_and_refused(
    meetings: tuple[ChimeMeetings, Stubber],
) -> None:
    gateway, stub = meetings
    stub.add_response(
        "create_meeting_with_attendees",
        {
            "Meeting": {"MeetingId": MEETING, "ExternalMeetingId": "call-1"},
            "Attendees": [{"ExternalUserId": "phone-1", "AttendeeId": "a-1", "JoinToken": "token-1"}],
            "Errors": [{"ExternalUserId": "agent", "ErrorCode": "LimitExceeded", "ErrorMessage": "too many"}],
        },
    )
    stub.add_response("delete_meeting", {}, {"MeetingId": MEETING})
    with pytest.raises(AwsFault) as caught:
        gateway.create_meeting(
            request_token="call-1", external_meeting_id="call-1", external_user_ids=["phone-1", "agent"]
        )
    assert caught.value.kind is FaultKind.REFUSED and "LimitExceeded" in caught.value.message


def test_an_attendee_without_a_join_token_is_not_a_seat(meetings: tuple[ChimeMeetings, Stubber]) -> None:
    gateway, stub = meetings
    stub.add_response(
        "create_meeting_with_attendees",
        {
            "Meeting": {"MeetingId": MEETING},
            "Attendees": [{"ExternalUserId": "phone-1", "AttendeeId": "a-1"}],
        },
    )
    stub.add_response("delete_meeting", {}, {"MeetingId": MEETING})
    with pytest.raises(AwsFault):
        gateway.create_meeting(
            request_token="call-1", external_meeting_id="call-1", external_user_ids=["phone-1"]
        )


def test_an_update_of_an_ended_call_is_false_and_a_throttled_one_a_transient_fault(
    calls: tuple[SmaCalls, Stubber],
) -> None:
    gateway, stub = calls
    stub.add_client_error(
        "update_sip_media_application_call", service_error_code="NotFoundException", http_status_code=404
    )
    stub.add_client_error(
        "update_sip_media_application_call",
        service_error_code="ThrottledClientException",
        http_status_code=429,
    )
    assert gateway.request_update(TRANSACTION, hangup_request()) is False
    with pytest.raises(AwsFault) as caught:
        gateway.request_update(TRANSACTION, hangup_request())
    assert caught.value.transient and caught.value.operation == "UpdateSipMediaApplicationCall"
