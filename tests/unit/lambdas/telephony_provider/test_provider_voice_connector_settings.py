"""VoiceConnectorSettings: termination, origination and logging applied, removed and cleaned up."""

from __future__ import annotations

import pytest

from telephony_provider import handler
from telephony_provider.errors import ProviderError
from tests.unit.lambdas.telephony_provider.testkit import REGION, FakeAws, provider_event

VC_ID = "abcdefghijklmnopqrstu"
PHYSICAL_ID = f"{VC_ID}-settings"
TERMINATION = {"CallingRegions": ["US"], "CidrAllowedList": ["203.0.113.0/24"], "CpsLimit": "1"}
ORIGINATION = {
    "Routes": [{"Host": "sip.example.com", "Port": "5060", "Protocol": "UDP", "Priority": "1", "Weight": "1"}]
}
ALL = {
    "ResourceType": "VoiceConnectorSettings",
    "VoiceConnectorId": VC_ID,
    "Termination": TERMINATION,
    "Origination": ORIGINATION,
    "Logging": {"EnableSIPLogs": "true", "EnableMediaMetricLogs": "true"},
}
TERMINATION_REQUEST = {
    "VoiceConnectorId": VC_ID,
    "Termination": {
        "CallingRegions": ["US"],
        "CidrAllowedList": ["203.0.113.0/24"],
        "CpsLimit": 1,
        "Disabled": False,
    },
}
ORIGINATION_REQUEST = {
    "VoiceConnectorId": VC_ID,
    "Origination": {
        "Routes": [{"Host": "sip.example.com", "Port": 5060, "Protocol": "UDP", "Priority": 1, "Weight": 1}],
        "Disabled": False,
    },
}


def _logging(sip: bool, media: bool, vc_id: str = VC_ID) -> dict[str, object]:
    return {
        "VoiceConnectorId": vc_id,
        "LoggingConfiguration": {"EnableSIPLogs": sip, "EnableMediaMetricLogs": media},
    }


def _logging_put(aws: FakeAws, sip: bool, media: bool, region: str = REGION, vc_id: str = VC_ID) -> None:
    aws.stub(region).add_response(
        "put_voice_connector_logging_configuration",
        {"LoggingConfiguration": {"EnableSIPLogs": sip, "EnableMediaMetricLogs": media}},
        _logging(sip, media, vc_id),
    )


def test_create_applies_every_section_given(aws: FakeAws) -> None:
    stub = aws.stub()
    stub.add_response(
        "put_voice_connector_termination",
        {"Termination": TERMINATION_REQUEST["Termination"]},
        TERMINATION_REQUEST,
    )
    stub.add_response(
        "put_voice_connector_origination",
        {"Origination": ORIGINATION_REQUEST["Origination"]},
        ORIGINATION_REQUEST,
    )
    _logging_put(aws, sip=True, media=True)

    response = handler.on_event(provider_event("Create", ALL), None, chimes=aws.chimes)

    assert response == {"PhysicalResourceId": PHYSICAL_ID, "Data": {"VoiceConnectorId": VC_ID}}


def test_create_with_nothing_but_the_id_only_sets_logging_off(aws: FakeAws) -> None:
    _logging_put(aws, sip=False, media=False, region="us-west-2")
    props = {"ResourceType": "VoiceConnectorSettings", "VoiceConnectorId": VC_ID, "AwsRegion": "us-west-2"}

    assert (
        handler.on_event(provider_event("Create", props), None, chimes=aws.chimes)["PhysicalResourceId"]
        == PHYSICAL_ID
    )


def test_update_deletes_a_removed_section(aws: FakeAws) -> None:
    new = {key: value for key, value in ALL.items() if key != "Termination"}
    stub = aws.stub()
    stub.add_response("delete_voice_connector_termination", {}, {"VoiceConnectorId": VC_ID})
    stub.add_response(
        "put_voice_connector_origination",
        {"Origination": ORIGINATION_REQUEST["Origination"]},
        ORIGINATION_REQUEST,
    )
    _logging_put(aws, sip=True, media=True)

    response = handler.on_event(
        provider_event("Update", new, old_properties=ALL, physical_id=PHYSICAL_ID), None, chimes=aws.chimes
    )

    assert response["PhysicalResourceId"] == PHYSICAL_ID


