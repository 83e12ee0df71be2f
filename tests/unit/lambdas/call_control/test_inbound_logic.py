"""A new inbound call's decisions alone: `decide` names the setup steps, `after_setup` judges their result."""

from __future__ import annotations

from datetime import timedelta

from call_control.attributes import CallAttributes
from call_control.events import parse_event
from call_control.logic.decision import CallerMeeting, CallState, Decision, InboundSetup, SetupResult
from call_control.logic.dispatch import decide, reads_record
from call_control.logic.inbound import after_setup, meeting_request
from call_control.settings import Settings
from calls.record import CallStatus, EndReason
from tests.unit.lambdas.call_control.harness import T0, load_event

TX = "2a4a3c1d-6b7e-4f0a-9a3b-1c2d3e4f5a6b"
MEETING = CallerMeeting(meeting_id="0d1b8f2e-3c4a-4b5d-8e6f-7a8b9c0d1e2f", attendee_id="a-1", join_token="jt")


def test_a_new_call_names_its_setup_steps_and_reads_nothing(settings: Settings) -> None:
    event = parse_event(load_event("new_inbound_call"))
    assert not reads_record(event)
    decision = decide(event, CallState(CallAttributes(), None, T0), settings)
    assert decision.actions == () and decision.setup is not None
    assert decision.setup.meeting.request_token == f"sma-{TX}"
    record = decision.setup.record_with(MEETING)
    assert (record.call_id, record.status, record.transaction_id) == (TX, CallStatus.CONNECTING, TX)
    assert (record.meeting_id, record.caller_attendee_id) == (MEETING.meeting_id, "a-1")


def test_a_new_call_without_its_caller_leg_is_hung_up_without_setup(settings: Settings) -> None:
    raw = load_event("new_inbound_call")
    raw["CallDetails"]["Participants"][0]["ParticipantTag"] = "LEG-B"
    event = parse_event(raw)
    decision = decide(event, CallState(CallAttributes(), None, T0), settings)
    assert decision.setup is None and [a["Type"] for a in decision.actions] == ["Hangup"]


def setup_and(settings: Settings, result: SetupResult) -> tuple[InboundSetup, Decision]:
    """Name the setup steps for the fixture's new call, then decide on `result` as if they ran."""
    event = parse_event(load_event("new_inbound_call"))
    named = decide(event, CallState(CallAttributes(), None, T0), settings)
    assert named.setup is not None
    return named.setup, after_setup(event, settings, T0 + timedelta(seconds=1), named.setup, result)


def test_both_steps_done_joins_and_counts_the_call_once(settings: Settings) -> None:
    setup, _ = setup_and(settings, SetupResult(error="unused"))
    stored = setup.record_with(MEETING)
    _, created = setup_and(settings, SetupResult(MEETING, stored, created=True))
    _, retried = setup_and(settings, SetupResult(MEETING, stored, created=False))
    assert [a["Type"] for a in created.actions] == ["JoinChimeMeeting"]  # no greeting configured
    assert created.actions == retried.actions and created.attributes == retried.attributes
    assert [m.name for m in created.metrics] == ["CallsStarted"] and retried.metrics == ()
    assert created.store is None and not created.delete_meeting


def test_no_meeting_stores_the_failed_call_and_apologises(settings: Settings) -> None:
    _, decision = setup_and(settings, SetupResult(error="CreateMeetingWithAttendees failed: Throttling"))
    assert [a["Type"] for a in decision.actions] == ["Speak", "Hangup"]
    assert decision.store is not None and decision.store.status is CallStatus.ENDED
    assert decision.store.end_reason is EndReason.ERROR and "Throttling" in (decision.store.error or "")
    assert not decision.delete_meeting
    assert {m.name for m in decision.metrics} == {"CallsStarted", "CallsFailed"}


def test_a_meeting_without_a_record_is_deleted(settings: Settings) -> None:
    _, decision = setup_and(settings, SetupResult(MEETING, error="PutItem failed: InternalServerError"))
    assert [a["Type"] for a in decision.actions] == ["Speak", "Hangup"]
    assert decision.delete_meeting and decision.attributes is not None
    assert decision.attributes.meeting_id == MEETING.meeting_id and decision.store is None


def test_a_retry_of_an_ended_call_apologises_and_deletes_its_meeting(settings: Settings) -> None:
    setup, _ = setup_and(settings, SetupResult(error="x"))
    ended = setup.record_with(MEETING).replace(status=CallStatus.ENDED, end_reason=EndReason.CALLER_HUNG_UP)
    _, decision = setup_and(settings, SetupResult(MEETING, ended))
    assert [a["Type"] for a in decision.actions] == ["Speak", "Hangup"]
    assert decision.delete_meeting and decision.change is None and decision.metrics == ()


def test_request_tokens_fit_the_chime_limits() -> None:
    plain = meeting_request(TX)
    assert plain.request_token == f"sma-{TX}"
    odd = meeting_request("tx:" + "x" * 80)
    assert len(odd.request_token) <= 64 and odd.request_token.startswith("sma-")
    assert len(odd.external_meeting_id) <= 64 and len(odd.caller_user_id) <= 64
    assert meeting_request("tx:" + "x" * 80) == odd  # the same event gets the same meeting
