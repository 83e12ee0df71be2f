"""Placing and transferring obey the one phone-number policy: 400 for what is not a number, 403 for refused ones.

The harness allows US, CA and GB (tests/unit/lambdas/meeting_api/harness.py). Nothing refused may touch the
calls table, the hourly quota or the SIP media application (the Stubbers fail on any unexpected call).
"""

from __future__ import annotations

import json

import pytest

from calls.phone_numbers import DialPolicy
from calls.record import CallStatus
from tests.unit.lambdas.meeting_api.harness import AGENT, Harness

FULL_WIDTH_JAMAICA = "+１８７６５５５０１２３"  # noqa: RUF001 - the point of the test
FULL_WIDTH_PLUS_US = "＋１２０６５５５０１２３"  # noqa: RUF001
ARABIC_INDIC_US = "+١٢٠٦٥٥٥٠١٢٣"
# ASCII "+1", then a full-width area code: the old allow-list saw "+1" and an area code outside its
# ASCII Caribbean list, and let Jamaica through.
MIXED_JAMAICA = "+1８７６5550123"  # noqa: RUF001
UNICODE_NUMBERS = [FULL_WIDTH_JAMAICA, FULL_WIDTH_PLUS_US, ARABIC_INDIC_US, MIXED_JAMAICA]


def bodies(number: str) -> list[str]:
    """The two ways a client sends a non-ASCII number: raw UTF-8 in the JSON, or \\u escapes."""
    return [json.dumps({"to": number}, ensure_ascii=False), json.dumps({"to": number})]


@pytest.mark.parametrize("route", ["place_call", "transfer_call"])
@pytest.mark.parametrize("number", UNICODE_NUMBERS)
def test_unicode_digits_are_400_invalid_number_however_they_are_encoded(
    api: Harness, route: str, number: str
) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT)
    before = api.snapshot()
    for body in bodies(number):
        response = api.request(route, body=body)
        assert (response.status, response.error["code"]) == (400, "invalid_number"), body
        assert "ASCII" in response.error["message"]
    assert api.snapshot() == before


REFUSED_UNDER_US_CA = [
    "+18765550123",  # Jamaica: +1, but not the US
    "+18095550123",  # Dominican Republic
    "+19005550123",  # premium rate
    "+12129761234",  # a 976 exchange
    "+15005550100",  # personal number
    "+16005550100",  # Canadian non-geographic (VoIP)
    "+33142685300",  # France, not allowed
]


@pytest.mark.parametrize("route", ["place_call", "transfer_call"])
@pytest.mark.parametrize("number", REFUSED_UNDER_US_CA)
def test_caribbean_premium_and_non_geographic_numbers_are_403(api: Harness, route: str, number: str) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT)
    before = api.snapshot()
    response = api.request(route, body={"to": number})
    assert (response.status, response.error["code"]) == (403, "destination_not_allowed")
    assert "outboundAllowed" in response.error["message"]  # names the setting that would allow it
    assert api.snapshot() == before


@pytest.mark.parametrize("route", ["place_call", "transfer_call"])
@pytest.mark.parametrize(
    "number",
    [
        "+17005550100",  # 700 is not an area code in use
        "+120655501234",  # too long for +1
        "+1206555012",  # too short for +1
        "+4402071234567",  # a trunk 0 in E.164
    ],
)
def test_numbers_of_the_wrong_length_or_range_are_400(api: Harness, route: str, number: str) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT)
    before = api.snapshot()
    response = api.request(route, body={"to": number})
    assert (response.status, response.error["code"]) == (400, "invalid_number")
    assert response.error["message"].startswith("to: must be an E.164 number")
    assert api.snapshot() == before


def test_a_named_country_or_prefix_allows_the_transfer(api: Harness) -> None:
    api.reconfigure(dial_policy=DialPolicy(countries=frozenset({"US", "JM"}), allowed_prefixes=("+1900",)))
    for number in ("+18765550123", "+19005550123"):
        api.put_call(call_id=f"c{number[1:]}", status=CallStatus.IN_PROGRESS, answered_by=AGENT)
        api.voice.add_response("update_sip_media_application_call", {"SipMediaApplicationCall": {}})
        response = api.request("transfer_call", path=f"/calls/c{number[1:]}/transfer", body={"to": number})
        assert response.status == 202, response.body


def test_deny_beats_allow(api: Harness) -> None:
    api.reconfigure(
        dial_policy=DialPolicy(
            countries=frozenset({"US"}), allowed_prefixes=("+1206",), denied_prefixes=("+1206555",)
        )
    )
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT)
    response = api.request("transfer_call", body={"to": "+12065550123"})
    assert (response.status, response.error["code"]) == (403, "destination_not_allowed")
    assert "outboundDeniedPrefixes" in response.error["message"]
