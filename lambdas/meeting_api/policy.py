"""Pure decisions: which agent may do what to a call in which state, and which numbers may be dialled."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from enum import StrEnum

from calls.record import CallRecord, CallStatus, Direction
from meeting_api.agents import Agent
from meeting_api.errors import CallNotActive, CallNotHeld, CallNotRinging, CallTaken, DestinationNotAllowed


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


# +1 is the whole North American Numbering Plan: besides the US and Canada it reaches some twenty
# Caribbean and Atlantic countries and premium-rate 900/976 numbers, the classic targets of toll fraud.
# An allowed prefix of "+1" does not include these; a longer prefix naming one (e.g. "+1876") does.
NANP_HIGH_RISK_AREA_CODES = frozenset(
    {
        "242", "246", "264", "268", "284", "340", "345", "441", "473", "649", "658", "664", "670", "671",
        "684", "721", "758", "767", "784", "787", "809", "829", "849", "868", "869", "876", "939",
        "900", "976",
    }
)  # fmt: skip


def check_destination(number: str, allowed_prefixes: Sequence[str]) -> None:
    if not allowed_prefixes:
        raise DestinationNotAllowed("outbound calling is disabled (OUTBOUND_ALLOWED_PREFIXES is empty)")
    matching = [prefix for prefix in allowed_prefixes if number.startswith(prefix)]
    if not matching:
        allowed = ", ".join(allowed_prefixes)
        raise DestinationNotAllowed(f"{number} is outside the allowed destinations ({allowed})")
    if number.startswith("+1") and number[2:5] in NANP_HIGH_RISK_AREA_CODES:
        explicit = [prefix for prefix in matching if len(prefix) >= 5]  # "+1" plus the area code
        if not explicit:
            raise DestinationNotAllowed(
                f"{number} is in area code {number[2:5]}, outside the US and Canada or premium-rate; allow it "
                f"explicitly (e.g. +1{number[2:5]}) to call it"
            )


def entity_tag(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def not_modified(if_none_match: str | None, tag: str) -> bool:
    """RFC 9110 weak comparison of If-None-Match against the current tag."""
    if not if_none_match:
        return False
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    return "*" in candidates or tag in (candidate.removeprefix("W/") for candidate in candidates)
