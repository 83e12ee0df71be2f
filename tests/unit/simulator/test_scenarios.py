"""Whole calls through the real handler, as the SMA would play them; every one must end clean."""

from __future__ import annotations

import pytest

from calls.record import CallStatus, EndReason
from simulator.environment import LocalAws
from simulator.scenarios import InboundScenario, OutboundScenario, SimulationResult, run_inbound, run_outbound


def assert_clean(result: SimulationResult) -> None:
    """Nothing any real service would refuse, nothing left running, nothing left open."""
    assert result.chime_violations == []
    assert result.contract_violations == []
    assert result.retry_mismatches == []
    assert result.meetings_left == []
    assert all(not record.is_active for record in result.records)
    assert all(record.meeting_ended_at for record in result.records if record.meeting_id)


def events_of(result: SimulationResult) -> list[str]:
    return [exchange.event["InvocationEventType"] for exchange in result.exchanges if not exchange.retry]


def said(result: SimulationResult) -> list[str]:
    return [line.text for line in result.lines if line.who == "phone" and line.text.startswith("hears")]


def test_a_caller_talks_to_an_agent_and_hangs_up(local: LocalAws) -> None:
    result = run_inbound(InboundScenario(), local=local)
    assert_clean(result)
    record = result.record
    assert record.end_reason is EndReason.CALLER_HUNG_UP and (record.answered_by, record.answerer_email) == (
        "3c1f4b2e-8d7a-4f0e-9b61-2a5d7e9c0f11",
        "ann@example.com",
    )
    assert events_of(result) == ["NEW_INBOUND_CALL", "ACTION_SUCCESSFUL", "HANGUP"]
    assert len(result.calls_to("CreateMeetingWithAttendees")) == 1
    assert len(result.calls_to("DeleteMeeting")) == 1


def test_every_event_retried_gives_the_same_answers_and_one_set_of_side_effects(local: LocalAws) -> None:
    result = run_inbound(InboundScenario(retry_every_event=True, agent_hangs_up_after=2), local=local)
    assert_clean(result)
    assert result.record.end_reason is EndReason.AGENT_HUNG_UP
    creates = result.calls_to("CreateMeetingWithAttendees")
    assert (
        len(creates) == 2 and len({str(request.params) for request in creates}) == 1
    )  # same token: one meeting
    assert len(result.calls_to("DeleteMeeting")) == 1


def test_nobody_answers_so_the_sweeper_times_the_caller_out(local: LocalAws) -> None:
    result = run_inbound(InboundScenario(agent_answers_after=None, caller_hangs_up_after=None), local=local)
    assert_clean(result)
    assert result.record.end_reason is EndReason.TIMEOUT
    assert any("nobody is available" in text for text in said(result))
    ended_after = result.record.duration_seconds()
    assert ended_after is not None and 300 <= ended_after <= 420
    assert [sweep.timeouts_requested for sweep in result.sweeps].count(1) == 1


def test_a_transfer_bridges_the_caller_to_a_phone_and_closes_the_meeting(local: LocalAws) -> None:
    result = run_inbound(InboundScenario(transfer_to="+14155550123"), local=local)
    assert_clean(result)
    record = result.record
    assert record.end_reason is EndReason.TRANSFERRED and record.transfer_to == "+14155550123"
    assert "CALL_UPDATE_REQUESTED" in events_of(result)
    bridged = [
        exchange
        for exchange in result.exchanges
        if exchange.event.get("ActionData", {}).get("Type") == "CallAndBridge"
    ]
    assert bridged and bridged[0].event["InvocationEventType"] == "ACTION_SUCCESSFUL"


def test_a_transfer_survives_the_sma_retrying_every_event(local: LocalAws) -> None:
    # The retried CALL_UPDATE_REQUESTED finds the record already TRANSFERRING: it must answer the same
    # Hangup of the meeting leg, or the SMA (which keeps the retry's answer) never bridges the caller.
    result = run_inbound(InboundScenario(transfer_to="+14155550123", retry_every_event=True), local=local)
    assert_clean(result)
    assert result.record.end_reason is EndReason.TRANSFERRED
    assert any(
        exchange.event.get("ActionData", {}).get("Type") == "CallAndBridge" for exchange in result.exchanges
    )


def test_an_unanswered_transfer_apologises(local: LocalAws) -> None:
    result = run_inbound(InboundScenario(transfer_to="+14155550123", transfer_answers=False), local=local)
    assert_clean(result)
    assert result.record.end_reason is EndReason.FAILED
    assert any("went wrong" in text for text in said(result))


@pytest.mark.parametrize("fault", ["throttle", "5xx", "unavailable"])
def test_chime_failing_to_create_the_meeting_apologises(local: LocalAws, fault: str) -> None:
    result = run_inbound(InboundScenario(chime_fault=fault), local=local)
    assert_clean(result)
    assert result.record.status is CallStatus.ENDED and result.record.end_reason is EndReason.ERROR
    assert any("went wrong" in text for text in said(result))


