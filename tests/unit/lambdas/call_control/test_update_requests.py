"""CALL_UPDATE_REQUESTED decisions: time out, hang up, transfer (within the dial policy), and refusals."""

from __future__ import annotations

from dataclasses import replace

import pytest

from call_control.attributes import Phase
from call_control.logic.decision import OnFault
from call_control.settings import Settings
from calls.phone_numbers import DialPolicy
from calls.record import CallRecord, CallStatus, Direction, EndReason
from tests.unit.lambdas.call_control.decisions import (
    CALLER_LEG,
    MEETING_LEG,
    decide,
    kinds,
    record,
)


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


def test_a_retried_transfer_request_answers_the_same_actions_again(settings: Settings) -> None:
    # The SMA re-sends an event whose answer it did not get: the record already says TRANSFERRING, and
    # the caller is still in the meeting, so the retry must take them out of it exactly as the first did.
    first = decide(
        "call_update_requested_transfer", record(CallStatus.IN_PROGRESS, answered_by="ann"), settings
    )
    retried = decide(
        "call_update_requested_transfer",
        record(CallStatus.TRANSFERRING, answered_by="ann", transfer_to="+14155550123"),
        settings,
    )
    assert retried.actions == first.actions and kinds(retried) == ["Hangup"]
    assert retried.attributes == first.attributes
    assert retried.change is None  # the record already says so


def test_a_second_transfer_to_another_number_is_refused(settings: Settings) -> None:
    decision = decide(
        "call_update_requested_transfer",
        record(CallStatus.TRANSFERRING, answered_by="ann", transfer_to="+14155550199"),
        settings,
    )
    assert decision.actions == () and decision.change is None
    assert "refused" in decision.note


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


def test_an_unanswered_transfer_apologises(settings: Settings) -> None:
    decision = decide("action_failed_call_and_bridge", record(CallStatus.TRANSFERRING), settings)
    assert kinds(decision) == ["Speak", "Hangup"]
    assert decision.change is not None and decision.change.set_fields["end_reason"] == EndReason.FAILED.value
