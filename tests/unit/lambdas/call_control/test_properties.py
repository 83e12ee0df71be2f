"""Any event at all — fuzzed envelopes around the documented shapes — gets a valid answer and never an exception."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from call_control import handler
from call_control.attributes import KEYS, Phase
from call_control.events import EventType
from call_control.runtime import Runtime
from calls.contracts import TRANSFER_TO, UPDATE_ACTION, OutboundArgument, UpdateAction
from calls.record import Direction, EndReason
from simulator.sma_contract import check_response
from tests.unit.lambdas.call_control.harness import Context

rarely = st.sampled_from([False] * 9 + [True])  # integers(0, 9) == 0 would favour 0, the boundary
seldom = st.sampled_from([False] * 19 + [True])
sometimes = st.sampled_from([False] * 4 + [True])
anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
ids = st.sampled_from(["tx-1", "tx-2", "call-a", "call-b", "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"]) | st.text(
    min_size=1, max_size=40
)
numbers = st.sampled_from(["+12065550100", "+12065550199", "+14155550123", "anonymous", ""]) | st.text(
    max_size=16
)
tags = st.sampled_from(["LEG-A", "LEG-B", "Leg-A", "leg-b", "LEG-C"])
statuses = st.sampled_from(["Connected", "Disconnected", "connected", None, "Ringing"])


@st.composite
def participants(draw: st.DrawFn) -> dict[str, Any]:
    leg: dict[str, Any] = {"CallId": draw(ids), "ParticipantTag": draw(tags)}
    for key, strategy in (
        ("To", numbers),
        ("From", numbers),
        ("Direction", st.sampled_from(["Inbound", "Outbound"])),
        (
            "StartTimeInMilliseconds",
            st.sampled_from(["1795530000000", "159700958834234", "soon"]) | st.integers(),
        ),
        ("Status", statuses),
    ):
        if draw(st.booleans()):
            leg[key] = draw(strategy)
    if draw(rarely):
        leg[draw(st.text(max_size=8))] = draw(anything)
    return leg


attribute_values = {
    "phase": st.sampled_from([phase.value for phase in Phase]),
    "direction": st.sampled_from([direction.value for direction in Direction]),
    "endReason": st.sampled_from([reason.value for reason in EndReason]),
    "transferTo": numbers,
}


@st.composite
def attributes(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(sorted(KEYS.values())), unique=True))
    return {key: draw(attribute_values.get(key, ids)) for key in keys}


@st.composite
def action_data(draw: st.DrawFn) -> Any:
    if draw(rarely):
        return draw(anything)
    kind = draw(
        st.sampled_from(
            [
                "JoinChimeMeeting",
                "Speak",
                "PlayAudio",
                "Hangup",
                "CallAndBridge",
                "CallUpdateRequest",
                "Pause",
            ]
        )
        | st.text(min_size=1, max_size=12)
    )
    parameters: dict[str, Any] = {}
    if draw(st.booleans()):
        parameters["CallId"] = draw(ids)
    if draw(st.booleans()):
        parameters["ParticipantTag"] = draw(tags)
    if draw(st.booleans()):
        parameters["SipResponseCode"] = draw(st.sampled_from([0, 480, 486, 404, "0", "486", "x"]))
    if draw(st.booleans()):
        arguments = {UPDATE_ACTION: draw(st.sampled_from([*UpdateAction, "dance", ""]))}
        if draw(st.booleans()):
            arguments[TRANSFER_TO] = draw(numbers)
        outbound = {OutboundArgument.CALL_ID: "tx-1", OutboundArgument.JOIN_TOKEN: "t"}
        parameters["Arguments"] = draw(st.sampled_from([arguments, outbound]))
    data: dict[str, Any] = {"Type": kind, "Parameters": parameters}
    if draw(st.booleans()):
        data["ErrorType"] = draw(
            st.sampled_from(["SystemException", "CallNotAnswered", "InvalidActionParameter"])
        )
    if draw(sometimes):
        data["Error"] = "ErrorJoiningMeeting: Error while joining meeting."
    return data


@st.composite
def events(draw: st.DrawFn) -> Any:
    if draw(seldom):
        return draw(anything)
    event: dict[str, Any] = {
        "SchemaVersion": "1.0",
        "Sequence": draw(st.integers(0, 50) | st.text(max_size=3)),
        "InvocationEventType": draw(
            st.sampled_from([kind.value for kind in EventType] * 8 + ["SOMETHING_NEW"])
        ),
        "CallDetails": {
            "TransactionId": draw(ids),
            "AwsRegion": "us-east-1",
            "Participants": draw(st.lists(participants(), max_size=3)),
        },
    }
    if draw(st.booleans()):
        event["CallDetails"]["TransactionAttributes"] = draw(attributes())
    if draw(st.booleans()):
        event["ActionData"] = draw(action_data())
    if draw(rarely):  # a field the flows need goes missing or blank
        del event[draw(st.sampled_from(["InvocationEventType", "CallDetails"]))]
    elif draw(rarely) and event["CallDetails"]["Participants"]:
        event["CallDetails"]["Participants"][0][draw(st.sampled_from(["CallId", "ParticipantTag"]))] = ""
    return event


@pytest.fixture
def no_emergencies(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    used: list[Any] = []
    original = handler._emergency_reply

    def watch(raw: Any) -> dict[str, Any]:
        used.append(raw)
        return original(raw)

    monkeypatch.setattr(handler, "_emergency_reply", watch)
    return used


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=events())
def test_any_event_gets_a_valid_answer(runtime: Runtime, no_emergencies: list[Any], event: Any) -> None:
    response = handler.lambda_handler(event, Context())
    assert check_response(response) == []
    assert len(response["Actions"]) <= 10
    assert no_emergencies == []  # handled by design, not by the last-resort exception handler
