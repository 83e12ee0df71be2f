"""Pure decisions: which agent may do what to a call in which state, and which numbers may be dialled."""

from __future__ import annotations

import hashlib
from enum import StrEnum

from calls.phone_numbers import DestinationRefused, DialPolicy, InvalidNumber
from calls.record import CallRecord, CallStatus, Direction
from meeting_api.agents import Agent
from meeting_api.errors import (
    CallNotActive,
    CallNotHeld,
    CallNotRinging,
    CallTaken,
    DestinationNotAllowed,
    InvalidRequest,
)


class AnswerPlan(StrEnum):
    CLAIM = "claim"  # a ringing inbound call nobody holds: claim it, then join
    REJOIN = "rejoin"  # the agent already holds the call (e.g. reloaded the page): join again, fresh attendee


def plan_answer(call: CallRecord, agent: Agent) -> AnswerPlan:
    if not call.is_active or call.status is CallStatus.TRANSFERRING or call.meeting_id is None:
        raise CallNotRinging(f"call {call.call_id} is {call.status.value}; it cannot be answered")
    if call.answered_by is not None:
        if call.answered_by == agent.id:
            return AnswerPlan.REJOIN
        raise CallTaken(f"call {call.call_id} is already answered by {_holder(call)}")
    if call.direction is not Direction.INBOUND or call.status is not CallStatus.RINGING:
        raise CallNotRinging(
            f"call {call.call_id} is {call.status.value}; only a ringing call can be answered"
        )
    return AnswerPlan.CLAIM


def _holder(call: CallRecord) -> str:
    return call.answerer_email or "another agent"


def check_leave(call: CallRecord, agent: Agent) -> None:
    if call.direction is Direction.OUTBOUND:
        raise CallNotHeld(f"call {call.call_id} is outbound; hang it up instead of leaving it")
    if call.status is not CallStatus.IN_PROGRESS or call.answered_by != agent.id:
        raise CallNotHeld(
            f"call {call.call_id} is {call.status.value} and not on your line; nothing to leave"
        )


_TRANSFERABLE = frozenset({CallStatus.RINGING, CallStatus.IN_PROGRESS})


def control_transaction(call: CallRecord, agent: Agent, *, transferring: bool) -> str:
    """The SMA transaction to send a hang-up or transfer to, if this agent may control the call now."""
    if not call.is_active:
        raise CallNotActive(f"call {call.call_id} has ended")
    if transferring and call.status not in _TRANSFERABLE:  # what the SMA Lambda will transfer
        raise CallNotActive(
            f"call {call.call_id} is {call.status.value}; only a connected call can be transferred"
        )
    if transferring and call.direction is Direction.OUTBOUND and call.status is CallStatus.RINGING:
        # Ringing far end, not yet in the meeting: the SMA Lambda has no caller leg to bridge.
        raise CallNotActive(f"call {call.call_id} has not been answered yet; transfer it once it is")
    if call.answered_by is not None and call.answered_by != agent.id:
        raise CallTaken(f"call {call.call_id} is answered by {_holder(call)}; only they can control it")
    if not call.transaction_id:
        raise CallNotActive(
            f"call {call.call_id} has no SIP media application transaction yet; retry shortly"
        )
    return call.transaction_id


def check_destination(number: str, policy: DialPolicy) -> None:
    """May agents dial this number (place a call, transfer to it)? The one policy: calls.phone_numbers."""
    try:
        policy.check(number)
    except DestinationRefused as refused:
        raise DestinationNotAllowed(str(refused)) from None
    except InvalidNumber as invalid:  # the request model checks first; this keeps the desk safe on its own
        raise InvalidRequest(str(invalid)) from None


def entity_tag(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def not_modified(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 weak comparison of If-None-Match against the current tag."""
    if not if_none_match:
        return False
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    return "*" in candidates or tag in (candidate.removeprefix("W/") for candidate in candidates)
