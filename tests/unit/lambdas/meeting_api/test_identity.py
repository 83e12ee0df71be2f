"""One identity: only Cognito ID tokens, the agent keyed by `sub`, the e-mail shown but only when verified."""

from __future__ import annotations

from typing import Any

import pytest

from calls.record import CallStatus
from meeting_api.agents import Agent
from meeting_api.errors import EmailNotVerified, Unauthenticated
from tests.unit.lambdas.meeting_api.harness import (
    AGENT,
    AGENT_EMAIL,
    CALL_ID,
    EVENTS,
    OTHER_AGENT,
    OTHER_AGENT_EMAIL,
    Harness,
    access_token_claims,
    id_token_claims,
)
from tests.unit.lambdas.meeting_api.test_answering import expect_join
from tests.unit.lambdas.meeting_api.test_outbound_and_control import expect_dial, expect_meeting, place

PROTECTED = sorted(path.stem for path in EVENTS.glob("*.json") if path.stem != "health")


# The rule, as a pure function of the claims API Gateway passes


def test_an_id_token_names_the_agent_by_sub_with_the_email_for_display() -> None:
    agent = Agent.from_claims(id_token_claims())
    assert (agent.id, agent.email) == (AGENT, AGENT_EMAIL)


@pytest.mark.parametrize("verified", ["true", True])
def test_email_verified_counts_as_a_string_or_a_boolean(verified: Any) -> None:
    # API Gateway's HTTP API passes every claim as a string; a boolean is accepted too.
    assert Agent.from_claims({**id_token_claims(), "email_verified": verified}).email == AGENT_EMAIL


def test_an_access_token_is_refused_although_the_authorizer_let_it_through() -> None:
    with pytest.raises(Unauthenticated, match="ID token"):
        Agent.from_claims(access_token_claims())


@pytest.mark.parametrize("token_use", [None, "", "refresh", "ID", "access"])
def test_only_token_use_id_is_accepted(token_use: str | None) -> None:
    claims = {key: value for key, value in id_token_claims().items() if key != "token_use"}
    if token_use is not None:
        claims["token_use"] = token_use
    with pytest.raises(Unauthenticated):
        Agent.from_claims(claims)


@pytest.mark.parametrize("sub", [None, "", "  "])
def test_an_id_token_without_sub_is_refused(sub: str | None) -> None:
    claims = {key: value for key, value in id_token_claims().items() if key != "sub"}
    if sub is not None:
        claims["sub"] = sub
    with pytest.raises(Unauthenticated):
        Agent.from_claims(claims)


@pytest.mark.parametrize(
    "changes",
    [
        {"email_verified": "false"},
        {"email_verified": "True "},
        {"email_verified": ""},
        {"email_verified": False},
        {"email_verified": None},
        {"email": ""},
        {"email": None},
    ],
)
def test_an_unverified_or_missing_email_is_refused(changes: dict[str, Any]) -> None:
    claims = {**id_token_claims(), **changes}
    claims = {key: value for key, value in claims.items() if value is not None}
    with pytest.raises(EmailNotVerified):
        Agent.from_claims(claims)


# Through the API


@pytest.mark.parametrize("route", PROTECTED)
def test_every_route_refuses_an_access_token_and_changes_nothing(api: Harness, route: str) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT, answered_by_email=AGENT_EMAIL)
    before = api.snapshot()
    response = api.request(route, claims=access_token_claims())
    assert (response.status, response.error["code"]) == (401, "unauthorized")
    assert "ID token" in response.error["message"]
    assert api.snapshot() == before


@pytest.mark.parametrize("route", PROTECTED)
def test_every_route_refuses_an_unverified_email_with_403(api: Harness, route: str) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT, answered_by_email=AGENT_EMAIL)
    before = api.snapshot()
    response = api.request(route, claims=id_token_claims(email_verified="false"))
    assert (response.status, response.error["code"]) == (403, "email_not_verified")
    assert AGENT_EMAIL in response.error["message"]
    assert api.snapshot() == before


def test_the_same_person_with_two_tokens_is_one_agent_with_one_rate_limit_bucket(api: Harness) -> None:
    # Two ID tokens of one user, before and after an e-mail change: Cognito keeps the sub. The cap is 3.
    renamed = id_token_claims(email="ann.new@example.com", email_verified="true")
    for number in (1, 2):
        assert place(api, number).status == 201
    call_id, phone, _ = expect_meeting(api, 3)
    expect_dial(api, call_id, phone)
    assert api.request("place_call", claims=renamed).status == 201
    refused = api.request("place_call", claims=renamed)
    assert (refused.status, refused.error["code"]) == (429, "rate_limited")
    quota = [item for item in api.snapshot() if item["call_id"]["S"].startswith("outbound-quota#")]
    assert len(quota) == 1, "one person, one bucket"
    assert api.store.require(call_id).placed_by == AGENT


def test_the_other_agent_has_their_own_bucket(api: Harness) -> None:
    for number in (1, 2, 3):
        assert place(api, number).status == 201
    assert place(api, 4, agent=OTHER_AGENT).status == 201


def test_answering_records_the_sub_and_shows_the_email(api: Harness) -> None:
    api.put_call()
    expect_join(api)
    response = api.request("answer_call")
    assert response.status == 200
    call = response.json()["call"]
    assert (call["answeredBy"], call["answeredByEmail"]) == (AGENT, AGENT_EMAIL)
    stored = api.store.require(CALL_ID)
    assert (stored.answered_by, stored.answered_by_email) == (AGENT, AGENT_EMAIL)


def test_a_call_held_by_sub_stays_the_agents_after_an_email_change(api: Harness) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=AGENT, answered_by_email=AGENT_EMAIL)
    response = api.request("leave_call", claims=id_token_claims(email="ann.new@example.com"))
    assert response.status == 200
    released = api.store.require(CALL_ID)
    assert (released.answered_by, released.answered_by_email) == (None, None)


def test_a_colleague_with_the_same_email_claim_is_still_another_agent(api: Harness) -> None:
    api.put_call(status=CallStatus.IN_PROGRESS, answered_by=OTHER_AGENT, answered_by_email=OTHER_AGENT_EMAIL)
    response = api.request("hangup_call", claims=id_token_claims(AGENT, email=OTHER_AGENT_EMAIL))
    assert (response.status, response.error["code"]) == (409, "call_taken")
    assert OTHER_AGENT_EMAIL in response.error["message"]


def test_a_record_stored_before_sub_keys_shows_its_email(api: Harness) -> None:
    # Records written before this change hold the e-mail in answered_by and nothing beside it.
    api.put_call(status=CallStatus.ENDED, answered_by=AGENT_EMAIL)
    call = api.request("get_call").json()["call"]
    assert (call["answeredBy"], call["answeredByEmail"]) == (AGENT_EMAIL, AGENT_EMAIL)
