"""The emulator's idea of a valid Lambda response matches the developer guide."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.sma_contract import check_response


def test_a_valid_response() -> None:
    response = {
        "SchemaVersion": "1.0",
        "Actions": [
            {"Type": "Speak", "Parameters": {"CallId": "c", "Text": "Hi", "VoiceId": "Joanna"}},
            {"Type": "Hangup", "Parameters": {"CallId": "c", "SipResponseCode": "0"}},
        ],
        "TransactionAttributes": {"callId": "c"},
    }
    assert check_response(response) == []


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        ({"Actions": []}, "SchemaVersion"),
        ({"SchemaVersion": "1.0", "Actions": [{"Type": "Hangup"}] * 11}, "at most 10"),
        ({"SchemaVersion": "1.0", "Actions": [{"Type": "Dance", "Parameters": {}}]}, "not an action"),
        (
            {"SchemaVersion": "1.0", "Actions": [{"Type": "Speak", "Parameters": {"Text": "x"}}]},
            "CallId is required",
        ),
        (
            {
                "SchemaVersion": "1.0",
                "Actions": [{"Type": "JoinChimeMeeting", "Parameters": {"JoinToken": "t"}}],
            },
            "MeetingId is required",
        ),
        (
            {
                "SchemaVersion": "1.0",
                "Actions": [
                    {
                        "Type": "CallAndBridge",
                        "Parameters": {
                            "CallerIdNumber": "+1206",
                            "Endpoints": [{"BridgeEndpointType": "PSTN"}],
                        },
                    }
                ],
            },
            "E.164 Uri",
        ),
        ({"SchemaVersion": "1.0", "Actions": [], "TransactionAttributes": {"n": 1}}, "strings to strings"),
        ({"SchemaVersion": "1.0", "Actions": [], "Extra": True}, "unexpected"),
    ],
)
def test_invalid_responses_are_named(response: dict[str, Any], problem: str) -> None:
    assert any(problem in found for found in check_response(response))
