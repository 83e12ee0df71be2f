"""Answering a ringing call (claim, then join its meeting) and leaving it ringing again."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from calls.record import CallStatus, Direction, iso
from tests.unit.lambdas.meeting_api.harness import (
    AGENT,
    CALL_ID,
    MEETING_ID,
    OTHER_AGENT,
    OTHER_AGENT_EMAIL,
    Harness,
    chime_attendee,
    chime_meeting,
)


def expect_join(
    api: Harness, *, nonce: int = 1, attendee_id: str = "a1b2c3d4-0000-4000-8000-000000000001"
) -> dict:
    """GetMeeting then CreateAttendee for AGENT, as botocore's model says they are called."""
    api.meetings.add_response("get_meeting", {"Meeting": chime_meeting()}, {"MeetingId": MEETING_ID})
    external_user_id = f"agent-{AGENT}-{api.nonce(nonce)}"
    attendee = chime_attendee(external_user_id, attendee_id)
    api.meetings.add_response(
        "create_attendee",
        {"Attendee": attendee},
        {"MeetingId": MEETING_ID, "ExternalUserId": external_user_id},
    )
    return attendee


def test_answering_a_ringing_call_claims_it_and_returns_meeting_and_attendee(api: Harness) -> None:
    api.put_call()
    attendee = expect_join(api)
    response = api.request("answer_call")
    assert response.status == 200
    body = response.json()
    assert body["meeting"] == chime_meeting()
    assert body["attendee"] == attendee
    assert body["call"]["status"] == "in_progress"
    assert body["call"]["answeredBy"] == AGENT
    assert body["call"]["answeredAt"] == iso(api.now)
    stored = api.store.require(CALL_ID)
    assert (stored.status, stored.answered_by) == (CallStatus.IN_PROGRESS, AGENT)
    assert stored.agent_attendee_id == attendee["AttendeeId"]


def test_the_agent_who_holds_the_call_can_answer_again_and_the_old_attendee_is_revoked(api: Harness) -> None:
    api.put_call()
    first = expect_join(api, nonce=1, attendee_id="a1b2c3d4-0000-4000-8000-000000000001")
    assert api.request("answer_call").json()["attendee"] == first
    claimed = api.store.require(CALL_ID)
    second = expect_join(api, nonce=2, attendee_id="a1b2c3d4-0000-4000-8000-000000000002")
    api.meetings.add_response(
        "delete_attendee", {}, {"MeetingId": MEETING_ID, "AttendeeId": first["AttendeeId"]}
    )
    response = api.request("answer_call")
    assert response.status == 200
    assert response.json()["attendee"] == second != first
    rejoined = api.store.require(CALL_ID)
    # The claim stands as it was; only the attendee changed, and the old join token no longer works.
    assert (rejoined.status, rejoined.answered_by, rejoined.answered_at) == (
        claimed.status,
        claimed.answered_by,
        claimed.answered_at,
    )
    assert rejoined.agent_attendee_id == second["AttendeeId"]


def test_a_call_another_agent_holds_is_409_call_taken_and_nothing_changes(api: Harness) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=OTHER_AGENT, answered_by_email=OTHER_AGENT_EMAIL)
    before = api.snapshot()
    response = api.request("answer_call")
    assert (response.status, response.error["code"]) == (409, "call_taken")
    assert OTHER_AGENT_EMAIL in response.error["message"]  # as agents know each other, not the sub
    assert api.snapshot() == before


