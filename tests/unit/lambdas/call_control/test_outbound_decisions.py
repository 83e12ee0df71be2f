"""Outbound call decisions: placed, ringing, answered (or cancelled before it was)."""

from __future__ import annotations

from call_control.events import parse_event
from call_control.settings import Settings
from calls.record import CallStatus, Direction, EndReason
from tests.unit.lambdas.call_control.decisions import (
    OUTBOUND_ID,
    decide,
    kinds,
    record,
)
from tests.unit.lambdas.call_control.harness import load_event


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


def test_ringing_records_the_transaction_so_the_agent_can_always_hang_up(settings: Settings) -> None:
    """The API stores the transaction id after dialling; if that write is lost, this one heals it."""
    dialing = record(CallStatus.DIALING, direction=Direction.OUTBOUND).replace(transaction_id=None)
    decision = decide("ringing", dialing, settings)
    assert decision.change is not None
    assert decision.change.to is CallStatus.RINGING
    event = parse_event(load_event("ringing"))
    assert decision.change.set_fields == {"transaction_id": event.transaction_id}
