"""The event model reads every documented event shape, ignores what it does not know, refuses truncated ones."""

from __future__ import annotations

from typing import Any

import pytest

from call_control.events import LEG_A, LEG_B, EventType, MalformedEvent, parse_event
from calls.contracts import OutboundArgument
from tests.unit.lambdas.call_control.harness import EVENTS, load_event

FIXTURES = sorted(path.stem for path in EVENTS.glob("*.json"))


@pytest.mark.parametrize("name", FIXTURES)
def test_every_documented_event_shape_parses(name: str) -> None:
    event = parse_event(load_event(name))
    assert event.kind is not None
    assert event.transaction_id
    assert event.caller is not None and event.caller.tag == LEG_A


def test_unknown_fields_are_ignored_and_tags_are_case_insensitive() -> None:
    raw = load_event("hangup_meeting_leg")  # the guide's own example writes "Leg-A" / "Leg-B"
    raw["SomethingNew"] = {"nested": True}
    raw["CallDetails"]["Participants"][0]["Extra"] = "x"
    event = parse_event(raw)
    assert event.meeting_leg is not None and event.meeting_leg.tag == LEG_B
    hung_up = event.hung_up_leg()
    assert hung_up is not None and hung_up.tag == LEG_B


def test_join_failure_in_the_documented_single_error_field_is_split() -> None:
    event = parse_event(load_event("action_failed_join"))
    assert event.action is not None
    assert (event.action.error_type, event.action.error_message) == (
        "ErrorJoiningMeeting",
        "Error while joining meeting.",
    )


def test_invalid_lambda_response_errors_come_from_the_top_level() -> None:
    event = parse_event(load_event("invalid_lambda_response"))
    assert event.error_type == "TransactionAttributesInvalidMapSize"


def test_outbound_arguments_and_hangup_codes() -> None:
    placed = parse_event(load_event("new_outbound_call"))
    assert placed.kind is EventType.NEW_OUTBOUND_CALL
    assert set(placed.arguments) == set(OutboundArgument)
    busy = parse_event(load_event("hangup_outbound_busy"))
    assert busy.sip_response_code == 486


def test_the_docs_alternative_event_type_field_is_accepted() -> None:
    raw = load_event("action_successful_join")
    raw["InvocationEvent"] = raw.pop("InvocationEventType")
    assert parse_event(raw).kind is EventType.ACTION_SUCCESSFUL


def test_an_unknown_event_type_parses_without_a_kind() -> None:
    raw = load_event("digits_received")
    raw["InvocationEventType"] = "MEDIA_SOMETHING_NEW"
    event = parse_event(raw)
    assert event.kind is None and event.event_type == "MEDIA_SOMETHING_NEW"


def _drop(path: tuple[Any, ...]) -> dict[str, Any]:
    raw = load_event("hangup_caller")
    target: Any = raw
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return raw


@pytest.mark.parametrize(
    "path",
    [
        ("InvocationEventType",),
        ("CallDetails",),
        ("CallDetails", "TransactionId"),
        ("CallDetails", "Participants"),
        ("CallDetails", "Participants", 0, "CallId"),
        ("CallDetails", "Participants", 1, "ParticipantTag"),
    ],
)
def test_truncated_events_are_refused_with_what_can_be_salvaged(path: tuple[Any, ...]) -> None:
    with pytest.raises(MalformedEvent) as refused:
        parse_event(_drop(path))
    assert refused.value.reason
    if path[:2] == ("CallDetails", "Participants") and len(path) > 2:
        assert refused.value.transaction_id


@pytest.mark.parametrize("raw", [None, [], "NEW_INBOUND_CALL", 42, {"CallDetails": "x"}])
def test_events_that_are_not_objects_are_refused(raw: Any) -> None:
    with pytest.raises(MalformedEvent):
        parse_event(raw)


def test_a_mistyped_action_data_is_refused() -> None:
    raw = load_event("action_successful_join")
    raw["ActionData"]["Parameters"] = ["not", "an", "object"]
    with pytest.raises(MalformedEvent):
        parse_event(raw)
