"""The SIP media application's invocation events, typed: unknown fields ignored, truncated events refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

LEG_A = "LEG-A"
LEG_B = "LEG-B"


class EventType(StrEnum):
    NEW_INBOUND_CALL = "NEW_INBOUND_CALL"
    NEW_OUTBOUND_CALL = "NEW_OUTBOUND_CALL"
    RINGING = "RINGING"
    CALL_ANSWERED = "CALL_ANSWERED"
    ACTION_SUCCESSFUL = "ACTION_SUCCESSFUL"
    ACTION_FAILED = "ACTION_FAILED"
    ACTION_INTERRUPTED = "ACTION_INTERRUPTED"
    HANGUP = "HANGUP"
    CALL_UPDATE_REQUESTED = "CALL_UPDATE_REQUESTED"
    DIGITS_RECEIVED = "DIGITS_RECEIVED"
    INVALID_LAMBDA_RESPONSE = "INVALID_LAMBDA_RESPONSE"


_EVENT_TYPES = {kind.value: kind for kind in EventType}


class MalformedEvent(ValueError):
    """The event cannot be trusted; what could still be read is kept for a polite goodbye."""

    def __init__(
        self,
        reason: str,
        *,
        transaction_id: str | None = None,
        caller_call_id: str | None = None,
        caller_connected: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transaction_id = transaction_id
        self.caller_call_id = caller_call_id
        self.caller_connected = caller_connected


class _Unreadable(Exception):
    """A field the flows need is missing or of the wrong type (becomes MalformedEvent)."""


def normalize_tag(tag: str) -> str:
    # The developer guide's own HANGUP example writes "Leg-B"; tags are compared case-insensitively.
    return tag.strip().upper()


@dataclass(frozen=True, slots=True)
class Participant:
    call_id: str
    tag: str
    to_number: str | None = None
    from_number: str | None = None
    direction: str | None = None
    status: str | None = None
    start_ms: int | None = None

    @property
    def connected(self) -> bool:
        return (self.status or "").lower() == "connected"

    @property
    def present(self) -> bool:
        """Connected, or not reporting a status yet (an outbound leg before it answers)."""
        return self.status is None or self.connected


@dataclass(frozen=True, slots=True)
class ActionData:
    """The action an event reports on (or the CallUpdateRequest / Hangup pseudo-actions)."""

    type: str | None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    error_type: str | None = None
    error_message: str | None = None


@dataclass(frozen=True, slots=True)
class SmaEvent:
    event_type: str
    kind: EventType | None  # None: a type this code does not know
    transaction_id: str
    sequence: int | None
    participants: tuple[Participant, ...]
    attributes: Mapping[str, str]
    action: ActionData | None = None
    sma_id: str | None = None
    region: str | None = None
    error_type: str | None = None  # INVALID_LAMBDA_RESPONSE puts these at the top level
    error_message: str | None = None

    def leg(self, tag: str) -> Participant | None:
        return next((leg for leg in self.participants if leg.tag == tag), None)

    @property
    def caller(self) -> Participant | None:
        """LEG-A: the phone party (the caller inbound, the callee outbound)."""
        return self.leg(LEG_A)

    @property
    def meeting_leg(self) -> Participant | None:
        return self.leg(LEG_B)

    def other_connected_legs(self, call_id: str | None) -> tuple[Participant, ...]:
        return tuple(leg for leg in self.participants if leg.connected and leg.call_id != call_id)

    @property
    def arguments(self) -> dict[str, str]:
        """ActionData.Parameters.Arguments: CALL_UPDATE_REQUESTED and NEW_OUTBOUND_CALL (the ArgumentsMap)."""
        if self.action is None:
            return {}
        raw = self.action.parameters.get("Arguments")
        if not isinstance(raw, Mapping):
            return {}
        return {str(key): value for key, value in raw.items() if isinstance(value, str)}

    @property
    def action_type(self) -> str | None:
        return self.action.type if self.action else None

    @property
    def action_call_id(self) -> str | None:
        value = self.action.parameters.get("CallId") if self.action else None
        return value if isinstance(value, str) else None

    @property
    def action_tag(self) -> str | None:
        value = self.action.parameters.get("ParticipantTag") if self.action else None
        return normalize_tag(value) if isinstance(value, str) else None

    def hung_up_leg(self) -> Participant | None:
        """The leg a HANGUP event reports on: by CallId, else by tag, else the only disconnected leg."""
        call_id = self.action_call_id
        if call_id is not None:
            found = next((leg for leg in self.participants if leg.call_id == call_id), None)
            if found is not None:
                return found
        tag = self.action_tag
        if tag is not None and self.leg(tag) is not None:
            return self.leg(tag)
        disconnected = [leg for leg in self.participants if not leg.connected]
        return disconnected[0] if len(disconnected) == 1 else None

    @property
    def sip_response_code(self) -> int | None:
        raw = self.action.parameters.get("SipResponseCode") if self.action else None
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str) and raw.strip().isdigit():
            return int(raw.strip())
        return None


def _optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _start_ms(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.isdigit():
        return int(raw)
    return None


def _participant(raw: Any, index: int) -> Participant:
    if not isinstance(raw, Mapping):
        raise _Unreadable(f"CallDetails.Participants[{index}] is not an object")
    call_id = raw.get("CallId")
    tag = raw.get("ParticipantTag")
    if not isinstance(call_id, str) or not call_id:
        raise _Unreadable(f"CallDetails.Participants[{index}].CallId is missing")
    if not isinstance(tag, str) or not tag.strip():
        raise _Unreadable(f"CallDetails.Participants[{index}].ParticipantTag is missing")
    return Participant(
        call_id=call_id,
        tag=normalize_tag(tag),
        to_number=_optional_str(raw, "To"),
        from_number=_optional_str(raw, "From"),
        direction=_optional_str(raw, "Direction"),
        status=_optional_str(raw, "Status"),
        start_ms=_start_ms(raw.get("StartTimeInMilliseconds")),
    )


def _action_data(raw: Any) -> ActionData | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise _Unreadable("ActionData is not an object")
    parameters = raw.get("Parameters", {})
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, Mapping):
        raise _Unreadable("ActionData.Parameters is not an object")
    error_type = _optional_str(raw, "ErrorType")
    error_message = _optional_str(raw, "ErrorMessage")
    legacy = _optional_str(raw, "Error")  # JoinChimeMeeting's documented failure writes "Code: message"
    if error_type is None and legacy is not None:
        code, _, message = legacy.partition(":")
        error_type, error_message = code.strip() or None, (message.strip() or error_message)
    action_type = raw.get("Type")
    return ActionData(
        type=action_type if isinstance(action_type, str) else None,
        parameters=dict(parameters),
        error_type=error_type,
        error_message=error_message,
    )


def salvage(raw: Mapping[str, Any]) -> dict[str, Any]:
    """What can still be read from a broken event, to hang up politely on a caller who is there."""
    details = raw.get("CallDetails")
    if not isinstance(details, Mapping):
        return {}
    transaction_id = details.get("TransactionId")
    salvaged: dict[str, Any] = {"transaction_id": transaction_id if isinstance(transaction_id, str) else None}
    participants = details.get("Participants")
    if isinstance(participants, list):
        for item in participants:
            if not isinstance(item, Mapping):
                continue
            tag = item.get("ParticipantTag")
            call_id = item.get("CallId")
            if isinstance(tag, str) and normalize_tag(tag) == LEG_A and isinstance(call_id, str) and call_id:
                salvaged["caller_call_id"] = call_id
                salvaged["caller_connected"] = str(item.get("Status", "")).lower() == "connected"
    return salvaged


def parse_event(raw: Any) -> SmaEvent:
    """The event as the SMA sent it; MalformedEvent when a field the flows need is missing or mistyped."""
    if not isinstance(raw, Mapping):
        raise MalformedEvent(f"event is a {type(raw).__name__}, not an object")
    try:
        return _parse(raw)
    except _Unreadable as error:
        raise MalformedEvent(str(error), **salvage(raw)) from error


def _parse(raw: Mapping[str, Any]) -> SmaEvent:
    # The guide's examples sometimes write "InvocationEvent"; the real field is "InvocationEventType".
    event_type = raw.get("InvocationEventType", raw.get("InvocationEvent"))
    if not isinstance(event_type, str) or not event_type:
        raise _Unreadable("InvocationEventType is missing")
    details = raw.get("CallDetails")
    if not isinstance(details, Mapping):
        raise _Unreadable("CallDetails is missing")
    transaction_id = details.get("TransactionId")
    if not isinstance(transaction_id, str) or not transaction_id.strip():
        raise _Unreadable("CallDetails.TransactionId is missing")
    participants_raw = details.get("Participants")
    if not isinstance(participants_raw, list):
        raise _Unreadable("CallDetails.Participants is missing")
    participants = tuple(_participant(item, index) for index, item in enumerate(participants_raw))
    attributes_raw = details.get("TransactionAttributes") or {}
    if not isinstance(attributes_raw, Mapping):
        raise _Unreadable("CallDetails.TransactionAttributes is not an object")
    sequence = raw.get("Sequence")
    return SmaEvent(
        event_type=event_type,
        kind=_EVENT_TYPES.get(event_type),
        transaction_id=transaction_id,
        sequence=sequence if isinstance(sequence, int) and not isinstance(sequence, bool) else None,
        participants=participants,
        attributes={str(k): v for k, v in attributes_raw.items() if isinstance(v, str)},
        action=_action_data(raw.get("ActionData")),
        sma_id=_optional_str(details, "SipMediaApplicationId") or _optional_str(details, "SipApplicationId"),
        region=_optional_str(details, "AwsRegion"),
        error_type=_optional_str(raw, "ErrorType"),
        error_message=_optional_str(raw, "ErrorMessage"),
    )
