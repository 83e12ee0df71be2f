"""Placing outbound calls (allow-list, hourly cap, undo on failure) and hanging up or transferring calls."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from calls.contracts import ApiMetric, hangup_request, outbound_arguments, transfer_request
from calls.phone_numbers import DialPolicy
from calls.record import CallStatus, Direction, EndReason
from meeting_api.observability import metrics
from tests.unit.lambdas.meeting_api.harness import (
    AGENT,
    AGENT_EMAIL,
    OTHER_AGENT,
    OUR_NUMBER,
    SMA_ID,
    TRANSACTION_ID,
    Harness,
    chime_attendee,
    chime_meeting,
)

DESTINATION = "+12065550123"
NEW_MEETING = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
NEW_TRANSACTION = "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918"


def expect_meeting(
    api: Harness, call_number: int, *, agent: str = AGENT
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """CreateMeetingWithAttendees for the n-th new id: the phone leg first, then the agent."""
    call_id = f"00000000-0000-4000-8000-{call_number:012d}"
    phone = chime_attendee(f"phone-{call_id}", f"b0000000-0000-4000-8000-{call_number:012d}")
    attendee = chime_attendee(
        f"agent-{agent}-{api.nonce(call_number)}", f"c0000000-0000-4000-8000-{call_number:012d}"
    )
    api.meetings.add_response(
        "create_meeting_with_attendees",
        {
            "Meeting": chime_meeting(NEW_MEETING, f"call-{call_id}"),
            "Attendees": [phone, attendee],
            "Errors": [],
        },
        {
            "ClientRequestToken": call_id,
            "MediaRegion": "us-east-1",
            "ExternalMeetingId": f"call-{call_id}",
            "Attendees": [
                {"ExternalUserId": phone["ExternalUserId"]},
                {"ExternalUserId": attendee["ExternalUserId"]},
            ],
        },
    )
    return call_id, phone, attendee


def expect_dial(api: Harness, call_id: str, phone: dict[str, Any], to: str = DESTINATION) -> None:
    api.voice.add_response(
        "create_sip_media_application_call",
        {"SipMediaApplicationCall": {"TransactionId": NEW_TRANSACTION}},
        {
            "FromPhoneNumber": OUR_NUMBER,
            "ToPhoneNumber": to,
            "SipMediaApplicationId": SMA_ID,
            "ArgumentsMap": outbound_arguments(
                call_id=call_id, meeting_id=NEW_MEETING, join_token=phone["JoinToken"]
            ),
        },
    )


def place(api: Harness, number: int, *, agent: str = AGENT) -> Any:
    call_id, phone, _ = expect_meeting(api, number, agent=agent)
    expect_dial(api, call_id, phone)
    return api.as_agent("place_call", agent)


def test_placing_a_call_creates_meeting_record_and_sma_call(api: Harness) -> None:
    call_id, phone, attendee = expect_meeting(api, 1)
    expect_dial(api, call_id, phone)
    response = api.request("place_call")
    assert response.status == 201
    body = response.json()
    assert body["meeting"] == chime_meeting(NEW_MEETING, f"call-{call_id}")
    assert body["attendee"] == attendee  # the agent's, never the phone leg's
    assert body["call"] == {
        "id": call_id,
        "direction": "outbound",
        "from": OUR_NUMBER,
        "to": DESTINATION,
        "status": "dialing",
        "meetingId": NEW_MEETING,
        "answeredBy": AGENT,
        "answeredByEmail": AGENT_EMAIL,
        "createdAt": "2026-11-24T12:00:00.123Z",
        "answeredAt": None,
        "endedAt": None,
        "endReason": None,
        "updatedAt": "2026-11-24T12:00:00.123Z",
    }
    stored = api.store.require(call_id)
    assert (stored.direction, stored.placed_by, stored.transaction_id) == (
        Direction.OUTBOUND,
        AGENT,
        NEW_TRANSACTION,
    )
    assert stored.caller_attendee_id == phone["AttendeeId"]
    assert stored.agent_attendee_id == attendee["AttendeeId"]
    assert stored.expires_at == int((api.now + timedelta(days=30)).timestamp())


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"to": "2065550123"}, "invalid_number", "to: must be an E.164 number"),
        ({"to": "+0123456789"}, "invalid_number", "to: must be an E.164 number"),
        ({"to": "+1206555012345678"}, "invalid_number", "to: must be an E.164 number"),
        ({"to": 12065550123}, "invalid_request", "to:"),
        ({"to": DESTINATION, "from": "+19995550000"}, "invalid_request", "from: unknown field"),
        ({}, "invalid_request", "to: Field required"),
        ([DESTINATION], "invalid_request", ""),
        ("", "invalid_request", "a JSON request body is required"),
    ],
)
def test_bad_bodies_are_400_and_place_nothing(api: Harness, body: Any, code: str, message: str) -> None:
    before = api.snapshot()
    response = api.request("place_call", body=body)
    assert (response.status, response.error["code"]) == (400, code)
    assert message in response.error["message"]
    assert api.snapshot() == before


def test_malformed_json_and_other_media_types_are_refused(api: Harness) -> None:
    before = api.snapshot()
    malformed = api.request("place_call", body='{"to": "+1206')
    assert (malformed.status, malformed.error["code"]) == (400, "malformed_json")
    form = api.request("place_call", body="to=%2B12065550123", headers={"content-type": "text/plain"})
    assert (form.status, form.error["code"]) == (415, "unsupported_media_type")
    assert api.snapshot() == before


def test_destinations_outside_the_allow_list_are_403(api: Harness) -> None:
    before = api.snapshot()
    response = api.request("place_call", body={"to": "+33142685300"})
    assert (response.status, response.error["code"]) == (403, "destination_not_allowed")
    assert "FR" in response.error["message"] and "outboundAllowedCountries" in response.error["message"]
    assert api.snapshot() == before


def test_outbound_calling_is_off_when_no_prefix_is_allowed(api: Harness) -> None:
    api.reconfigure(dial_policy=DialPolicy())
    response = api.request("place_call")
    assert (response.status, response.error["code"]) == (403, "destination_not_allowed")
    assert "outbound calling is off" in response.error["message"]


def test_each_agent_may_place_a_limited_number_of_calls_in_any_hour(api: Harness) -> None:
    start = api.now  # 12:00:00.123; the harness allows 3 calls per agent per hour
    for number, minutes in ((1, 0), (2, 30), (3, 59)):
        api.now = start + timedelta(minutes=minutes)
        assert place(api, number).status == 201
    api.now = start + timedelta(minutes=59, seconds=30)
    before = api.snapshot()
    refused = api.request("place_call")
    assert (refused.status, refused.error["code"]) == (429, "rate_limited")
    assert refused.headers["Retry-After"] == "30"  # when the 12:00 call leaves the last hour
    assert "3 outbound calls in the last hour" in refused.error["message"]
    assert api.snapshot() == before
    assert place(api, 4, agent=OTHER_AGENT).status == 201  # the cap is per agent
    api.now = start + timedelta(hours=1)
    assert place(api, 5).status == 201
    # A clock-hour counter would allow three more at 13:00; a sliding hour holds 12:30, 12:59 and 13:00.
    api.now = start + timedelta(hours=1, seconds=1)
    refused = api.request("place_call")
    assert (refused.status, refused.headers["Retry-After"]) == (429, str(29 * 60 + 59))


def test_the_line_may_place_a_limited_number_of_calls_in_any_24_hours(api: Harness) -> None:
    api.reconfigure(outbound_calls_per_day=2)
    start = api.now
    assert place(api, 1).status == 201
    api.now = start + timedelta(hours=5)
    assert place(api, 2, agent=OTHER_AGENT).status == 201
    api.now = start + timedelta(hours=6)
    before = [item for item in api.snapshot() if not item["call_id"]["S"].startswith("outbound-quota#")]
    refused = api.as_agent("place_call", "carol@example.com")
    assert (refused.status, refused.error["code"]) == (429, "rate_limited")
    assert "the line placed its 2 outbound calls of the last 24 hours" in refused.error["message"]
    assert refused.headers["Retry-After"] == str(18 * 3600)
    after = [item for item in api.snapshot() if not item["call_id"]["S"].startswith("outbound-quota#")]
    assert after == before  # no call, and the line's uses unchanged
    api.now = start + timedelta(hours=24)
    assert place(api, 3, agent="carol@example.com").status == 201


def test_quota_items_are_keyed_by_a_hash_of_the_agent_hold_their_uses_and_expire(api: Harness) -> None:
    assert place(api, 1).status == 201
    items = {
        item["call_id"]["S"].split("#")[0]: item for item in api.snapshot() if "#" in item["call_id"]["S"]
    }
    assert set(items) == {"outbound-quota", "line-outbound-quota"}
    agent_item, line_item = items["outbound-quota"], items["line-outbound-quota"]
    assert AGENT not in agent_item["call_id"]["S"]
    now_ms = str(int(api.now.timestamp() * 1000))
    assert agent_item["uses"] == line_item["uses"] == {"L": [{"N": now_ms}]}
    assert "list_pk" not in agent_item and "list_pk" not in line_item
    assert int(agent_item["expires_at"]["N"]) == int((api.now + timedelta(hours=1)).timestamp()) + 60
    assert int(line_item["expires_at"]["N"]) == int((api.now + timedelta(days=1)).timestamp()) + 60


def test_a_failed_meeting_creation_leaves_no_call(api: Harness) -> None:
    api.meetings.add_client_error(
        "create_meeting_with_attendees", service_error_code="ThrottlingException", http_status_code=429
    )
    response = api.request("place_call")
    assert (response.status, response.error["code"]) == (503, "upstream_unavailable")
    assert "CreateMeetingWithAttendees" in response.error["message"]
    assert [item["call_id"]["S"].split("#")[0] for item in api.snapshot()] == [
        "line-outbound-quota",
        "outbound-quota",
    ]


def test_a_conflicting_meeting_request_is_a_409_and_leaves_no_call(api: Harness) -> None:
    """Chime's ConflictException (the same request token with other parameters) maps to the conflict kind."""
    api.meetings.add_client_error(
        "create_meeting_with_attendees", service_error_code="ConflictException", http_status_code=409
    )
    response = api.request("place_call")
    assert (response.status, response.error["code"]) == (409, "upstream_conflict")
    assert "CreateMeetingWithAttendees" in response.error["message"]
    assert "Retry-After" not in response.headers
    assert all("#" in item["call_id"]["S"] for item in api.snapshot())  # only the quota items