def test_two_agents_racing_for_one_call_only_one_wins(api: Harness) -> None:
    api.put_call()
    # Bob's request reads the call as ringing and its meeting, but Ann's claim lands first.
    api.meetings.add_response("get_meeting", {"Meeting": chime_meeting()}, {"MeetingId": MEETING_ID})
    expect_join(api)
    original_transition = api.runtime.desk.store.transition
    racing = {"done": False}

    def ann_claims_first(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not racing["done"]:
            racing["done"] = True
            assert api.request("answer_call").status == 200
        return original_transition(*args, **kwargs)

    api.runtime.desk.store.transition = ann_claims_first  # type: ignore[method-assign]
    try:
        response = api.as_agent("answer_call", OTHER_AGENT)
    finally:
        api.runtime.desk.store.transition = original_transition  # type: ignore[method-assign]
    assert (response.status, response.error["code"]) == (409, "call_taken")
    assert api.store.require(CALL_ID).answered_by == AGENT


def test_ended_connecting_and_outbound_calls_are_409_call_not_ringing(api: Harness) -> None:
    for call_id, fields in {
        "ended": {"status": CallStatus.ENDED},
        "connecting": {"status": CallStatus.CONNECTING, "meeting_id": None},
        "transferring": {"status": CallStatus.TRANSFERRING},
        "outbound": {"direction": Direction.OUTBOUND, "status": CallStatus.DIALING, "placed_by": OTHER_AGENT},
    }.items():
        api.put_call(call_id=call_id, **fields)
    before = api.snapshot()
    for call_id in ("ended", "connecting", "transferring", "outbound"):
        response = api.request("answer_call", path=f"/calls/{call_id}/answer")
        assert (response.status, response.error["code"]) == (409, "call_not_ringing"), call_id
    assert api.snapshot() == before


def test_unknown_call_is_404(api: Harness) -> None:
    response = api.request("answer_call", path="/calls/nope/answer")
    assert (response.status, response.error["code"]) == (404, "call_not_found")


def test_a_call_whose_meeting_ended_is_409_and_stays_unclaimed(api: Harness) -> None:
    api.put_call()
    before = api.snapshot()
    api.meetings.add_client_error(
        "get_meeting",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"MeetingId": MEETING_ID},
    )
    response = api.request("answer_call")
    assert (response.status, response.error["code"]) == (409, "call_not_ringing")
    assert "meeting has ended" in response.error["message"]
    assert api.snapshot() == before


def test_a_chime_failure_after_the_claim_releases_it(api: Harness) -> None:
    api.put_call()
    before = api.snapshot()
    api.meetings.add_response("get_meeting", {"Meeting": chime_meeting()}, {"MeetingId": MEETING_ID})
    api.meetings.add_client_error(
        "create_attendee", service_error_code="ServiceUnavailableException", http_status_code=503
    )
    response = api.request("answer_call")
    assert (response.status, response.error["code"]) == (503, "upstream_unavailable")
    assert "CreateAttendee" in response.error["message"]
    after = api.store.require(CALL_ID)
    assert (after.status, after.answered_by, after.answered_at) == (CallStatus.RINGING, None, None)
    assert [item["call_id"] for item in api.snapshot()] == [item["call_id"] for item in before]


def test_a_rejoin_that_fails_keeps_the_claim(api: Harness) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT)
    before = api.snapshot()
    api.meetings.add_response("get_meeting", {"Meeting": chime_meeting()}, {"MeetingId": MEETING_ID})
    api.meetings.add_client_error(
        "create_attendee", service_error_code="ForbiddenException", http_status_code=403
    )
    response = api.request("answer_call")
    assert (response.status, response.error["code"]) == (502, "upstream_failed")
    assert api.snapshot() == before


def test_leaving_puts_an_inbound_call_back_to_ringing_and_revokes_the_agents_attendee(api: Harness) -> None:
    attendee_id = "a1b2c3d4-0000-4000-8000-000000000001"
    api.put_call(
        status=CallStatus.IN_PROGRESS,
        answered_by=AGENT,
        answered_at=iso(api.now),
        agent_attendee_id=attendee_id,
    )
    api.meetings.add_response("delete_attendee", {}, {"MeetingId": MEETING_ID, "AttendeeId": attendee_id})
    response = api.request("leave_call")
    assert response.status == 200
    call = response.json()["call"]
    assert (call["status"], call["answeredBy"], call["answeredAt"]) == ("ringing", None, None)
    stored = api.store.require(CALL_ID)
    assert (stored.status, stored.agent_attendee_id) == (CallStatus.RINGING, None)


def test_leaving_still_succeeds_when_chime_cannot_revoke_the_attendee(api: Harness) -> None:
    attendee_id = "a1b2c3d4-0000-4000-8000-000000000001"
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT, agent_attendee_id=attendee_id)
    api.meetings.add_client_error(
        "delete_attendee", service_error_code="ServiceUnavailableException", http_status_code=503
    )
    response = api.request("leave_call")
    assert response.status == 200
    assert api.store.require(CALL_ID).status is CallStatus.RINGING


def test_leaving_a_call_you_do_not_hold_is_409_and_changes_nothing(api: Harness) -> None:
    api.put_call(call_id="theirs", status=CallStatus.IN_PROGRESS, answered_by=OTHER_AGENT)
    api.put_call(call_id="ringing")
    api.put_call(call_id="ended", status=CallStatus.ENDED, answered_by=AGENT)
    api.put_call(
        call_id="outbound", direction=Direction.OUTBOUND, status=CallStatus.IN_PROGRESS, answered_by=AGENT
    )
    before = api.snapshot()
    for call_id in ("theirs", "ringing", "ended", "outbound"):
        response = api.request("leave_call", path=f"/calls/{call_id}/leave")
        assert (response.status, response.error["code"]) == (409, "call_not_held"), call_id
    assert "hang it up" in api.request("leave_call", path="/calls/outbound/leave").error["message"]
    assert api.snapshot() == before
    assert api.request("leave_call", path="/calls/nope/leave").status == 404


