"""The cross-Lambda contracts are wire formats: these literals pin them on purpose (the one place outside
calls/contracts.py that spells them). A rename here breaks calls in flight or silences an alarm."""

from __future__ import annotations

import json

from calls import contracts


def test_the_sma_update_requests_are_pinned() -> None:
    assert json.dumps(contracts.hangup_request()) == '{"action": "hangup"}'
    assert json.dumps(contracts.timeout_request()) == '{"action": "timeout"}'
    assert (
        json.dumps(contracts.transfer_request("+12065550177"))
        == '{"action": "transfer", "to": "+12065550177"}'
    )


def test_the_outbound_arguments_are_pinned() -> None:
    arguments = contracts.outbound_arguments(call_id="c-1", meeting_id="m-1", join_token="t-1")
    assert json.dumps(arguments) == '{"callId": "c-1", "meetingId": "m-1", "joinToken": "t-1"}'
    # ArgumentsMap and Arguments are string maps: plain str values, whatever the constants' type
    assert all(type(key) is str and type(value) is str for key, value in arguments.items())
    assert all(type(key) is str for key in contracts.hangup_request())


def test_the_metric_names_and_services_the_alarms_watch_are_pinned() -> None:
    assert [metric.value for metric in contracts.CallMetric] == [
        "CallsStarted",
        "CallsAnswered",
        "CallsFailed",
        "HandlerFailures",
        "MalformedEvents",
        "TimeToJoinMs",
        "CallDurationSeconds",
        "SweepTimeoutsRequested",
        "SweepCallsForceEnded",
        "SweepMeetingsDeleted",
    ]
    assert [metric.value for metric in contracts.ApiMetric] == [
        "CallsAnswered",
        "OutboundCallsPlaced",
        "RealtimeSessionsMinted",
        "UpstreamFailures",
        "UnhandledErrors",
    ]
    assert (contracts.CALLS_NAMESPACE_SUFFIX, contracts.API_NAMESPACE_SUFFIX) == ("calls", "api")
    assert (contracts.CALL_CONTROL_SERVICE, contracts.SWEEPER_SERVICE, contracts.MEETING_API_SERVICE) == (
        "call-control",
        "call-sweeper",
        "meeting-api",
    )
