"""What agents do to calls and meetings, in an order that leaves no half state when a step fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from calls.chime import ChimeMeetings, SmaCalls
from calls.contracts import hangup_request, outbound_arguments, transfer_request
from calls.faults import OUTCOME_UNKNOWN, AwsFault, FaultKind
from calls.phone_numbers import DialPolicy
from calls.record import CallRecord, CallStatus, Direction, EndReason, iso, phone_leg_user_id
from calls.store import CallNotFound, CallPage, CallStore, InvalidCursor, TransitionRefused
from meeting_api.agents import Agent
from meeting_api.errors import (
    CallNotActive,
    CallNotHeld,
    CallNotRinging,
    InvalidRequest,
    MeetingNotFound,
    MeetingNotOwned,
)
from meeting_api.observability import logger
from meeting_api.policy import AnswerPlan, check_destination, check_leave, control_transaction, plan_answer
from meeting_api.rate_limit import OutboundRateLimiter

_RELEASED = {"answered_by": None, "answered_by_email": None, "answered_at": None, "agent_attendee_id": None}


@dataclass(frozen=True, slots=True)
class Joined:
    call: CallRecord
    meeting: dict[str, Any]
    attendee: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MeetingAccess:
    meeting: dict[str, Any]
    attendee: dict[str, Any]


@dataclass(kw_only=True)  # not frozen: tests replace a method on the live desk
class CallDesk:
    """The agents' operations on calls and meetings, over the edges and clocks runtime.py gives it."""

    store: CallStore
    meetings: ChimeMeetings
    calls: SmaCalls
    limiter: OutboundRateLimiter
    our_number: Callable[[], str]  # read when an outbound call needs it (it may live in SSM)
    dial_policy: DialPolicy
    retention: timedelta
    clock: Callable[[], datetime]
    new_id: Callable[[], str]
    nonce: Callable[[], str]

    # Reading

    def list_calls(self, *, limit: int, cursor: str | None) -> CallPage:
        try:
            return self.store.list_recent(limit=limit, cursor=cursor)
        except InvalidCursor as error:
            raise InvalidRequest(f"cursor: {error}") from None

    def get_call(self, call_id: str) -> CallRecord:
        return self.store.require(call_id)

    # Inbound: answer and leave

    def answer(self, call_id: str, agent: Agent) -> Joined:
        """Claim a ringing call (or rejoin one the agent holds) and add the agent to its meeting."""
        call = self.store.require(call_id)
        plan = plan_answer(call, agent)
        meeting = self._meeting_of(call)  # read before writing: a gone meeting changes nothing
        if plan is AnswerPlan.CLAIM:
            call, plan = self._claim(call, agent)
        try:
            attendee = self.meetings.add_attendee(
                meeting["MeetingId"], agent.attendee_external_user_id(self.nonce())
            )
        except AwsFault as fault:
            if plan is AnswerPlan.CLAIM:
                self._release(call, agent)
            if fault.kind is FaultKind.NOT_FOUND:
                raise CallNotRinging(f"call {call_id}'s meeting has ended") from None
            raise
        attendee_id = attendee["AttendeeId"]
        try:
            call, previous = self.store.hand_agent_attendee(
                call_id, agent=agent.id, attendee_id=attendee_id, now=self.clock()
            )
        except TransitionRefused as refused:  # the agent left (another tab) or the call ended meanwhile
            self._revoke_attendee(meeting["MeetingId"], attendee_id, call_id)
            plan_answer(self._current(refused), agent)  # raises the reason when there is a clear one
            raise CallNotRinging(f"call {call_id} changed while answering it; reload and retry") from None
        except AwsFault:  # nothing may stay held by an attendee no record knows of
            self._revoke_attendee(meeting["MeetingId"], attendee_id, call_id)
            if plan is AnswerPlan.CLAIM:
                self._release(call, agent)
            raise
        if previous and previous != attendee_id:
            self._revoke_attendee(meeting["MeetingId"], previous, call_id)
        return Joined(call=call, meeting=meeting, attendee=attendee)

    def _revoke_attendee(self, meeting_id: str, attendee_id: str, call_id: str) -> None:
        """Best effort: that attendee's join token stops working; failing that must not fail the request."""
        try:
            self.meetings.remove_attendee(meeting_id, attendee_id)
        except AwsFault:
            logger.warning(
                "could not remove the agent's previous attendee",
                extra={"call_id": call_id, "attendee_id": attendee_id},
            )

    def leave(self, call_id: str, agent: Agent) -> CallRecord:
        """Put an inbound call back to ringing for other agents, without hanging up on the caller."""
        call = self.store.require(call_id)
        check_leave(call, agent)
        try:
            released = self.store.transition(
                call_id,
                CallStatus.RINGING,
                now=self.clock(),
                from_statuses=[CallStatus.IN_PROGRESS],
                answered_by=agent.id,
                set_fields=_RELEASED,
            )
        except TransitionRefused as refused:
            check_leave(self._current(refused), agent)
            raise CallNotHeld(f"call {call_id} changed while leaving it; reload and retry") from None
        if call.agent_attendee_id and call.meeting_id:
            self._revoke_attendee(call.meeting_id, call.agent_attendee_id, call_id)
        return released

    # Outbound

    def place_call(self, to_number: str, agent: Agent) -> Joined:
        """Meeting first, record second, dial last; undo what exists if a later step fails."""
        check_destination(to_number, self.dial_policy)
        our_number = self.our_number()  # before anything is spent or created: if it fails, nothing is lost
        self.limiter.consume(agent, now=self.clock())
        call_id = self.new_id()
        meeting, (phone_leg, attendee) = self.meetings.create_meeting(
            request_token=call_id,
            external_meeting_id=f"call-{call_id}",
            external_user_ids=[phone_leg_user_id(call_id), agent.attendee_external_user_id(self.nonce())],
        )
        meeting_id = meeting["MeetingId"]
        record = CallRecord.new(
            call_id=call_id,
            direction=Direction.OUTBOUND,
            from_number=our_number,
            to_number=to_number,
            status=CallStatus.DIALING,
            now=self.clock(),
            retention=self.retention,
            meeting_id=meeting_id,
            caller_attendee_id=phone_leg["AttendeeId"],
            answered_by=agent.id,
            answered_by_email=agent.email,
            placed_by=agent.id,
            agent_attendee_id=attendee["AttendeeId"],
        )
        try:
            self.store.create(record)
        except AwsFault:
            self._end_meeting_quietly(meeting_id)
            raise
        try:
            transaction_id = self.calls.place_call(
                from_number=our_number,
                to_number=to_number,
                arguments=outbound_arguments(
                    call_id=call_id, meeting_id=meeting_id, join_token=phone_leg["JoinToken"]
                ),
            )
        except AwsFault as failure:
            if failure.code == OUTCOME_UNKNOWN:
                # The SMA may be dialling: keep the call and its meeting. If it rings, the SMA Lambda records
                # the transaction on NEW_OUTBOUND_CALL; if it never does, the sweeper ends it as stuck.
                logger.warning("the dial's answer never came; keeping the call", extra={"call_id": call_id})
                return Joined(call=record, meeting=meeting, attendee=attendee)
            self._end_meeting_quietly(meeting_id)
            self._mark_failed(call_id, failure.message)
            raise
        return Joined(
            call=self._remember_transaction(record, transaction_id), meeting=meeting, attendee=attendee
        )

    # Control through the SMA Lambda: it performs the action and updates the record

    def hang_up(self, call_id: str, agent: Agent) -> CallRecord:
        call = self.store.require(call_id)
        self._request_update(call, control_transaction(call, agent, transferring=False), hangup_request())
        return call

    def transfer(self, call_id: str, to_number: str, agent: Agent) -> CallRecord:
        call = self.store.require(call_id)
        check_destination(to_number, self.dial_policy)
        transaction_id = control_transaction(call, agent, transferring=True)
        # A transfer dials a paid outbound leg: it counts against the agent's hourly cap like a call.
        self.limiter.consume(agent, now=self.clock())
        self._request_update(call, transaction_id, transfer_request(to_number))
        return call

    # Test meetings: the agent alone, to try the audio bridge without a call

    def start_test_meeting(self, agent: Agent) -> MeetingAccess:
        meeting, (attendee,) = self.meetings.create_meeting(
            request_token=self.new_id(),
            external_meeting_id=agent.test_meeting_external_id(self.nonce()),
            external_user_ids=[agent.attendee_external_user_id(self.nonce())],
        )
        return MeetingAccess(meeting=meeting, attendee=attendee)

    def end_test_meeting(self, meeting_id: str, agent: Agent) -> None:
        try:
            meeting = self.meetings.get_meeting(meeting_id)
        except AwsFault as fault:
            if fault.kind is FaultKind.NOT_FOUND:
                raise MeetingNotFound(f"meeting {meeting_id} does not exist or has ended") from None
            raise
        if not agent.owns_test_meeting(meeting.get("ExternalMeetingId")):
            raise MeetingNotOwned(f"meeting {meeting_id} is not one of your test meetings")
        if not self.meetings.delete_meeting(meeting_id):
            raise MeetingNotFound(f"meeting {meeting_id} does not exist or has ended")

    # Steps

    def _meeting_of(self, call: CallRecord) -> dict[str, Any]:
        try:
            return self.meetings.get_meeting(str(call.meeting_id))
        except AwsFault as fault:
            if fault.kind is FaultKind.NOT_FOUND:
                raise CallNotRinging(f"call {call.call_id}'s meeting has ended") from None
            raise

    def _claim(self, call: CallRecord, agent: Agent) -> tuple[CallRecord, AnswerPlan]:
        now = self.clock()
        try:
            claimed = self.store.transition(
                call.call_id,
                CallStatus.IN_PROGRESS,
                now=now,
                from_statuses=[CallStatus.RINGING],
                answered_by_absent=True,
                set_fields={
                    "answered_by": agent.id,
                    "answered_by_email": agent.email,
                    "answered_at": iso(now),
                },
            )
        except TransitionRefused as refused:
            current = self._current(refused)
            if plan_answer(current, agent) is AnswerPlan.REJOIN:  # our own retry won the race
                return current, AnswerPlan.REJOIN
            raise CallNotRinging(
                f"call {call.call_id} changed while answering it; reload and retry"
            ) from None
        return claimed, AnswerPlan.CLAIM

    def _release(self, call: CallRecord, agent: Agent) -> None:
        try:
            self.store.transition(
                call.call_id,
                CallStatus.RINGING,
                now=self.clock(),
                from_statuses=[CallStatus.IN_PROGRESS],
                answered_by=agent.id,
                set_fields=_RELEASED,
            )
        except (TransitionRefused, AwsFault):
            logger.exception("could not release the claim on a call", extra={"call_id": call.call_id})

    def _request_update(self, call: CallRecord, transaction_id: str, arguments: dict[str, str]) -> None:
        if not self.calls.request_update(transaction_id, arguments):
            raise CallNotActive(f"call {call.call_id} has already ended")

    def _remember_transaction(self, record: CallRecord, transaction_id: str) -> CallRecord:
        """Store the TransactionId: the SMA Lambda finds an outbound call by it when the SMA did not keep
        the call's attributes (it also records it itself, on NEW_OUTBOUND_CALL and when the far end rings).
        """
        try:
            return self.store.update_fields(
                record.call_id, now=self.clock(), set_fields={"transaction_id": transaction_id}
            )
        except (CallNotFound, AwsFault):
            pass
        logger.error(
            "placed a call but could not store its transaction id",
            extra={"call_id": record.call_id, "transaction_id": transaction_id},
        )
        return record.replace(transaction_id=transaction_id)

    def _mark_failed(self, call_id: str, reason: str) -> None:
        now = self.clock()
        try:
            self.store.transition(
                call_id,
                CallStatus.ENDED,
                now=now,
                set_fields={"end_reason": EndReason.FAILED.value, "ended_at": iso(now), "error": reason},
            )
        except (TransitionRefused, AwsFault):
            logger.exception("could not mark a failed outbound call ended", extra={"call_id": call_id})

    def _end_meeting_quietly(self, meeting_id: str) -> None:
        try:
            self.meetings.delete_meeting(meeting_id)
        except AwsFault:
            logger.exception(
                "could not delete the meeting of a failed call", extra={"meeting_id": meeting_id}
            )

    def _current(self, refused: TransitionRefused) -> CallRecord:
        if refused.current is None:
            raise CallNotFound(refused.call_id)
        return refused.current
