"""Runs the decisions against the edges: loads the call's state, applies record changes, deletes meetings."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from call_control import actions
from call_control.adapters import AwsFault, CallRecords, MeetingGateway
from call_control.attributes import CallAttributes
from call_control.cleanup import MeetingJanitor
from call_control.events import LEG_A, EventType, SmaEvent
from call_control.logic import dispatch, inbound, leaving, outbound
from call_control.logic.decision import CallState, Decision, MetricPoint, OnFault, RecordChange
from call_control.logic.metrics import change_metrics
from call_control.observability import logger
from call_control.settings import Settings
from calls.record import CallRecord, CallStatus, EndReason, phone_leg_user_id
from calls.store import TransitionRefused

# The SMA re-sends an event it has no answer for after about 5 s: leave room to answer before that.
RESPONSE_BUDGET_SECONDS = 4.0
MIN_SECONDS_FOR_AWS_CALL = 1.0
MAX_DECISIONS = 3  # a refused change re-decides with the fresh record; decisions converge in two


@dataclass(frozen=True, slots=True)
class Outcome:
    decision: Decision
    call_id: str | None
    metrics: tuple[MetricPoint, ...] = field(default=())


class Budget:
    def __init__(self, seconds: float) -> None:
        self._deadline = time.monotonic() + seconds

    def require(self, operation: str) -> None:
        """Refuse to start an AWS call that could not finish before the SMA gives up on us."""
        if self._deadline - time.monotonic() < MIN_SECONDS_FOR_AWS_CALL:
            raise AwsFault(operation, "Timeout", "no time left to answer the SMA")


class CallControl:
    def __init__(
        self,
        *,
        settings: Settings,
        records: CallRecords,
        meetings: MeetingGateway,
        clock: Callable[[], datetime],
        budget_seconds: float = RESPONSE_BUDGET_SECONDS,
    ) -> None:
        self._settings = settings
        self._records = records
        self._meetings = meetings
        self._clock = clock
        self._budget_seconds = budget_seconds
        self._janitor = MeetingJanitor(records, meetings)

    def handle(self, event: SmaEvent) -> Outcome:
        if event.kind is EventType.NEW_INBOUND_CALL:
            return self._new_inbound_call(event)
        return self._decide_and_apply(event)

    # -- new inbound calls: record, meeting, join --------------------------------------------------------

    def _new_inbound_call(self, event: SmaEvent) -> Outcome:
        settings = self._settings
        now = self._clock()
        budget = Budget(self._budget_seconds)
        call_id = event.transaction_id
        if event.caller is None:
            decision = Decision(
                actions=(actions.hangup(participant_tag=LEG_A),), problem="a new inbound call without LEG-A"
            )
            return Outcome(decision, call_id)
        setup = inbound.inbound_setup(event, settings, now)
        try:
            created = self._records.create(setup.record)
            existing = None if created else self._records.get(call_id)
        except AwsFault as error:  # nothing recorded, nothing created
            failed = (MetricPoint("CallsStarted", "Count", 1), MetricPoint("CallsFailed", "Count", 1))
            return Outcome(inbound.setup_failed(event, settings, str(error)), call_id, failed)
        started = (MetricPoint("CallsStarted", "Count", 1),) if created else ()
        if existing is not None and not existing.is_active:  # a retry of a call that already ended
            return Outcome(inbound.setup_failed(event, settings, "the call had already ended"), call_id)
        try:
            budget.require("CreateMeetingWithAttendees")
            meeting = self._meetings.create_for_caller(setup.meeting)
        except AwsFault as error:
            ended = self._end_quietly(event, call_id, str(error), now)
            return Outcome(inbound.setup_failed(event, settings, str(error)), call_id, started + ended)
        recorded = RecordChange(
            to=CallStatus.CONNECTING,
            from_statuses=frozenset({CallStatus.CONNECTING}),
            set_fields={"meeting_id": meeting.meeting_id, "caller_attendee_id": meeting.attendee_id},
        )
        try:
            budget.require("UpdateItem")
            self._records.apply(call_id, recorded, now=now)
        except TransitionRefused as refused:
            current = refused.current
            if current is None or not current.is_active:  # the caller hung up while we set up
                self._janitor.delete(meeting.meeting_id)
                return Outcome(
                    inbound.setup_failed(event, settings, "the call ended during setup"), call_id, started
                )
            # Already past CONNECTING: a retry of an event we answered before; answer the same.
        except AwsFault as error:
            self._janitor.delete(meeting.meeting_id)  # nobody could find it otherwise
            ended = self._end_quietly(event, call_id, str(error), now)
            return Outcome(inbound.setup_failed(event, settings, str(error)), call_id, started + ended)
        return Outcome(inbound.join_inbound(event, settings, meeting), call_id, started)

    def _end_quietly(
        self, event: SmaEvent, call_id: str, error: str, now: datetime
    ) -> tuple[MetricPoint, ...]:
        """Record a setup failure if the table lets us; the caller hears the apology either way."""
        change = leaving.end_change(EndReason.ERROR, now, error)
        try:
            after = self._records.apply(call_id, change, now=now)
        except (AwsFault, TransitionRefused) as failure:
            logger.warning("could not record the failed call", extra={"reason": str(failure)})
            return ()
        return change_metrics(event, change, after, now)

    # -- every other event ------------------------------------------------------------------------------

    def _decide_and_apply(self, event: SmaEvent) -> Outcome:
        settings = self._settings
        now = self._clock()
        attributes = CallAttributes.from_map(event.attributes)
        call_id = dispatch.record_id(event, attributes)
        record: CallRecord | None = None
        unreadable: AwsFault | None = None
        if event.kind is not EventType.NEW_OUTBOUND_CALL:
            try:
                if call_id is not None:
                    record = self._records.get(call_id)
                else:
                    call_id, record, attributes = self._recover_outbound(event, attributes)
            except AwsFault as error:
                unreadable = error
                logger.error("could not read the call record", extra={"reason": str(error)})
        state = CallState(attributes, record, now)
        decision = dispatch.decide(event, state, settings)
        applied: CallRecord | None = None
        change: RecordChange | None = None
        for attempt in range(MAX_DECISIONS):
            change = decision.change
            if change is None or call_id is None:
                break
            if unreadable is not None:
                decision = self._after_fault(event, state, decision, unreadable)
                break
            try:
                applied = self._records.apply(call_id, change, now=now)
                break
            except TransitionRefused as refused:
                record = refused.current
                state = CallState(attributes, record, now)
                decision = dispatch.decide(event, state, settings)
                if attempt == MAX_DECISIONS - 2 and decision.change is not None:
                    logger.warning("decisions did not settle; answering without a record change")
                    decision = dataclasses.replace(decision, change=None)
            except AwsFault as error:
                decision = self._after_fault(event, state, decision, error)
                break
        points = decision.metrics
        if applied is not None and change is not None:
            points += change_metrics(event, change, applied, now)
        if decision.delete_meeting:
            self._janitor.clean_up(call_id, applied or record, attributes.meeting_id, now)
        return Outcome(decision, call_id, points)

    def _recover_outbound(
        self, event: SmaEvent, attributes: CallAttributes
    ) -> tuple[str | None, CallRecord | None, CallAttributes]:
        """An outbound call whose attributes did not stick: find it by TransactionId, rebuild them.

        The SMA ignores what we answer to NEW_OUTBOUND_CALL, so the first answer that can set attributes
        is CALL_ANSWERED's; until then (and if they are lost) the record says which call this is. On
        CALL_ANSWERED the phone leg's join token comes from CreateAttendee with the leg's ExternalUserId,
        which returns the attendee the meeting API created.
        """
        record = self._records.find_by_transaction(event.transaction_id)
        if record is None:
            logger.warning("no call has this transaction yet", extra={"transaction_id": event.transaction_id})
            return None, None, attributes
        attributes = outbound.recovered_attributes(attributes, record)
        logger.info("recovered an outbound call from its record", extra={"call_id": record.call_id})
        if (
            event.kind is EventType.CALL_ANSWERED
            and not attributes.join_token
            and attributes.meeting_id
            and record.is_active
        ):
            try:
                Budget(self._budget_seconds).require("CreateAttendee")
                token = self._meetings.phone_leg_join_token(
                    attributes.meeting_id, phone_leg_user_id(record.call_id)
                )
            except AwsFault as error:  # no token: the decision ends the call and deletes its meeting
                logger.error("could not get the phone leg's join token", extra={"reason": str(error)})
                token = None
            attributes = attributes.replace(join_token=token)
        return record.call_id, record, attributes

    def _after_fault(
        self, event: SmaEvent, state: CallState, decision: Decision, error: AwsFault
    ) -> Decision:
        problem = f"could not update the call record: {error}"
        match decision.on_fault:
            case OnFault.PROCEED:
                return dataclasses.replace(decision, change=None, problem=problem)
            case OnFault.IGNORE:
                return Decision(
                    note=f"ignored ({decision.note}) because the record could not be updated", problem=problem
                )
            case OnFault.APOLOGISE:
                return leaving.end_call(
                    event,
                    state,
                    self._settings,
                    EndReason.ERROR,
                    change=None,
                    note="apologising",
                    problem=problem,
                )