def test_a_meeting_without_every_attendee_is_deleted(api: Harness) -> None:
    call_id = "00000000-0000-4000-8000-000000000001"
    phone = chime_attendee(f"phone-{call_id}", "b0000000-0000-4000-8000-000000000001")
    api.meetings.add_response(
        "create_meeting_with_attendees",
        {
            "Meeting": chime_meeting(NEW_MEETING, f"call-{call_id}"),
            "Attendees": [phone],
            "Errors": [{"ExternalUserId": "agent", "ErrorCode": "LimitExceeded", "ErrorMessage": "too many"}],
        },
    )
    api.meetings.add_response("delete_meeting", {}, {"MeetingId": NEW_MEETING})
    response = api.request("place_call")
    assert (response.status, response.error["code"]) == (502, "upstream_failed")
    assert "LimitExceeded" in response.error["message"]


def test_a_failed_dial_deletes_the_meeting_and_ends_the_call_failed(api: Harness) -> None:
    call_id, _, _ = expect_meeting(api, 1)
    api.voice.add_client_error(
        "create_sip_media_application_call", service_error_code="AccessDeniedException", http_status_code=403
    )
    api.meetings.add_response("delete_meeting", {}, {"MeetingId": NEW_MEETING})
    response = api.request("place_call")
    assert (response.status, response.error["code"]) == (502, "upstream_failed")
    assert "CreateSipMediaApplicationCall" in response.error["message"]
    stored = api.store.require(call_id)
    assert (stored.status, stored.end_reason) == (CallStatus.ENDED, EndReason.FAILED)
    assert stored.error and "AccessDeniedException" in stored.error


