"""What one SMA transaction remembers between invocations (its TransactionAttributes), as a typed value.

The SMA stores the map we return and sends it back on every later event of the transaction. Returning a
map replaces the stored one whole, so every change returns the complete set (`to_map`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from calls.record import Direction, EndReason


class Phase(StrEnum):
    """Where the phone leg is in its life, as far as the actions we returned go."""

    DIALING = "dialing"  # outbound: placed, not answered yet
    JOINING = "joining"  # JoinChimeMeeting returned (after the greeting, if any)
    IN_MEETING = "meeting"  # the phone leg is in the meeting
    LEAVING = "leaving"  # Hangup of the meeting leg returned; a goodbye or a transfer follows
    BRIDGING = "bridging"  # CallAndBridge returned
    BRIDGED = "bridged"  # the caller talks to the transfer target
    CLOSING = "closing"  # the final goodbye / Hangup returned


KEYS = {
    "call_id": "callId",
    "meeting_id": "meetingId",
    "direction": "direction",
    "phase": "phase",
    "join_token": "joinToken",
    "end_reason": "endReason",
    "transfer_to": "transferTo",
}


E = TypeVar("E", bound=StrEnum)


def _enum(kind: type[E], raw: str | None) -> E | None:
    if raw is None:
        return None
    try:
        return kind(raw)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class CallAttributes:
    call_id: str | None = None
    meeting_id: str | None = None
    direction: Direction | None = None
    phase: Phase | None = None
    join_token: str | None = None  # kept only until the leg is in the meeting
    end_reason: EndReason | None = None  # why we are leaving / closing
    transfer_to: str | None = None

    @classmethod
    def from_map(cls, attributes: Mapping[str, str]) -> CallAttributes:
        def text(name: str) -> str | None:
            value = attributes.get(KEYS[name])
            return value if value else None

        return cls(
            call_id=text("call_id"),
            meeting_id=text("meeting_id"),
            direction=_enum(Direction, text("direction")),
            phase=_enum(Phase, text("phase")),
            join_token=text("join_token"),
            end_reason=_enum(EndReason, text("end_reason")),
            transfer_to=text("transfer_to"),
        )

    def to_map(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for name, key in KEYS.items():
            value = getattr(self, name)
            if value is not None:
                values[key] = str(value)
        return values

    def replace(self, **changes: Any) -> CallAttributes:
        return dataclasses.replace(self, **changes)
