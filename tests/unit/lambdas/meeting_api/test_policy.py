"""The pure decisions, exhaustively: who may answer, leave or control a call in each state, and the identifiers."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calls.phone_numbers import DialPolicy
from calls.record import CallRecord, CallStatus, Direction
from meeting_api.agents import Agent, is_test_meeting
from meeting_api.errors import (
    CallNotActive,
    CallNotHeld,
    CallNotRinging,
    CallTaken,
    DestinationNotAllowed,
    InvalidRequest,
)
from meeting_api.models import Call
from meeting_api.policy import (
    AnswerPlan,
    check_destination,
    check_leave,
    control_transaction,
    entity_tag,
    not_modified,
    plan_answer,
)
from tests.unit.lambdas.meeting_api.harness import T0

ANN, BOB = Agent("ann"), Agent("bob")
HOLDERS = [None, "ann", "bob"]


def call(
    status: CallStatus, direction: Direction = Direction.INBOUND, holder: str | None = None
) -> CallRecord:
    return CallRecord.new(
        call_id="c-1",
        direction=direction,
        from_number="+14255550142",
        to_number="+12065550100",
        status=status,
        now=T0,
        meeting_id=None if status is CallStatus.CONNECTING else "m-1",
        answered_by=holder,
        transaction_id="tx-1",
    )


CASES = list(itertools.product(CallStatus, Direction, HOLDERS))


@pytest.mark.parametrize(("status", "direction", "holder"), CASES)
def test_answer_decision_for_every_state(
    status: CallStatus, direction: Direction, holder: str | None
) -> None:
    record = call(status, direction, holder)
    answerable = status not in (CallStatus.ENDED, CallStatus.TRANSFERRING, CallStatus.CONNECTING)
    if not answerable:
        expected: object = CallNotRinging
    elif holder == "ann":
        expected = AnswerPlan.REJOIN
    elif holder == "bob":
        expected = CallTaken
    elif direction is Direction.INBOUND and status is CallStatus.RINGING:
        expected = AnswerPlan.CLAIM
    else:
        expected = CallNotRinging
    if isinstance(expected, AnswerPlan):
        assert plan_answer(record, ANN) is expected
    else:
        with pytest.raises(expected):  # type: ignore[call-overload]
            plan_answer(record, ANN)


@pytest.mark.parametrize(("status", "direction", "holder"), CASES)
def test_leave_only_an_inbound_call_you_are_on(
    status: CallStatus, direction: Direction, holder: str | None
) -> None:
    record = call(status, direction, holder)
    if direction is Direction.INBOUND and status is CallStatus.IN_PROGRESS and holder == "ann":
        check_leave(record, ANN)
    else:
        with pytest.raises(CallNotHeld):
            check_leave(record, ANN)


@pytest.mark.parametrize("transferring", [False, True])
@pytest.mark.parametrize(("status", "direction", "holder"), CASES)
def test_control_needs_an_active_call_nobody_else_holds(
    status: CallStatus, direction: Direction, holder: str | None, transferring: bool
) -> None:
    record = call(status, direction, holder)
    transferable = status is CallStatus.IN_PROGRESS or (
        status is CallStatus.RINGING and direction is Direction.INBOUND  # outbound ringing: nobody to bridge
    )
    if status is CallStatus.ENDED or (transferring and not transferable):
        with pytest.raises(CallNotActive):
            control_transaction(record, ANN, transferring=transferring)
    elif holder == "bob":
        with pytest.raises(CallTaken):
            control_transaction(record, ANN, transferring=transferring)
    else:
        assert control_transaction(record, ANN, transferring=transferring) == "tx-1"


def test_control_waits_for_the_sma_transaction() -> None:
    with pytest.raises(CallNotActive, match="no SIP media application transaction"):
        control_transaction(call(CallStatus.RINGING).replace(transaction_id=None), ANN, transferring=False)


@pytest.mark.parametrize(
    ("number", "policy", "allowed"),
    [
        ("+12065550123", DialPolicy(countries=frozenset({"US"})), True),
        ("+442071234567", DialPolicy(countries=frozenset({"US", "GB"})), True),
        ("+442071234567", DialPolicy(allowed_prefixes=("+4420",)), True),
        ("+443001234567", DialPolicy(allowed_prefixes=("+4420",)), False),
        ("+33142685300", DialPolicy(countries=frozenset({"US", "GB"})), False),
        ("+12065550123", DialPolicy(), False),
        # "US" is the US: Caribbean countries share +1 but are regions of their own; premium needs naming.
        ("+18765550123", DialPolicy(countries=frozenset({"US", "CA"})), False),
        ("+18095550123", DialPolicy(countries=frozenset({"US", "CA"})), False),
        ("+19005550123", DialPolicy(countries=frozenset({"US", "CA"})), False),
        ("+12129761234", DialPolicy(countries=frozenset({"US", "CA"})), False),
        ("+18765550123", DialPolicy(countries=frozenset({"US", "JM"})), True),
        ("+14165550123", DialPolicy(countries=frozenset({"US", "CA"})), True),  # Toronto
    ],
)
def test_destinations_follow_the_dial_policy(number: str, policy: DialPolicy, allowed: bool) -> None:
    if allowed:
        check_destination(number, policy)
    else:
        with pytest.raises(DestinationNotAllowed):
            check_destination(number, policy)


def test_a_number_the_model_let_through_but_the_policy_cannot_read_is_a_bad_request() -> None:
    with pytest.raises(InvalidRequest, match="ASCII"):
        check_destination("+１８７６５５５０１２３", DialPolicy(countries=frozenset({"JM"})))  # noqa: RUF001


@given(
    st.text(min_size=1, max_size=300).filter(str.strip), st.text("0123456789abcdef", min_size=16, max_size=16)
)
def test_attendee_ids_fit_chime_for_any_user_name(name: str, nonce: str) -> None:
    external_user_id = Agent(name).attendee_external_user_id(nonce)
    assert 2 <= len(external_user_id) <= 64  # ExternalUserId in botocore's chime-sdk-meetings model
    assert re.fullmatch(r"agent-[A-Za-z0-9_.@+=-]+-[0-9a-f]{16}", external_user_id)


@given(
    st.text(min_size=1, max_size=300).filter(str.strip), st.text("0123456789abcdef", min_size=16, max_size=16)
)
def test_test_meeting_ids_fit_chime_and_belong_to_their_agent_only(name: str, nonce: str) -> None:
    agent = Agent(name)
    external_meeting_id = agent.test_meeting_external_id(nonce)
    assert 2 <= len(external_meeting_id) <= 64
    assert is_test_meeting(external_meeting_id)
    assert agent.owns_test_meeting(external_meeting_id)
    assert not Agent(name + "x").owns_test_meeting(external_meeting_id)
    assert not agent.owns_test_meeting(f"call-{nonce}")
    assert not agent.owns_test_meeting(None)


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("", False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ('"x"', False),
        ("*", True),
    ],
)
def test_if_none_match(header: str | None, matches: bool) -> None:
    assert not_modified(header, '"abc"') is matches


def test_the_entity_tag_changes_with_the_body() -> None:
    assert entity_tag("{}") == entity_tag("{}") != entity_tag('{"calls":[]}')


def test_the_call_model_documents_exactly_the_view_agents_get() -> None:
    view = call(CallStatus.RINGING).to_view()
    assert Call.model_validate(view).model_dump(by_alias=True) == view
