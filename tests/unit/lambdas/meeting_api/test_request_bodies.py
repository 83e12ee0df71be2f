"""Whatever body a client sends, the answer is a 4xx in the error envelope, never a 500 or an action."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calls.contracts import ApiMetric
from meeting_api.observability import metrics
from tests.unit.lambdas.meeting_api.harness import ApiResponse, Harness

BODY_ROUTES = ("place_call", "transfer_call", "realtime_session")


@pytest.fixture
def metric_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The metrics the function records: UnhandledErrors is what the alarm watches."""
    names: list[str] = []
    monkeypatch.setattr(metrics, "add_metric", lambda **metric: names.append(metric["name"]))
    return names


def send(
    api: Harness, route: str, body: str, *, content_type: str | None, base64_encoded: bool = False
) -> Any:
    return api.request(
        route, body=body, headers={"content-type": content_type}, base64_encoded=base64_encoded
    )


def assert_refused(response: ApiResponse, status: int, code: str) -> None:
    assert (response.status, response.error["code"]) == (status, code), response.body


DEEP = "[" * 5000 + "]" * 5000
HUGE_INTEGER = '{"to": ' + "9" * 5000 + "}"


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (HUGE_INTEGER, "malformed_json", "digits"),
        ('{"to": 1' + "0" * 4000 + "}", "invalid_request", "to:"),
        (DEEP, "malformed_json", "deeper"),
        ('{"to": ' + "[" * 40 + "]" * 40 + "}", "malformed_json", "deeper"),
        ('{"to": "+1' + "2" * 40_000 + '"}', "request_too_large", "bytes"),
        ("", "invalid_request", "a JSON request body is required"),
        ("[]", "invalid_request", "object"),
        ('"+12065550123"', "invalid_request", "object"),
        ("null", "invalid_request", "a JSON request body is required"),
        ("12065550123", "invalid_request", "object"),
        ("true", "invalid_request", "object"),
        ('{"to": "+12065550123"', "malformed_json", "not valid JSON"),
        ('{"to": NaN}', "malformed_json", "not valid JSON"),
        ('{"to": "\\ud800"}', "invalid_number", "to:"),  # a lone surrogate: valid JSON, not a number
        ('{"\\udfff": 1}', "invalid_request", ""),
    ],
)
def test_bodies_that_cannot_be_a_dial_request_are_400_and_place_nothing(
    api: Harness, metric_names: list[str], body: str, code: str, message: str
) -> None:
    before = api.snapshot()
    response = api.request("place_call", body=body)
    assert_refused(response, 400, code)
    assert message in response.error["message"]
    assert ApiMetric.UNHANDLED_ERRORS not in metric_names
    assert api.snapshot() == before


def test_binary_bodies_are_400(api: Harness, metric_names: list[str]) -> None:
    not_utf8 = base64.b64encode(b'{"to": "\xff\xfe"}').decode()
    assert_refused(api.request("place_call", body=not_utf8, base64_encoded=True), 400, "malformed_json")
    assert_refused(
        api.request("place_call", body="%%not-base64%%", base64_encoded=True), 400, "malformed_json"
    )
    assert ApiMetric.UNHANDLED_ERRORS not in metric_names


def test_a_base64_encoded_json_body_reads_like_the_plain_one(api: Harness) -> None:
    """API Gateway may base64-encode a body; that is transport, not the client's choice."""
    encoded = base64.b64encode(b'{"to": "+33142685300"}').decode()
    response = api.request("place_call", body=encoded, base64_encoded=True)
    assert_refused(response, 403, "destination_not_allowed")


MULTIPART = '--XyZ\r\nContent-Disposition: form-data; name="to"\r\n\r\n+12065550123\r\n--XyZ--\r\n'


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=XyZ", MULTIPART),
        ("application/x-www-form-urlencoded", "to=%2B12065550123"),
        ("text/plain", '{"to": "+12065550123"}'),
        ("application/jsonp", '{"to": "+12065550123"}'),
        ("application/json; charset=iso-8859-1", '{"to": "+12065550123"}'),
        (None, '{"to": "+12065550123"}'),
    ],
)
def test_anything_but_json_is_415_and_places_no_call(
    api: Harness, metric_names: list[str], content_type: str | None, body: str
) -> None:
    """Chime's Stubbers hold no response: a call placed despite the media type would fail the test."""
    before = api.snapshot()
    response = send(api, "place_call", body, content_type=content_type)
    assert_refused(response, 415, "unsupported_media_type")
    assert api.snapshot() == before
    assert ApiMetric.UNHANDLED_ERRORS not in metric_names


@pytest.mark.parametrize("content_type", ["Application/JSON", "application/json; charset=UTF-8"])
def test_json_media_types_are_read_whatever_their_case_and_utf8_charset(
    api: Harness, content_type: str
) -> None:
    response = api.request("place_call", body={"to": "+33142685300"}, headers={"content-type": content_type})
    assert_refused(response, 403, "destination_not_allowed")


def test_an_empty_body_needs_no_media_type_where_the_body_is_optional(api: Harness) -> None:
    response = send(api, "realtime_session", "", content_type=None)
    assert response.status == 200


content_types = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "multipart/form-data; boundary=XyZ",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/octet-stream",
        "",
    ]
) | st.text(max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
bodies = (
    json_values.map(json.dumps)
    | st.text(max_size=200)
    | st.binary(max_size=200).map(lambda raw: raw.decode("latin-1"))
    | st.just(MULTIPART)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(BODY_ROUTES),
    content_type=content_types,
    body=bodies,
    base64_encoded=st.booleans(),
    encode=st.booleans(),
)
def test_every_body_and_content_type_gets_a_success_or_a_4xx_envelope(
    api: Harness,
    metric_names: list[str],
    *,
    route: str,
    content_type: str | None,
    body: str,
    base64_encoded: bool,
    encode: bool,
) -> None:
    assume(not (route == "place_call" and '"to"' in body))  # a valid dial would call the (unstubbed) Chime
    if base64_encoded and encode:
        body = base64.b64encode(body.encode("utf-8", "surrogatepass")).decode()
    response = send(api, route, body, content_type=content_type, base64_encoded=base64_encoded)
    assert response.status < 500, response.body
    if response.status >= 400:
        assert response.error["message"]
    assert ApiMetric.UNHANDLED_ERRORS not in metric_names
