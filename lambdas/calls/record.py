"""The call record and its state machine: the one source of truth both Lambdas share."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class CallStatus(StrEnum):
    CONNECTING = "connecting"  # inbound: recorded, the caller is being put into the meeting
    RINGING = "ringing"  # inbound: the caller waits in the meeting for an agent; outbound: far end rings
    DIALING = "dialing"  # outbound: the call was placed, the far end has not rung yet
    IN_PROGRESS = "in_progress"  # an agent is on the call
    TRANSFERRING = "transferring"  # the caller is bridged to a human's phone, out of the meeting
    ENDED = "ended"


class EndReason(StrEnum):
    CALLER_HUNG_UP = "caller_hung_up"
    AGENT_HUNG_UP = "agent_hung_up"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    TIMEOUT = "timeout"
    TRANSFERRED = "transferred"
    ERROR = "error"


ACTIVE_STATUSES = frozenset(CallStatus) - {CallStatus.ENDED}

# Which status may follow which. ENDED is final: a late or repeated event never reopens a call.
TRANSITIONS: dict[CallStatus, frozenset[CallStatus]] = {
    CallStatus.CONNECTING: frozenset({CallStatus.RINGING, CallStatus.ENDED}),
    CallStatus.DIALING: frozenset({CallStatus.RINGING, CallStatus.IN_PROGRESS, CallStatus.ENDED}),
    CallStatus.RINGING: frozenset({CallStatus.IN_PROGRESS, CallStatus.TRANSFERRING, CallStatus.ENDED}),
    CallStatus.IN_PROGRESS: frozenset({CallStatus.RINGING, CallStatus.TRANSFERRING, CallStatus.ENDED}),
    CallStatus.TRANSFERRING: frozenset({CallStatus.ENDED}),
    CallStatus.ENDED: frozenset(),
}


def statuses_leading_to(target: CallStatus) -> frozenset[CallStatus]:
    """The statuses from which `target` may be reached: the condition of a conditional write."""
    return frozenset(source for source, targets in TRANSITIONS.items() if target in targets)


DEFAULT_RETENTION = timedelta(days=90)


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and a Z: sorts as text, which the list index relies on."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def phone_leg_user_id(call_id: str) -> str:
    """The ExternalUserId of an outbound call's phone-leg attendee: the meeting API creates it, and the SMA
    Lambda asks for it again (ExternalUserId is CreateAttendee's idempotency token) when it needs the
    leg's join token and the transaction attributes did not keep it."""
    return f"phone-{call_id}"


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One phone call, inbound or outbound, from the first event to its end."""

    call_id: str
    direction: Direction
    from_number: str
    to_number: str
    status: CallStatus
    created_at: str
    updated_at: str
    expires_at: int
    transaction_id: str | None = None
    meeting_id: str | None = None
    caller_attendee_id: str | None = None
    # The agent holding the call: their Cognito `sub` (records stored before agents were keyed by sub
    # hold an e-mail here). Compared, never shown; `answered_by_email` is what agents see.
    answered_by: str | None = None
    answered_by_email: str | None = None
    answered_at: str | None = None
    ended_at: str | None = None
    end_reason: EndReason | None = None
    error: str | None = None
    transfer_to: str | None = None
    placed_by: str | None = None
    # The answering agent's attendee in the meeting: deleted when the agent leaves or rejoins, so an
    # old join token cannot be used to listen in.
    agent_attendee_id: str | None = None
    # When the phone leg joined the meeting (a call that ends without it never reached the meeting).
    joined_at: str | None = None
    # Set when the meeting's deletion is claimed, so only one of HANGUP / retries / the sweeper deletes it.
    meeting_ended_at: str | None = None

    @classmethod
    def new(
        cls,
        *,
        call_id: str,
        direction: Direction,
        from_number: str,
        to_number: str,
        status: CallStatus,
        now: datetime,
        retention: timedelta = DEFAULT_RETENTION,
        **fields: Any,
    ) -> CallRecord:
        stamp = iso(now)
        return cls(
            call_id=call_id,
            direction=direction,
            from_number=from_number,
            to_number=to_number,
            status=status,
            created_at=stamp,
            updated_at=stamp,
            expires_at=int((now + retention).timestamp()),
            **fields,
        )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def answerer_email(self) -> str | None:
        """Who holds the call, as agents know each other: the e-mail beside the sub, or the e-mail an older
        record was keyed by (a sub never contains '@')."""
        if self.answered_by_email:
            return self.answered_by_email
        return self.answered_by if self.answered_by and "@" in self.answered_by else None

    def duration_seconds(self) -> float | None:
        if self.ended_at is None:
            return None
        return (parse_iso(self.ended_at) - parse_iso(self.created_at)).total_seconds()

    def to_view(self) -> dict[str, Any]:
        """The JSON shape agents see (camelCase); internal fields such as the transaction id stay out."""
        return {
            "id": self.call_id,
            "direction": self.direction.value,
            "from": self.from_number,
            "to": self.to_number,
            "status": self.status.value,
            "meetingId": self.meeting_id,
            "answeredBy": self.answered_by,
            "answeredByEmail": self.answerer_email,
            "createdAt": self.created_at,
            "answeredAt": self.answered_at,
            "endedAt": self.ended_at,
            "endReason": self.end_reason.value if self.end_reason else None,
            "updatedAt": self.updated_at,
        }

    def replace(self, **changes: Any) -> CallRecord:
        return dataclasses.replace(self, **changes)
