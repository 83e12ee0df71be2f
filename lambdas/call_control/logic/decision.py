"""The shared types of the call decisions: what a decision asks for, and the state it is made in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from call_control.actions import Action
from call_control.attributes import CallAttributes
from calls.record import CallRecord, CallStatus


class OnFault(StrEnum):
    """What the call gets when the decision's record change fails for a reason other than its condition."""

    PROCEED = "proceed"  # the actions stand (hanging up, recording a ring)
    APOLOGISE = "apologise"  # the caller hears the apology and the call ends
    IGNORE = "ignore"  # nothing happens; whoever asked may ask again (timeouts, transfers)


@dataclass(frozen=True, slots=True)
class RecordChange:
    """A conditional status change of the call record: applied only if the call is in `from_statuses`."""

    to: CallStatus
    from_statuses: frozenset[CallStatus]
    set_fields: Mapping[str, str | None]
    answered_by_absent: bool = False


@dataclass(frozen=True, slots=True)
class MetricPoint:
    name: str
    unit: str  # "Count" | "Milliseconds" | "Seconds"
    value: float


@dataclass(frozen=True, slots=True)
class Decision:
    actions: tuple[Action, ...] = ()
    attributes: CallAttributes | None = None  # None keeps the stored TransactionAttributes
    change: RecordChange | None = None
    on_fault: OnFault = OnFault.PROCEED
    delete_meeting: bool = False  # claim and delete the call's meeting (once) after the change
    metrics: tuple[MetricPoint, ...] = ()
    setup: InboundSetup | None = None  # steps to run first (a new caller); `inbound.after_setup` goes on
    store: CallRecord | None = None  # store this record unless the call has one (a setup that failed)
    note: str = ""  # why, for the log
    problem: str | None = None  # something went wrong that an operator should see


@dataclass(frozen=True, slots=True)
class CallState:
    attributes: CallAttributes
    record: CallRecord | None  # None: no record for this call (or it could not be read)
    now: datetime


@dataclass(frozen=True, slots=True)
class MeetingRequest:
    request_token: str
    external_meeting_id: str
    caller_user_id: str


@dataclass(frozen=True, slots=True)
class CallerMeeting:
    meeting_id: str
    attendee_id: str
    join_token: str


@dataclass(frozen=True, slots=True)
class InboundSetup:
    """A new caller's two steps, in this order: create the meeting (idempotent by its request token, so a
    retried event gets the same meeting and attendee), then store the whole record with it in one
    conditional put (a retry that finds it stored reads it instead)."""

    record: CallRecord  # the record to store, but for its meeting: `record_with` adds that
    meeting: MeetingRequest

    def record_with(self, meeting: CallerMeeting) -> CallRecord:
        return self.record.replace(meeting_id=meeting.meeting_id, caller_attendee_id=meeting.attendee_id)


@dataclass(frozen=True, slots=True)
class SetupResult:
    """How far the setup steps got. `stored` is the record as it is in the table (this attempt's or an
    earlier one's), None when it could not be stored or read; `error` is the fault that stopped them."""

    meeting: CallerMeeting | None = None
    stored: CallRecord | None = None
    created: bool = False  # this attempt stored the record (not a retry)
    error: str | None = None