def test_a_dial_whose_answer_never_came_is_not_dialled_again_nor_torn_down(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CreateSipMediaApplicationCall has no idempotency token: once sent, a read timeout leaves it unknown
    whether the SMA dials. It is sent once (a retry could ring the customer twice), and the call is kept
    dialling with its meeting: the SMA Lambda records the transaction if it rings; the sweeper ends it if not."""
    call_id, _, _ = expect_meeting(api, 1)
    sent: list[dict[str, Any]] = []

    def timed_out(**request: Any) -> Any:
        sent.append(request)
        raise ReadTimeoutError(endpoint_url="https://voice-chime.us-east-1.amazonaws.com")

    monkeypatch.setattr(api.runtime.desk.calls._client, "create_sip_media_application_call", timed_out)
    response = api.request("place_call")
    assert response.status == 201 and len(sent) == 1
    stored = api.store.require(call_id)
    assert (stored.status, stored.transaction_id) == (CallStatus.DIALING, None)
    assert api.meetings.assert_no_pending_responses() is None  # no DeleteMeeting was asked for


def test_the_dial_is_never_retried_by_the_sdk() -> None:
    from meeting_api.runtime import VOICE_CONFIG

    assert VOICE_CONFIG.retries == {"mode": "standard", "total_max_attempts": 1}


def test_hanging_up_asks_the_sma_lambda_and_answers_202(api: Harness) -> None:
    record = api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT)
    before = api.snapshot()
    api.voice.add_response(
        "update_sip_media_application_call",
        {"SipMediaApplicationCall": {"TransactionId": TRANSACTION_ID}},
        {"SipMediaApplicationId": SMA_ID, "TransactionId": TRANSACTION_ID, "Arguments": hangup_request()},
    )
    response = api.request("hangup_call")
    assert (response.status, response.json()) == (202, {"call": record.to_view()})
    assert api.snapshot() == before  # the SMA Lambda records the end when it has hung up


def test_any_agent_may_reject_a_ringing_call(api: Harness) -> None:
    api.put_call()
    api.voice.add_response(
        "update_sip_media_application_call", {"SipMediaApplicationCall": {"TransactionId": TRANSACTION_ID}}
    )
    assert api.as_agent("hangup_call", OTHER_AGENT).status == 202


def expect_transfer_request(api: Harness, to: str = "+12065550177") -> None:
    """The UpdateSipMediaApplicationCall a transfer of the harness's call to `to` must send."""
    api.voice.add_response(
        "update_sip_media_application_call",
        {"SipMediaApplicationCall": {"TransactionId": TRANSACTION_ID}},
        {
            "SipMediaApplicationId": SMA_ID,
            "TransactionId": TRANSACTION_ID,
            "Arguments": transfer_request(to),
        },
    )


def test_transfer_sends_the_number_to_the_sma_lambda(api: Harness) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT)
    expect_transfer_request(api)
    assert api.request("transfer_call").status == 202