def test_dynamodb_down_still_ends_the_call_politely(local: LocalAws) -> None:
    result = run_inbound(InboundScenario(dynamodb_fault="down"), local=local)
    assert_clean(result)
    # The meeting comes first (the setup floor); with no record to find it by, it is deleted at once (and
    # the HANGUP that follows tries again with the id the attributes kept, in case that deletion failed).
    assert result.records == [] and result.meetings_left == []
    assert [request.operation for request in result.chime_requests][:2] == [
        "CreateMeetingWithAttendees",
        "DeleteMeeting",
    ]
    assert any("went wrong" in text for text in said(result))


def test_dynamodb_failing_mid_call_apologises_and_the_sweeper_closes_the_record(local: LocalAws) -> None:
    result = run_inbound(InboundScenario(dynamodb_fault="after-setup"), local=local)
    assert_clean(result)
    assert result.record.end_reason is EndReason.ERROR
    assert any("went wrong" in text for text in said(result))


def test_a_hangup_that_overtakes_the_join_success(local: LocalAws) -> None:
    result = run_inbound(InboundScenario(out_of_order_hangup=True), local=local)
    assert_clean(result)
    assert result.record.end_reason is EndReason.CALLER_HUNG_UP
    assert events_of(result)[-2:] == ["HANGUP", "ACTION_SUCCESSFUL"]


def test_a_failed_join_apologises_and_records_why(local: LocalAws) -> None:
    failed = run_inbound(InboundScenario(fail_actions=("JoinChimeMeeting",)), local=local)
    assert_clean(failed)
    assert failed.record.end_reason is EndReason.ERROR and "ErrorJoiningMeeting" in (
        failed.record.error or ""
    )


def test_a_failed_greeting_still_reaches_the_agent(local: LocalAws) -> None:
    result = run_inbound(InboundScenario(fail_actions=("Speak",)), local=local)
    assert_clean(result)
    assert result.record.end_reason is EndReason.CALLER_HUNG_UP and result.record.joined_at is not None


def test_the_meeting_deleted_under_the_caller_ends_the_call(local: LocalAws) -> None:
    result = run_inbound(InboundScenario(meeting_deleted_after=20), local=local)
    assert_clean(result)
    assert result.record.end_reason is EndReason.AGENT_HUNG_UP


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [("busy", EndReason.BUSY), ("no-answer", EndReason.NO_ANSWER), ("failed", EndReason.FAILED)],
)
def test_outbound_calls_that_do_not_connect(local: LocalAws, outcome: str, reason: EndReason) -> None:
    result = run_outbound(OutboundScenario(outcome=outcome), local=local)
    assert_clean(result)
    assert result.record.end_reason is reason and result.record.joined_at is None
    assert events_of(result) == ["NEW_OUTBOUND_CALL", "RINGING", "HANGUP"]


def test_an_answered_outbound_call_joins_the_agent(local: LocalAws) -> None:
    result = run_outbound(OutboundScenario(retry_every_event=True), local=local)
    assert_clean(result)
    record = result.record
    assert record.end_reason is EndReason.CALLER_HUNG_UP and record.answered_at is not None
    assert "CALL_ANSWERED" in events_of(result)


def test_the_agent_hangs_up_an_outbound_call(local: LocalAws) -> None:
    result = run_outbound(OutboundScenario(agent_hangs_up_after=5), local=local)
    assert_clean(result)
    assert result.record.end_reason is EndReason.AGENT_HUNG_UP


@pytest.mark.parametrize("drop", [False, True], ids=["attributes kept", "attributes dropped"])
def test_an_outbound_call_works_whether_or_not_the_sma_keeps_the_first_attributes(
    local: LocalAws, drop: bool
) -> None:
    """The SMA ignores our answer to NEW_OUTBOUND_CALL and RINGING (developer guide, outbound calls)."""
    result = run_outbound(
        OutboundScenario(drop_outbound_attributes=drop, retry_every_event=True, agent_hangs_up_after=5),
        local=local,
    )
    assert_clean(result)
    record = result.record
    assert record.joined_at is not None
    assert record.end_reason is EndReason.AGENT_HUNG_UP
    answered = next(x for x in result.exchanges if x.event["InvocationEventType"] == "CALL_ANSWERED")
    assert ("TransactionAttributes" in answered.event["CallDetails"]) is not drop
    [join] = [a for a in answered.response["Actions"] if a["Type"] == "JoinChimeMeeting"]
    assert join["Parameters"]["MeetingId"] == record.meeting_id
    assert bool(result.calls_to("CreateAttendee")) is drop  # the phone leg's token asked for only when lost
