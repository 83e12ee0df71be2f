"""Runs the decisions against the edges: loads the call's state, runs the steps a decision names (a new
caller's meeting and record), applies record changes, deletes meetings. The decisions are in `logic/`."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from call_control.adapters import CallRecords, MeetingGateway
from call_control.attributes import CallAttributes
from call_control.cleanup import MeetingJanitor
from call_control.events import SmaEvent
from call_control.logic import dispatch, failures, inbound, outbound
from call_control.logic.decision import (
    CallState,
    Decision,
    InboundSetup,
    MetricPoint,
    RecordChange,
    SetupResult,
)
from call_control.logic.metrics import change_metrics
from call_control.observability import logger
from call_control.settings import Settings
from calls.faults import TIMEOUT, AwsFault, FaultKind
from calls.record import CallRecord, phone_leg_user_id
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
            message = f"no time left for {operation} before the SMA gives up"
            raise AwsFault("call control", operation, TIMEOUT, kind=FaultKind.TRANSIENT, message=message)


@dataclass(kw_only=True)
class CallControl:
    """Runs each SMA event's decision against the edges runtime.py gives it."""

    settings: Settings
    records: CallRecords
    meetings: MeetingGateway
    clock: Callable[[], datetime]
    budget_seconds: float = RESPONSE_BUDGET_SECONDS
    _janitor: MeetingJanitor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._janitor = MeetingJanitor(self.records, self.meetings)

    def handle(self, event: SmaEvent) -> Outcome:
        settings = self.settings
        now = self.clock()
        attributes = CallAttributes.from_map(event.attributes)
        call_id = dispatch.record_id(event, attributes)
        record: CallRecord | None = None
        unreadable: AwsFault | None = None
        if dispatch.reads_record(event):
            try:
                if call_id is not None:
                    record = self.records.get(call_id)
                else:
                    call_id, record, attributes = self._recover_outbound(event, attributes)
            except AwsFault as error:
                unreadable = error
                logger.error("could not read the call record", extra={"reason": str(error)})
        state = CallState(attributes, record, now)
        decision = dispatch.decide(event, state, settings)
        if decision.setup is not None:
            result = self._set_up(decision.setup)
            record = result.stored
            decision = inbound.after_setup(event, settings, now, decision.setup, result)
        if decision.store is not None:
            self._store(decision.store)
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
                applied = self.records.apply(call_id, change, now=now)
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
            remembered = attributes.meeting_id or (decision.attributes or attributes).meeting_id
            self._janitor.clean_up(call_id, applied or record, remembered, now)
        return Outcome(decision, call_id, points)

    # -- the steps a decision names ---------------------------------------------------------------------

    def _set_up(self, setup: InboundSetup) -> SetupResult:
        """A new caller's meeting, then its whole record in one conditional put (read back if it exists)."""
        budget = Budget(self.budget_seconds)
        try:
            budget.require("CreateMeetingWithAttendees")
            meeting = self.meetings.create_for_caller(setup.meeting)
        except AwsFault as error:
            return SetupResult(error=str(error))
        record = setup.record_with(meeting)
        try:
            budget.require("PutItem")
            if self.records.create(record):
                return SetupResult(meeting, record, created=True)
            return SetupResult(meeting, self.records.get(record.call_id))
        except AwsFault as error:
            return SetupResult(meeting, error=str(error))

    def _store(self, record: CallRecord) -> None:
        try:
            self.records.create(record)
        except AwsFault as error:
            logger.warning("could not record the failed call", extra={"reason": str(error)})

    def _recover_outbound(
        self, event: SmaEvent, attributes: CallAttributes
    ) -> tuple[str | None, CallRecord | None, CallAttributes]:
        """An outbound call whose attributes did not stick: find it by TransactionId, rebuild them.

        The SMA ignores what we answer to NEW_OUTBOUND_CALL, so the first answer that can set attributes
        is CALL_ANSWERED's; until then (and if they are lost) the record says which call this is. On
        CALL_ANSWERED the phone leg's join token comes from CreateAttendee with the leg's ExternalUserId,
        which returns the attendee the meeting API created.
        """
        record = self.records.find_by_transaction(event.transaction_id)
        if record is None:
            logger.warning("no call has this transaction yet", extra={"transaction_id": event.transaction_id})
            return None, None, attributes
        attributes = outbound.recovered_attributes(attributes, record)
        logger.info("recovered an outbound call from its record", extra={"call_id": record.call_id})
        meeting_id = outbound.phone_leg_token_wanted(event, attributes, record)
        if meeting_id is not None:
            try:
                Budget(self.budget_seconds).require("CreateAttendee")
                token = self.meetings.phone_leg_join_token(meeting_id, phone_leg_user_id(record.call_id))
            except AwsFault as error:  # no token: the decision ends the call and deletes its meeting
                logger.error("could not get the phone leg's join token", extra={"reason": str(error)})
                token = None
            attributes = attributes.replace(join_token=token)
        return record.call_id, record, attributes

    def _after_fault(
        self, event: SmaEvent, state: CallState, decision: Decision, error: AwsFault
    ) -> Decision:
        problem = f"could not update the call record: {error}"
        return failures.after_record_fault(event, state, self.settings, decision, problem)
