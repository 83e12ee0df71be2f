"""Health, listing (with ETag polling) and reading calls; who may call what; routes that do not exist."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError

from calls.record import CallStatus, iso
from meeting_api.agents import Agent
from meeting_api.rate_limit import OutboundRateLimiter
from tests.unit.lambdas.meeting_api.harness import AGENT, CALL_ID, EVENTS, Harness

PROTECTED = sorted(path.stem for path in EVENTS.glob("*.json") if path.stem != "health")


def test_health_answers_anonymously(api: Harness) -> None:
    response = api.request("health")
    assert (response.status, response.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize("route", ["health", "list_calls"])
def test_cors_is_left_to_api_gateway(api: Harness, route: str) -> None:
    # API Gateway answers preflights and sets the CORS headers from the API's CORS configuration, ignoring
    # any the integration returns (tests/unit/stacks/test_meeting_api_stack.py holds that configuration).
    response = api.request(route)
    assert response.status == 200
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


@pytest.mark.parametrize("route", PROTECTED)
def test_every_other_route_refuses_a_request_without_jwt_claims(api: Harness, route: str) -> None:
    before = api.snapshot()
    response = api.request(route, anonymous=True)
    assert response.status == 401
    assert response.error["code"] == "unauthorized"
    assert api.snapshot() == before


def test_claims_without_any_identity_are_refused(api: Harness) -> None:
    response = api.request("list_calls", claims={"scope": "aws.cognito.signin.user.admin", "username": " "})
    assert (response.status, response.error["code"]) == (401, "unauthorized")


def test_list_returns_calls_newest_first_in_the_agents_shape(api: Harness) -> None:
    older = api.put_call(call_id="call-older", now=api.now - timedelta(minutes=5))
    newer = api.put_call(call_id="call-newer")
    response = api.request("list_calls")
    assert response.status == 200
    assert response.json() == {"calls": [newer.to_view(), older.to_view()], "nextCursor": None}


def test_list_pages_with_an_opaque_cursor(api: Harness) -> None:
    for minute in range(3):
        api.put_call(call_id=f"call-{minute}", now=api.now + timedelta(minutes=minute))
    first = api.request("list_calls", query={"limit": "2"}).json()
    assert [call["id"] for call in first["calls"]] == ["call-2", "call-1"]
    second = api.request("list_calls", query={"limit": "2", "cursor": first["nextCursor"]}).json()
    assert [call["id"] for call in second["calls"]] == ["call-0"]
    assert second["nextCursor"] is None


def test_rate_limit_counters_never_show_in_the_list(api: Harness) -> None:
    limiter = OutboundRateLimiter(api.dynamodb, "calls", calls_per_hour=5, calls_per_day=5)
    limiter.consume(Agent(AGENT), now=api.now)
    assert api.request("list_calls").json()["calls"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "eyJjYWxsX2lkIjogMX0"}, "cursor"),  # base64 JSON of the wrong shape
    ],
)
def test_a_bad_limit_or_cursor_is_a_400_naming_it(api: Harness, query: dict[str, str], field: str) -> None:
    response = api.request("list_calls", query=query)
    assert (response.status, response.error["code"]) == (400, "invalid_request")
    assert response.error["message"].startswith(f"{field}:")


def test_polling_with_the_etag_gets_304_until_something_changes(api: Harness) -> None:
    api.put_call()
    first = api.request("list_calls")
    tag = first.headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"')
    unchanged = api.request("list_calls", headers={"if-none-match": tag})
    assert (unchanged.status, unchanged.body, unchanged.headers["ETag"]) == (304, "", tag)
    assert api.request("list_calls", headers={"if-none-match": f'"other", W/{tag}'}).status == 304

    api.store.transition(CALL_ID, CallStatus.ENDED, now=api.now, set_fields={"ended_at": iso(api.now)})
    changed = api.request("list_calls", headers={"if-none-match": tag})
    assert changed.status == 200
    assert changed.headers["ETag"] != tag
    assert changed.json()["calls"][0]["status"] == "ended"


def test_get_call_returns_it_and_an_unknown_id_is_404(api: Harness) -> None:
    record = api.put_call()
    assert api.request("get_call").json() == {"call": record.to_view()}
    missing = api.request("get_call", path="/calls/no-such-call")
    assert (missing.status, missing.error["code"]) == (404, "call_not_found")
    assert "no-such-call" in missing.error["message"]


def test_a_call_id_that_cannot_exist_is_a_400(api: Harness) -> None:
    response = api.request("get_call", path="/calls/outbound-quota%23x")
    assert (response.status, response.error["code"]) == (400, "invalid_request")


def test_unknown_routes_are_404_and_wrong_methods_405_as_json(api: Harness) -> None:
    unknown = api.request("list_calls", path="/callz")
    assert (unknown.status, unknown.error["code"]) == (404, "route_not_found")
    wrong = api.request("get_call", method="PUT")
    assert (wrong.status, wrong.error["code"]) == (405, "method_not_allowed")
    assert wrong.headers["Allow"] == "GET"
    assert api.request("end_test_meeting", method="GET").headers["Allow"] == "DELETE"


@pytest.mark.parametrize(
    ("failure", "status", "code"),
    [
        (
            ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}, "Query"
            ),
            503,
            "upstream_unavailable",
        ),
        (
            ConnectTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"),
            503,
            "upstream_unavailable",
        ),
        (
            ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "Query"),
            502,
            "upstream_failed",
        ),
    ],
)
def test_a_dynamodb_fault_is_a_5xx_naming_the_operation_and_the_request_id(
    api: Harness, monkeypatch: pytest.MonkeyPatch, failure: Exception, status: int, code: str
) -> None:
    def fail(**_: Any) -> None:
        raise failure

    monkeypatch.setattr(api.dynamodb, "query", fail)
    response = api.request("list_calls")
    assert (response.status, response.error["code"]) == (status, code)
    assert "DynamoDB" in response.error["message"]
    assert "Cx3lYhvXoAMEVNg=" in response.error["message"]  # the API Gateway request id, also in the logs
    if status == 503:
        assert response.headers["Retry-After"]
    if code == "upstream_failed":
        assert "IAM" in response.error["message"]


@pytest.mark.parametrize(
    ("code", "status", "answer"),
    [
        ("NotFoundException", 404, "upstream_not_found"),
        ("TransactionConflictException", 409, "upstream_conflict"),
    ],
)
def test_each_kind_of_aws_fault_has_one_answer(
    api: Harness, monkeypatch: pytest.MonkeyPatch, code: str, status: int, answer: str
) -> None:
    def fail(**_: Any) -> None:
        raise ClientError({"Error": {"Code": code, "Message": "no"}}, "Query")

    monkeypatch.setattr(api.dynamodb, "query", fail)
    response = api.request("list_calls")
    assert (response.status, response.error["code"]) == (status, answer)
    assert "Query" in response.error["message"] and "Retry-After" not in response.headers


def test_an_unexpected_error_is_a_500_json_without_internals(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(**_: Any) -> None:
        raise KeyError("secret internals")

    monkeypatch.setattr(api.dynamodb, "query", explode)
    response = api.request("list_calls")
    assert (response.status, response.error["code"]) == (500, "internal_error")
    assert "internals" not in response.error["message"]


def test_a_response_that_breaks_its_own_model_is_our_500_not_the_clients_400(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken:
        def to_view(self) -> dict[str, Any]:
            return {"id": CALL_ID}

    monkeypatch.setattr(api.runtime.desk, "get_call", lambda _: Broken())
    response = api.request("get_call")
    assert (response.status, response.error["code"]) == (500, "internal_error")
