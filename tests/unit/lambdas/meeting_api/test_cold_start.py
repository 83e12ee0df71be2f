"""Cold start: importing and initialising the handler is offline and creates no AWS client; clients come
when a request needs them, and our number in SSM is read when an outbound call first needs it, once."""

from __future__ import annotations

import dataclasses
from typing import Any

import boto3
import botocore.session
import pytest

from calls.phone_numbers import DialPolicy
from meeting_api import runtime
from meeting_api.runtime import Runtime
from tests.unit.lambdas.lambda_init import lambda_init
from tests.unit.lambdas.meeting_api.harness import OUR_NUMBER, REQUIRED_ENV, Harness
from tests.unit.lambdas.meeting_api.test_outbound_and_control import place

PARAMETER = "/phoneline/telephony/phone-number"


def test_lambda_init_is_offline_and_creates_no_client_even_with_tracing_and_the_number_in_ssm() -> None:
    env = {name: value for name, value in REQUIRED_ENV.items() if name != "PHONE_NUMBER"}
    used = lambda_init("meeting_api.handler", {**env, "PHONE_NUMBER_PARAMETER": PARAMETER})
    assert used.clients == []


def test_validating_the_dial_policy_at_init_loads_no_region_metadata() -> None:
    """libphonenumber loads a region's metadata when a number of it is first parsed, not before."""
    policy = DialPolicy.from_json('{"countries": ["US", "CA", "GB"], "allowedPrefixes": ["+1876"]}').to_json()
    used = lambda_init("meeting_api.handler", {**REQUIRED_ENV, "DIAL_POLICY": policy})
    assert used.phone_metadata == []


def test_clients_are_created_when_first_used_and_only_once(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**REQUIRED_ENV, "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    session = botocore.session.get_session()
    created: list[str] = []
    session.register("creating-client-class", lambda **kwargs: created.append(kwargs["event_name"]))
    built = Runtime.from_environment(session)
    assert created == []
    assert built.clients.dynamodb.meta.service_model.service_name == "dynamodb"
    assert built.clients.dynamodb.meta.region_name == "us-east-1"
    assert created == ["creating-client-class.dynamodb"]
    built.clients.dynamodb.meta  # noqa: B018 - the second use creates nothing
    assert len(created) == 1


def _number_in_ssm(api: Harness, value: str | None) -> tuple[Any, list[str]]:
    """Rebuild the API's runtime with our number in SSM; returns the SSM client and its GetParameter log."""
    ssm = boto3.client("ssm", region_name="us-east-1")
    if value is not None:
        ssm.put_parameter(Name=PARAMETER, Value=value, Type="String", Overwrite=True)
    reads: list[str] = []
    ssm.meta.events.register("before-call.ssm.GetParameter", lambda **kwargs: reads.append("read"))
    current = api.runtime.settings.model_dump()
    api.runtime = Runtime.build(
        api.runtime.settings.model_validate(
            {**current, "phone_number": "", "phone_number_parameter": PARAMETER}
        ),
        dataclasses.replace(api.runtime.clients, ssm=ssm),
        clock=lambda: api.now,
        new_id=api.next_uuid,
        nonce=api.next_nonce,
    )
    runtime.install(api.runtime)
    return ssm, reads


def test_our_number_in_ssm_is_read_once_when_an_outbound_call_first_needs_it(api: Harness) -> None:
    _, reads = _number_in_ssm(api, OUR_NUMBER)
    assert api.request("list_calls").status == 200
    assert reads == []  # listing calls has no use for our number
    for number in (1, 2):  # two invocations of the same container
        response = place(api, number)
        assert response.status == 201, response.body
        assert response.json()["call"]["from"] == OUR_NUMBER  # and the Stubber saw it as FromPhoneNumber
    assert reads == ["read"]


@pytest.mark.parametrize(
    ("stored", "status", "code"),
    [(None, 502, "upstream_failed"), ("not-a-number", 500, "internal_error")],  # missing: an AWS refusal
)
def test_a_missing_or_bad_number_parameter_fails_outbound_calls_and_spends_nothing_until_fixed(
    api: Harness, stored: str | None, status: int, code: str
) -> None:
    ssm, reads = _number_in_ssm(api, stored)
    before = api.snapshot()
    response = api.request("place_call")
    assert (response.status, response.error["code"]) == (status, code)
    if stored is None:
        assert "PHONE_NUMBER_PARAMETER" in response.error["message"]
    assert api.snapshot() == before  # no meeting asked for (the Stubber has none queued), no quota used
    ssm.put_parameter(Name=PARAMETER, Value=OUR_NUMBER, Type="String", Overwrite=True)
    assert place(api, 1).status == 201  # a failed read is not kept: the next call reads again
    assert len(reads) == 2