def test_a_transfer_counts_as_an_outbound_call_placed_for_the_spend_alarm(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The OutboundCallsPlaced alarm watches spend: a transfer dials a paid leg too, so it counts."""
    names: list[str] = []
    monkeypatch.setattr(metrics, "add_metric", lambda **metric: names.append(metric["name"]))
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT)
    expect_transfer_request(api)
    assert api.request("transfer_call").status == 202
    assert names.count(ApiMetric.OUTBOUND_CALLS_PLACED) == 1


def test_transfers_count_against_the_agents_hourly_cap(api: Harness) -> None:
    """A transfer dials a paid outbound leg, so a stolen token cannot bridge callers to numbers unmetered."""
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT)
    for _ in range(3):  # the harness allows 3 outbound legs per agent per hour
        expect_transfer_request(api)
        assert api.request("transfer_call").status == 202
    refused = api.request("transfer_call")
    assert (refused.status, refused.error["code"]) == (429, "rate_limited")


@pytest.mark.parametrize("route", ["hangup_call", "transfer_call"])
@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"status": CallStatus.ENDED}, 409, "call_not_active"),
        ({"status": CallStatus.IN_PROGRESS, "answered_by": OTHER_AGENT}, 409, "call_taken"),
        ({"transaction_id": None}, 409, "call_not_active"),
    ],
)
def test_control_of_a_call_that_is_over_or_not_yours_is_refused(
    api: Harness, route: str, fields: dict[str, Any], status: int, code: str
) -> None:
    api.put_call(**fields)
    before = api.snapshot()
    response = api.request(route)
    assert (response.status, response.error["code"]) == (status, code)
    assert api.snapshot() == before


@pytest.mark.parametrize("status", [CallStatus.TRANSFERRING, CallStatus.DIALING, CallStatus.CONNECTING])
def test_only_a_connected_call_can_be_transferred(api: Harness, status: CallStatus) -> None:
    api.put_call(status=status, answered_by=AGENT)
    response = api.request("transfer_call")
    assert (response.status, response.error["code"]) == (409, "call_not_active")
    assert status.value in response.error["message"]


def test_an_outbound_call_still_ringing_cannot_be_transferred(api: Harness) -> None:
    api.put_call(direction=Direction.OUTBOUND, status=CallStatus.RINGING, answered_by=AGENT, placed_by=AGENT)
    response = api.request("transfer_call")
    assert (response.status, response.error["code"]) == (409, "call_not_active")
    assert "not been answered" in response.error["message"]


def test_transfer_checks_the_destination_and_the_body(api: Harness) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT)
    before = api.snapshot()
    refused = api.request("transfer_call", body={"to": "+61255501234"})
    assert (refused.status, refused.error["code"]) == (403, "destination_not_allowed")
    bad = api.request("transfer_call", body={"to": "+12065550177", "via": "sip"})
    assert (bad.status, bad.error["code"]) == (400, "invalid_request")
    not_a_number = api.request("transfer_call", body={"to": "555-0177"})
    assert (not_a_number.status, not_a_number.error["code"]) == (400, "invalid_number")
    assert api.snapshot() == before
    assert api.request("transfer_call", path="/calls/nope/transfer").status == 404


def test_a_transaction_the_sma_no_longer_knows_is_409(api: Harness) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT)
    api.voice.add_client_error(
        "update_sip_media_application_call", service_error_code="NotFoundException", http_status_code=404
    )
    response = api.request("hangup_call")
    assert (response.status, response.error["code"]) == (409, "call_not_active")


def test_a_throttled_update_is_503_with_retry_after(api: Harness) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT)
    api.voice.add_client_error(
        "update_sip_media_application_call",
        service_error_code="ThrottledClientException",
        http_status_code=429,
    )
    response = api.request("hangup_call")
    assert (response.status, response.error["code"]) == (503, "upstream_unavailable")
    assert response.headers["Retry-After"]
