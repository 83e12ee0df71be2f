"""CALL_UPDATE_REQUESTED: what the meeting API and the sweeper ask of a live call (hang up, transfer, time out)."""

from __future__ import annotations

from call_control import actions
from call_control.attributes import Phase
from call_control.events import SmaEvent
from call_control.logic.decision import CallState, Decision, OnFault, RecordChange
from call_control.logic.leaving import end_call, end_change, goodbye_actions, meeting_side_leg, our_number
from call_control.settings import Settings
from calls.contracts import TRANSFER_TO, UPDATE_ACTION, UpdateAction
from calls.phone_numbers import DestinationRefused, DialPolicy, InvalidNumber
from calls.record import CallStatus, Direction, EndReason


def update_requested(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    arguments = event.arguments
    requested = arguments.get(UPDATE_ACTION, "").strip().lower()
    match requested:
        case UpdateAction.HANGUP:
            return agent_hangup(event, state, settings)
        case UpdateAction.TRANSFER:
            return transfer(event, state, arguments.get(TRANSFER_TO, "").strip(), settings.dial_policy)
        case UpdateAction.TIMEOUT:
            return wait_timed_out(event, state, settings)
        case _:
            return Decision(note=f"refused an update request: unknown action {requested!r}", problem=None)


def agent_hangup(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    record = state.record
    active = record is not None and record.is_active
    return Decision(
        actions=goodbye_actions(event, None, settings),
        attributes=state.attributes.replace(
            phase=Phase.CLOSING, end_reason=EndReason.AGENT_HUNG_UP, join_token=None
        ),
        change=end_change(EndReason.AGENT_HUNG_UP, state.now) if active else None,
        note="agent hung up",
    )


def transfer(event: SmaEvent, state: CallState, destination: str, policy: DialPolicy) -> Decision:
    record = state.record
    caller = event.caller
    meeting_leg = meeting_side_leg(event, state.attributes)
    refusal = _destination_refusal(destination, policy)
    # The SMA re-sends an event whose answer it never got: the record already says we are transferring
    # to this number, the caller is still in the meeting, and the retry must answer as the first did.
    retried = (
        record is not None and record.status is CallStatus.TRANSFERRING and record.transfer_to == destination
    )
    if refusal is not None:
        pass  # the number itself is refused; the call's state does not matter
    elif not retried and (
        record is None or record.status not in {CallStatus.RINGING, CallStatus.IN_PROGRESS}
    ):
        refusal = f"the call is {record.status.value if record else 'unknown'}"
    elif caller is None or not caller.connected or meeting_leg is None:
        refusal = "the caller is not in the meeting"
    elif our_number(event, state) is None:
        refusal = "the call has no number of ours to show as caller id"
    if refusal is not None or meeting_leg is None:
        return Decision(note=f"refused a transfer to {destination!r}: {refusal}")
    return Decision(
        actions=(actions.hangup(call_id=meeting_leg.call_id),),
        attributes=state.attributes.replace(
            phase=Phase.LEAVING, end_reason=EndReason.TRANSFERRED, transfer_to=destination, join_token=None
        ),
        change=None
        if retried
        else RecordChange(
            to=CallStatus.TRANSFERRING,
            from_statuses=frozenset({CallStatus.RINGING, CallStatus.IN_PROGRESS}),
            set_fields={"transfer_to": destination},
        ),
        on_fault=OnFault.IGNORE,
        note=f"transferring to {destination}",
    )


def _destination_refusal(destination: str, policy: DialPolicy) -> str | None:
    """Why the one phone-number policy refuses this transfer target, if it does. The API checked it first;
    this lock also holds for an update request that did not come through the API."""
    try:
        policy.check(destination)
    except (InvalidNumber, DestinationRefused) as refused:
        return str(refused)
    return None


def wait_timed_out(event: SmaEvent, state: CallState, settings: Settings) -> Decision:
    record = state.record
    if (
        record is None
        or record.status is not CallStatus.RINGING
        or record.direction is not Direction.INBOUND
        or record.answered_by is not None
    ):
        status = record.status.value if record else "unknown"
        return Decision(
            note=f"refused a timeout: the call is {status}, answered by {record and record.answered_by}"
        )
    change = end_change(
        EndReason.TIMEOUT, state.now, from_statuses=frozenset({CallStatus.RINGING}), answered_by_absent=True
    )
    return end_call(
        event,
        state,
        settings,
        EndReason.TIMEOUT,
        change=change,
        on_fault=OnFault.IGNORE,
        note="nobody answered",
    )