def _stores(attendee: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """The write that records this attendee on the call (whatever its expression looks like)."""
    return lambda params: attendee["AttendeeId"] in json.dumps(params["ExpressionAttributeValues"])


def test_a_failed_attendee_write_after_the_claim_releases_the_claim_and_deletes_the_attendee(
    api: Harness,
) -> None:
    api.put_call()
    before = api.snapshot()
    attendee = expect_join(api)
    api.meetings.add_response(
        "delete_attendee", {}, {"MeetingId": MEETING_ID, "AttendeeId": attendee["AttendeeId"]}
    )
    with api.dynamodb_fault("UpdateItem", _stores(attendee)):
        response = api.request("answer_call")
    assert (response.status, response.error["code"]) == (503, "upstream_unavailable")
    api.meetings.assert_no_pending_responses()  # the attendee was deleted
    after = api.store.require(CALL_ID)
    assert (after.status, after.answered_by, after.agent_attendee_id) == (CallStatus.RINGING, None, None)
    assert [item["call_id"] for item in api.snapshot()] == [item["call_id"] for item in before]
    # Another agent can now answer it.
    other = chime_attendee(f"agent-{OTHER_AGENT}-{api.nonce(2)}", "b1b2c3d4-0000-4000-8000-000000000002")
    api.meetings.add_response("get_meeting", {"Meeting": chime_meeting()}, {"MeetingId": MEETING_ID})
    api.meetings.add_response("create_attendee", {"Attendee": other}, None)
    assert api.as_agent("answer_call", OTHER_AGENT).status == 200


def test_a_failed_attendee_write_on_rejoin_deletes_the_new_attendee_and_keeps_the_old(api: Harness) -> None:
    old_attendee = "a1b2c3d4-0000-4000-8000-0000000000aa"
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT, agent_attendee_id=old_attendee)
    before = api.snapshot()
    attendee = expect_join(api)
    api.meetings.add_response(
        "delete_attendee", {}, {"MeetingId": MEETING_ID, "AttendeeId": attendee["AttendeeId"]}
    )
    with api.dynamodb_fault("UpdateItem", _stores(attendee), code="AccessDeniedException"):
        response = api.request("answer_call")
    assert (response.status, response.error["code"]) == (502, "upstream_failed")
    api.meetings.assert_no_pending_responses()
    assert api.snapshot() == before


def test_answering_from_two_tabs_at_once_leaves_one_live_attendee(api: Harness) -> None:
    """Tab 2 answers completely while tab 1 sits between CreateAttendee and its write: the later write
    learns of the earlier attendee and revokes it, whichever tab it is."""
    api.put_call()
    first = expect_join(api, nonce=1, attendee_id="a1b2c3d4-0000-4000-8000-000000000001")
    second = expect_join(api, nonce=2, attendee_id="a1b2c3d4-0000-4000-8000-000000000002")
    api.meetings.add_response(
        "delete_attendee", {}, {"MeetingId": MEETING_ID, "AttendeeId": second["AttendeeId"]}
    )
    other_tab: list[int] = []
    with api.dynamodb_fault(
        "UpdateItem",
        _stores(first),
        instead=lambda: other_tab.append(api.request("answer_call").status),
    ):
        response = api.request("answer_call")
    assert other_tab == [200]
    assert response.status == 200
    assert response.json()["attendee"] == first
    api.meetings.assert_no_pending_responses()  # the other tab's attendee was revoked
    assert api.store.require(CALL_ID).agent_attendee_id == first["AttendeeId"]


def test_an_agent_who_left_from_another_tab_meanwhile_gets_409_and_no_attendee(api: Harness) -> None:
    api.put_call()
    attendee = expect_join(api)
    api.meetings.add_response(
        "delete_attendee", {}, {"MeetingId": MEETING_ID, "AttendeeId": attendee["AttendeeId"]}
    )
    other_tab: list[int] = []
    with api.dynamodb_fault(
        "UpdateItem", _stores(attendee), instead=lambda: other_tab.append(api.request("leave_call").status)
    ):
        response = api.request("answer_call")
    assert other_tab == [200]
    assert (response.status, response.error["code"]) == (409, "call_not_ringing")
    api.meetings.assert_no_pending_responses()
    after = api.store.require(CALL_ID)
    assert (after.status, after.answered_by, after.agent_attendee_id) == (CallStatus.RINGING, None, None)
