"""Helpers for the telephony provider tests: stubbed clients and provider-framework-shaped events."""

from __future__ import annotations

import copy
from typing import Any

import boto3
from botocore.stub import Stubber

from telephony_provider.chime import Chime

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
STACK_ID = (
    f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/PhoneLine/5b6a3f10-c9a1-11ef-9a3e-0e6f2c7a1b11"
)
SERVICE_TOKEN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:PhoneLine-ProviderFramework-onEvent"
SMA_LAMBDA_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:PhoneLine-SmaHandler"
REQUEST_ID = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"


def chime_client(region: str = REGION) -> Any:
    return boto3.client(
        "chime-sdk-voice",
        region_name=region,
        aws_access_key_id="x",
        aws_secret_access_key="x",  # a dummy: the Stubber answers before any request is signed
    )


class FakeAws:
    """Hands out ``Chime`` adapters over stubbed clients; ``stub(region)`` is where tests queue calls."""

    def __init__(self) -> None:
        self._stubbers: dict[str, Stubber] = {}
        self._chimes: dict[str, Chime] = {}
        self.sleeps: list[float] = []
        self.regions_used: list[str] = []

    def stub(self, region: str = REGION) -> Stubber:
        if region not in self._stubbers:
            client = chime_client(region)
            stubber = Stubber(client)
            stubber.activate()
            self._stubbers[region] = stubber
            self._chimes[region] = Chime(client, sleep=self.sleeps.append)
        return self._stubbers[region]

    def chimes(self, region: str) -> Chime:
        """The ChimeFactory handed to the provider. A region nothing was queued for answers no call."""
        self.regions_used.append(region)
        self.stub(region)
        return self._chimes[region]

    def assert_all_used(self) -> None:
        for stubber in self._stubbers.values():
            stubber.assert_no_pending_responses()
            stubber.deactivate()


def provider_event(
    request_type: str,
    properties: dict[str, Any],
    *,
    old_properties: dict[str, Any] | None = None,
    physical_id: str | None = None,
    logical_id: str = "Resource",
    request_id: str = REQUEST_ID,
) -> dict[str, Any]:
    """An event as aws-cdk's provider framework hands it to the user's onEvent handler.

    CloudFormation adds ServiceToken to ResourceProperties; CDK sets the top-level ResourceType to the
    custom type name. Property values are whatever the test passes (strings, as CloudFormation sends).
    """
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": SERVICE_TOKEN,
        "ResponseURL": "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/...",
        "StackId": STACK_ID,
        "RequestId": request_id,
        "LogicalResourceId": logical_id,
        "ResourceType": f"Custom::{properties.get('ResourceType', 'Unknown')}",
        "ResourceProperties": {"ServiceToken": SERVICE_TOKEN, **copy.deepcopy(properties)},
    }
    if request_type == "Update":
        event["OldResourceProperties"] = {
            "ServiceToken": SERVICE_TOKEN,
            **copy.deepcopy(old_properties or {}),
        }
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    return event


def is_complete_event(on_event_request: dict[str, Any], on_event_response: dict[str, Any]) -> dict[str, Any]:
    """What the framework hands isComplete: the request merged with onEvent's result (result wins)."""
    return {**on_event_request, **on_event_response}