def test_update_tolerates_a_removed_section_that_is_already_gone(aws: FakeAws) -> None:
    new = {key: value for key, value in ALL.items() if key not in ("Termination", "Origination")}
    stub = aws.stub()
    stub.add_client_error(
        "delete_voice_connector_termination",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"VoiceConnectorId": VC_ID},
    )
    stub.add_response("delete_voice_connector_origination", {}, {"VoiceConnectorId": VC_ID})
    _logging_put(aws, sip=True, media=True)

    handler.on_event(
        provider_event("Update", new, old_properties=ALL, physical_id=PHYSICAL_ID), None, chimes=aws.chimes
    )


def test_moving_to_another_voice_connector_leaves_cleanup_to_the_old_ids_delete(aws: FakeAws) -> None:
    other = "zyxwvutsrqponmlkjihgf"
    new = {"ResourceType": "VoiceConnectorSettings", "VoiceConnectorId": other}
    _logging_put(aws, sip=False, media=False, vc_id=other)

    response = handler.on_event(
        provider_event("Update", new, old_properties=ALL, physical_id=PHYSICAL_ID), None, chimes=aws.chimes
    )

    assert response == {"PhysicalResourceId": f"{other}-settings", "Data": {"VoiceConnectorId": other}}


def test_delete_removes_everything_and_tolerates_a_vanished_voice_connector(aws: FakeAws) -> None:
    stub = aws.stub()
    stub.add_client_error(
        "delete_voice_connector_termination",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"VoiceConnectorId": VC_ID},
    )
    stub.add_client_error(
        "delete_voice_connector_origination",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params={"VoiceConnectorId": VC_ID},
    )
    stub.add_client_error(
        "put_voice_connector_logging_configuration",
        service_error_code="NotFoundException",
        http_status_code=404,
        expected_params=_logging(sip=False, media=False),
    )

    response = handler.on_event(
        provider_event("Delete", ALL, physical_id=PHYSICAL_ID), None, chimes=aws.chimes
    )

    assert response == {"PhysicalResourceId": PHYSICAL_ID, "Data": {}}


def test_delete_turns_logging_off(aws: FakeAws) -> None:
    stub = aws.stub()
    stub.add_response("delete_voice_connector_termination", {}, {"VoiceConnectorId": VC_ID})
    stub.add_response("delete_voice_connector_origination", {}, {"VoiceConnectorId": VC_ID})
    _logging_put(aws, sip=False, media=False)

    handler.on_event(provider_event("Delete", ALL, physical_id=PHYSICAL_ID), None, chimes=aws.chimes)


def test_logging_refused_points_at_the_log_delivery_permissions(aws: FakeAws) -> None:
    props = {
        "ResourceType": "VoiceConnectorSettings",
        "VoiceConnectorId": VC_ID,
        "Logging": {"EnableSIPLogs": "true"},
    }
    aws.stub().add_client_error(
        "put_voice_connector_logging_configuration",
        service_error_code="AccessDeniedException",
        service_message="Access Denied for LogDestination",
        http_status_code=403,
        expected_params=_logging(sip=True, media=False),
    )

    with pytest.raises(ProviderError, match=r"telephony_provider\.iam\.LOG_DELIVERY_ACTIONS"):
        handler.on_event(provider_event("Create", props), None, chimes=aws.chimes)


def test_a_failed_put_names_the_call(aws: FakeAws) -> None:
    aws.stub().add_client_error(
        "put_voice_connector_termination",
        service_error_code="BadRequestException",
        service_message="Invalid CIDR",
        http_status_code=400,
        expected_params=TERMINATION_REQUEST,
    )

    with pytest.raises(
        ProviderError,
        match="PutVoiceConnectorTermination in us-east-1 returned BadRequestException: Invalid CIDR",
    ):
        handler.on_event(provider_event("Create", ALL), None, chimes=aws.chimes)
