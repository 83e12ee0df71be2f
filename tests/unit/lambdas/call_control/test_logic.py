"""The decisions alone, with no AWS client: this event in this state gives these actions and this change."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from call_control.attributes import CallAttributes, Phase
from call_control.events import parse_event
from call_control.logic.decision import CallState, Decision, OnFault
from call_control.logic.dispatch import decide as decide_event
from call_control.logic.inbound import meeting_request
from call_control.logic.sweep import SweepKind, plan_sweep
from call_control.settings import Settings, load_settings
from calls.phone_numbers import DialPolicy
from calls.record import CallRecord, CallStatus, Direction, EndReason, iso
from tests.unit.lambdas.call_control.harness import T0, load_event

TX = "2a4a3c1d-6b7e-4f0a-9a3b-1c2d3e4f5a6b"
OUTBOUND_ID = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"
CALLER_LEG = "c70f341a-adde-4406-9dea-1e01d34d033d"
MEETING_LEG = "e3a1f7c2-5d4b-4c8e-9f6a-2b3c4d5e6f70"


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(
        {
            "CALLS_TABLE_NAME": "calls",
            "MEETING_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "TIMEOUT_MESSAGE": "Nobody is free, goodbye.",
            "APOLOGY_MESSAGE": "Sorry, goodbye.",
            "DIAL_POLICY": DialPolicy(countries=frozenset({"US", "CA"})).to_json(),
        }
    )


def record(status: CallStatus, **fields: Any) -> CallRecord:
    direction = fields.pop("direction", Direction.INBOUND)
    return CallRecord.new(
        call_id=OUTBOUND_ID if direction is Direction.OUTBOUND else TX,
        direction=direction,
        from_number="+12065550100",
        to_number="+12065550199",
        status=status,
        now=T0,
        transaction_id=TX,
        meeting_id="0d1b8f2e-3c4a-4b5d-8e6f-7a8b9c0d1e2f",
        **fields,
    )


def decide(name: str, current: CallRecord | None, settings: Settings, **changes: Any) -> Decision:
    event = parse_event(load_event(name, **changes))
    state = CallState(CallAttributes.from_map(event.attributes), current, T0 + timedelta(seconds=30))
    return decide_event(event, state, settings)


def kinds(decision: Decision) -> list[str]:
    return [action["Type"] for action in decision.actions]


def test_joining_the_meeting_makes_an_inbound_call_ring_for_agents(settings: Settings) -> None:
    decision = decide("action_successful_join", record(CallStatus.CONNECTING), settings)
    assert decision.actions == ()
    assert decision.change is not None
    assert (decision.change.to, decision.change.from_statuses) == (
        CallStatus.RINGING,
        {CallStatus.CONNECTING},
    )
    assert "joined_at" in decision.change.set_fields
    assert decision.on_fault is OnFault.APOLOGISE
    assert decision.attributes is not None
    assert decision.attributes.phase is Phase.IN_MEETING and decision.attributes.join_token is None


def test_a_repeated_join_success_changes_nothing(settings: Settings) -> None:
    joined = record(CallStatus.RINGING, joined_at=iso(T0))
    decision = decide("action_successful_join", joined, settings)
    assert decision.change is None and decision.actions == ()


def test_a_call_that_ended_while_joining_is_taken_out_of_the_meeting(settings: Settings) -> None:
    ended = record(CallStatus.ENDED, end_reason=EndReason.AGENT_HUNG_UP)
    decision = decide("action_successful_join", ended, settings)
    assert kinds(decision) == ["Hangup"]
    assert decision.actions[0]["Parameters"]["CallId"] == MEETING_LEG
    assert decision.change is None


def test_an_outbound_join_means_the_agent_and_callee_talk(settings: Settings) -> None:
    dialing = record(CallStatus.RINGING, direction=Direction.OUTBOUND, answered_by="ann")
    attributes = {"callId": OUTBOUND_ID, "direction": "outbound", "phase": "joining", "meetingId": "m"}
    decision = decide("action_successful_join", dialing, settings, attributes=attributes)
    assert decision.change is not None and decision.change.to is CallStatus.IN_PROGRESS
    assert {"joined_at", "answered_at"} <= set(decision.change.set_fields)


def test_the_caller_hanging_up_ends_the_call_and_its_meeting(settings: Settings) -> None:
    decision = decide("hangup_caller", record(CallStatus.IN_PROGRESS, answered_by="ann"), settings)
    assert decision.actions == ()  # nobody is left to act on
    assert decision.change is not None and decision.change.to is CallStatus.ENDED
    assert decision.change.set_fields["end_reason"] == EndReason.CALLER_HUNG_UP.value
    assert decision.delete_meeting


def test_a_second_hangup_changes_nothing_but_still_checks_the_meeting(settings: Settings) -> None:
    ended = record(CallStatus.ENDED, end_reason=EndReason.CALLER_HUNG_UP, meeting_ended_at=iso(T0))
    decision = decide("hangup_caller", ended, settings)
    assert decision.change is None and decision.actions == ()


@pytest.mark.parametrize(
    ("code", "reason"),
    [(486, EndReason.BUSY), (480, EndReason.NO_ANSWER), (0, EndReason.NO_ANSWER), (404, EndReason.FAILED)],
)
def test_an_outbound_call_that_never_answered_ends_by_its_sip_code(
    settings: Settings, code: int, reason: EndReason
) -> None:
    raw = load_event("hangup_outbound_busy")
    raw["ActionData"]["Parameters"]["SipResponseCode"] = code
    event = parse_event(raw)
    dialing = record(CallStatus.RINGING, direction=Direction.OUTBOUND)
    state = CallState(CallAttributes.from_map(event.attributes), dialing, T0)
    decision = decide_event(event, state, settings)
    assert decision.change is not None
    assert decision.change.set_fields["end_reason"] == reason.value


def test_the_meeting_ending_under_a_waiting_caller_is_an_apology(settings: Settings) -> None:
    decision = decide("hangup_meeting_leg", record(CallStatus.RINGING), settings)
    assert kinds(decision) == ["Speak", "Hangup"]
    assert decision.actions[0]["Parameters"]["Text"] == "Sorry, goodbye."
    assert decision.change is not None and decision.change.set_fields["end_reason"] == EndReason.ERROR.value


def test_the_meeting_ending_during_a_conversation_is_the_agent_hanging_up(settings: Settings) -> None:
    decision = decide("hangup_meeting_leg", record(CallStatus.IN_PROGRESS, answered_by="ann"), settings)
    assert kinds(decision) == ["Hangup"]
    assert decision.change is not None
    assert decision.change.set_fields["end_reason"] == EndReason.AGENT_HUNG_UP.value


def test_a_timeout_takes_the_caller_out_of_the_meeting_first(settings: Settings) -> None:
    decision = decide("call_update_requested_timeout", record(CallStatus.RINGING), settings)
    assert kinds(decision) == ["Hangup"]
    assert decision.actions[0]["Parameters"]["CallId"] == MEETING_LEG
    assert decision.change is not None
    assert decision.change.answered_by_absent and decision.change.from_statuses == {CallStatus.RINGING}
    assert decision.attributes is not None
    assert (decision.attributes.phase, decision.attributes.end_reason) == (Phase.LEAVING, EndReason.TIMEOUT)
    assert decision.on_fault is OnFault.IGNORE


def test_then_says_the_timeout_message_and_hangs_up(settings: Settings) -> None:
    decision = decide("action_successful_hangup_meeting_leg", record(CallStatus.ENDED), settings)
    assert kinds(decision) == ["Speak", "Hangup"]
    assert decision.actions[0]["Parameters"]["Text"] == "Nobody is free, goodbye."
    assert decision.actions[1]["Parameters"]["CallId"] == CALLER_LEG
    assert decision.delete_meeting


@pytest.mark.parametrize(
    "current",
    [
        record(CallStatus.IN_PROGRESS, answered_by="ann"),
        record(CallStatus.ENDED),
        record(CallStatus.RINGING, direction=Direction.OUTBOUND),
        None,
    ],
)
def test_a_timeout_is_refused_unless_an_inbound_caller_waits_unanswered(
    settings: Settings, current: CallRecord | None
) -> None:
    decision = decide("call_update_requested_timeout", current, settings)
    assert decision.actions == () and decision.change is None
    assert "refused" in decision.note


def test_an_agent_hangup_ends_the_call_without_a_word(settings: Settings) -> None:
    decision = decide(
        "call_update_requested_hangup", record(CallStatus.IN_PROGRESS, answered_by="ann"), settings
    )
    assert kinds(decision) == ["Hangup"]
    assert decision.actions[0]["Parameters"]["CallId"] == CALLER_LEG
    assert decision.change is not None
    assert decision.change.set_fields["end_reason"] == EndReason.AGENT_HUNG_UP.value


def test_a_transfer_leaves_the_meeting_then_bridges_with_our_number(settings: Settings) -> None:
    decision = decide(
        "call_update_requested_transfer", record(CallStatus.IN_PROGRESS, answered_by="ann"), settings
    )
    assert kinds(decision) == ["Hangup"]
    assert decision.change is not None and decision.change.to is CallStatus.TRANSFERRING
    assert decision.attributes is not None and decision.attributes.transfer_to == "+14155550123"
    leaving = {**decision.attributes.to_map()}
    bridged = decide(
        "action_successful_hangup_meeting_leg", record(CallStatus.TRANSFERRING), settings, attributes=leaving
    )
    assert kinds(bridged) == ["CallAndBridge"]
    assert (
        bridged.actions[0]["Parameters"]["CallerIdNumber"] == "+12065550199"
    )  # the number the caller dialled
    assert bridged.delete_meeting


def test_after_a_transfer_connects_the_target_hanging_up_ends_the_call(settings: Settings) -> None:
    bridging = {"callId": TX, "direction": "inbound", "phase": "bridging", "transferTo": "+14155550123"}
    late = decide("hangup_meeting_leg", record(CallStatus.TRANSFERRING), settings, attributes=bridging)
    assert late.actions == () and late.change is None  # the old meeting leg, reported late
    bridged = decide(
        "hangup_meeting_leg",
        record(CallStatus.TRANSFERRING),
        settings,
        attributes={**bridging, "phase": "bridged"},
    )
    assert kinds(bridged) == ["Hangup"]
    assert (
        bridged.change is not None and bridged.change.set_fields["end_reason"] == EndReason.TRANSFERRED.value
    )


@pytest.mark.parametrize(
    ("arguments", "current"),
    [
        ({"action": "transfer", "to": "4155550123"}, record(CallStatus.IN_PROGRESS)),
        ({"action": "transfer", "to": "+14155550123"}, record(CallStatus.CONNECTING)),
        ({"action": "transfer"}, record(CallStatus.IN_PROGRESS)),
        ({"action": "mute"}, record(CallStatus.IN_PROGRESS)),
        ({}, record(CallStatus.IN_PROGRESS)),
    ],
)
def test_update_requests_that_cannot_be_honoured_are_refused_politely(
    settings: Settings, arguments: dict[str, str], current: CallRecord
) -> None:
    decision = decide("call_update_requested_transfer", current, settings, arguments=arguments)
    assert decision.actions == () and decision.change is None and decision.attributes is None


@pytest.mark.parametrize(
    "destination",
    [
        "+1８７６5550123",  # noqa: RUF001 - ASCII +1 and a full-width Jamaican area code
        "+１２０６５５５０１２３",  # noqa: RUF001 - full-width US
        "+18765550123",  # Jamaica is not US or CA
        "+19005550123",  # premium rate
        "+12129761234",  # a 976 exchange
        "+15005550100",  # personal number
        "+16005550100",  # Canadian non-geographic
        "+17005550100",  # not a valid number
        "+120655501234",  # too long for +1
        "+33142685300",  # France is not allowed
    ],
)
def test_the_sma_lambda_refuses_the_destinations_the_api_refuses(
    settings: Settings, destination: str
) -> None:
    # The API checks first; this is the second lock, for a request that did not come through the API.
    decision = decide(
        "call_update_requested_transfer",
        record(CallStatus.IN_PROGRESS, answered_by="ann"),
        settings,
        arguments={"action": "transfer", "to": destination},
    )
    assert decision.actions == () and decision.change is None and decision.attributes is None
    assert "refused a transfer" in decision.note


def test_a_transfer_the_policy_allows_by_name_goes_ahead(settings: Settings) -> None:
    named = replace(
        settings, dial_policy=DialPolicy(countries=frozenset({"US"}), allowed_prefixes=("+1876",))
    )
    decision = decide(
        "call_update_requested_transfer",
        record(CallStatus.IN_PROGRESS, answered_by="ann"),
        named,
        arguments={"action": "transfer", "to": "+18765550123"},
    )
    assert kinds(decision) == ["Hangup"]
    assert decision.attributes is not None and decision.attributes.transfer_to == "+18765550123"


def test_with_no_dial_policy_every_transfer_is_refused(settings: Settings) -> None:
    decision = decide(
        "call_update_requested_transfer",
        record(CallStatus.IN_PROGRESS, answered_by="ann"),
        replace(settings, dial_policy=DialPolicy()),
    )
    assert decision.actions == () and "outbound calling is off" in decision.note


def test_a_failed_join_apologises_and_records_the_error(settings: Settings) -> None:
    decision = decide("action_failed_join", record(CallStatus.CONNECTING), settings)
    assert kinds(decision) == ["Speak", "Hangup"]
    assert decision.change is not None
    assert decision.change.set_fields["end_reason"] == EndReason.ERROR.value
    assert "ErrorJoiningMeeting" in str(decision.change.set_fields["error"])


def test_a_failed_greeting_still_joins(settings: Settings) -> None:
    decision = decide("action_failed_speak", record(CallStatus.CONNECTING), settings)
    assert kinds(decision) == ["JoinChimeMeeting"]
    assert decision.actions[0]["Parameters"]["JoinToken"] == "meeting-attendee-join-token"


def test_an_unanswered_transfer_apologises(settings: Settings) -> None:
    decision = decide("action_failed_call_and_bridge", record(CallStatus.TRANSFERRING), settings)
    assert kinds(decision) == ["Speak", "Hangup"]
    assert decision.change is not None and decision.change.set_fields["end_reason"] == EndReason.FAILED.value


def test_an_invalid_response_report_hangs_up_plainly(settings: Settings) -> None:
    decision = decide("invalid_lambda_response", record(CallStatus.RINGING), settings)
    assert kinds(decision) == ["Hangup"]
    assert decision.problem is not None and "TransactionAttributesInvalidMapSize" in decision.problem


@pytest.mark.parametrize(
    "name", ["action_interrupted", "digits_received", "action_successful_speak", "ringing"]
)
def test_informational_events_change_nothing(settings: Settings, name: str) -> None:
    decision = decide(name, record(CallStatus.IN_PROGRESS), settings)
    assert decision.actions == () and decision.change is None


def test_outbound_placement_keeps_the_arguments_for_later_events(settings: Settings) -> None:
    decision = decide("new_outbound_call", None, settings)
    assert decision.attributes is not None
    assert decision.attributes.join_token == "phone-leg-join-token"
    assert decision.attributes.call_id == OUTBOUND_ID
    assert decision.problem is None


def test_an_answered_outbound_call_joins_unless_it_was_cancelled(settings: Settings) -> None:
    dialing = record(CallStatus.RINGING, direction=Direction.OUTBOUND)
    assert kinds(decide("call_answered", dialing, settings)) == ["JoinChimeMeeting"]
    cancelled = record(CallStatus.ENDED, direction=Direction.OUTBOUND, end_reason=EndReason.AGENT_HUNG_UP)
    assert kinds(decide("call_answered", cancelled, settings)) == ["Hangup"]


def test_request_tokens_fit_the_chime_limits() -> None:
    plain = meeting_request(TX)
    assert plain.request_token == f"sma-{TX}"
    odd = meeting_request("tx:" + "x" * 80)
    assert len(odd.request_token) <= 64 and odd.request_token.startswith("sma-")
    assert len(odd.external_meeting_id) <= 64 and len(odd.caller_user_id) <= 64
    assert meeting_request("tx:" + "x" * 80) == odd  # the same event gets the same meeting


def _swept(status: CallStatus, *, idle: float, **fields: Any) -> SweepKind | None:
    call = record(status, **fields).replace(updated_at=iso(T0))
    step = plan_sweep(call, T0 + timedelta(seconds=idle), timedelta(seconds=300))
    return step.kind if step else None


def test_the_sweep_plan() -> None:
    assert _swept(CallStatus.RINGING, idle=299) is None
    assert _swept(CallStatus.RINGING, idle=300) is SweepKind.REQUEST_TIMEOUT
    assert _swept(CallStatus.RINGING, idle=300 + 181) is SweepKind.FORCE_END
    assert _swept(CallStatus.RINGING, idle=10_000, answered_by="ann") is None
    assert _swept(CallStatus.IN_PROGRESS, idle=10_000) is None
    assert _swept(CallStatus.CONNECTING, idle=119) is None
    assert _swept(CallStatus.CONNECTING, idle=121) is SweepKind.FORCE_END
    assert _swept(CallStatus.DIALING, idle=301, direction=Direction.OUTBOUND) is SweepKind.FORCE_END
    assert _swept(CallStatus.ENDED, idle=61, ended_at=iso(T0)) is SweepKind.DELETE_MEETING
    assert _swept(CallStatus.ENDED, idle=59, ended_at=iso(T0)) is None
    assert _swept(CallStatus.ENDED, idle=600, ended_at=iso(T0), meeting_ended_at=iso(T0)) is None
    assert _swept(CallStatus.TRANSFERRING, idle=61) is SweepKind.DELETE_MEETING


def test_ringing_records_the_transaction_so_the_agent_can_always_hang_up(settings: Settings) -> None:
    """The API stores the transaction id after dialling; if that write is lost, this one heals it."""
    dialing = record(CallStatus.DIALING, direction=Direction.OUTBOUND).replace(transaction_id=None)
    decision = decide("ringing", dialing, settings)
    assert decision.change is not None
    assert decision.change.to is CallStatus.RINGING
    event = parse_event(load_event("ringing"))
    assert decision.change.set_fields == {"transaction_id": event.transaction_id}
