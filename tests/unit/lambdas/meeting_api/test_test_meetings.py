"""Test meetings: an agent alone in a meeting, to try the audio bridge, and ending only one's own."""

from __future__ import annotations

import pytest

from meeting_api.agents import Agent
from tests.unit.lambdas.meeting_api.harness import (
    AGENT,
    MEETING_ID,
    OTHER_AGENT,
    Harness,
    chime_attendee,
    chime_meeting,
)

OWN = Agent(AGENT).test_meeting_external_id("0000000000000001")


def test_starting_a_test_meeting_returns_it_with_the_agent_as_attendee(api: Harness) -> None:
    attendee = chime_attendee(f"agent-{AGENT}-{api.nonce(2)}", "d0000000-0000-4000-8000-000000000001")
    api.meetings.add_response(
        "create_meeting_with_attendees",
        {"Meeting": chime_meeting(MEETING_ID, OWN), "Attendees": [attendee], "Errors": []},
        {
            "ClientRequestToken": "00000000-0000-4000-8000-000000000001",
            "MediaRegion": "us-east-1",
            "ExternalMeetingId": OWN,
            "Attendees": [{"ExternalUserId": attendee["ExternalUserId"]}],
        },
    )
    response = api.request("start_test_meeting")
    assert response.status == 201
    assert response.json() == {"meeting": chime_meeting(MEETING_ID, OWN), "attendee": attendee}
    assert api.snapshot() == []  # a test meeting is no call
    assert len(OWN) <= 64 and OWN.startswith("test-") and AGENT not in OWN


def test_an_agent_ends_their_own_test_meeting(api: Harness) -> None:
    api.meetings.add_response(
        "get_meeting", {"Meeting": chime_meeting(MEETING_ID, OWN)}, {"MeetingId": MEETING_ID}
    )
    api.meetings.add_response("delete_meeting", {}, {"MeetingId": MEETING_ID})
    response = api.request("end_test_meeting")
    assert (response.status, response.body) == (204, None)


@pytest.mark.parametrize(
    "external_id",
    [
        Agent(OTHER_AGENT).test_meeting_external_id("0000000000000001"),  # a colleague's test meeting
        "call-6f1c2d3e-4b5a-4978-8c6d-5e4f3a2b1c0d",  # a call's meeting
    ],
)
def test_other_meetings_cannot_be_ended_here(api: Harness, external_id: str) -> None:
    api.meetings.add_response("get_meeting", {"Meeting": chime_meeting(MEETING_ID, external_id)})
    response = api.request("end_test_meeting")
    assert (response.status, response.error["code"]) == (403, "meeting_not_owned")


def test_an_unknown_or_already_ended_meeting_is_404(api: Harness) -> None:
    api.meetings.add_client_error("get_meeting", service_error_code="NotFoundException", http_status_code=404)
    response = api.request("end_test_meeting")
    assert (response.status, response.error["code"]) == (404, "meeting_not_found")
    api.meetings.add_response("get_meeting", {"Meeting": chime_meeting(MEETING_ID, OWN)})
    api.meetings.add_client_error(
        "delete_meeting", service_error_code="NotFoundException", http_status_code=404
    )
    assert api.request("end_test_meeting").status == 404


def test_a_meeting_id_that_is_no_guid_is_400(api: Harness) -> None:
    response = api.request("end_test_meeting", path="/meetings/not-a-meeting")
    assert (response.status, response.error["code"]) == (400, "invalid_request")
