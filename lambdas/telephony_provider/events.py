"""The aws-cdk provider framework's event and response shapes, typed.

The framework hands ``on_event`` CloudFormation's request, and hands ``is_complete`` that request merged
with whatever ``on_event`` returned (``{...request, ...onEventResult}``), so ``Data`` from ``on_event``
is how ``is_complete`` learns what was started.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, cast

from telephony_provider.errors import ProviderError

RequestType = Literal["Create", "Update", "Delete"]
REQUEST_TYPES: tuple[RequestType, ...] = ("Create", "Update", "Delete")

# The framework answers the Delete that follows a failed Create itself, but a Create that CloudFormation
# abandoned (e.g. a sibling failed first) can come back as a Delete carrying one of its placeholders.
FRAMEWORK_PLACEHOLDER_PREFIX = "AWSCDK::"

P = TypeVar("P")


@dataclass(frozen=True)
class ProviderEvent:
    """The fields of a provider framework event that the resource kinds use."""

    request_type: RequestType
    logical_id: str
    request_id: str
    stack_id: str
    properties: Mapping[str, Any]
    old_properties: Mapping[str, Any] | None = None
    physical_id: str | None = None
    data: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_raw(cls, event: Mapping[str, Any]) -> ProviderEvent:
        request_type = event.get("RequestType")
        if request_type not in REQUEST_TYPES:
            raise ProviderError(
                f"Not a CloudFormation custom resource event: RequestType is {request_type!r}, "
                "expected Create, Update or Delete."
            )
        properties = event.get("ResourceProperties") or {}
        old_properties = event.get("OldResourceProperties")
        data = event.get("Data") or {}
        physical_id = event.get("PhysicalResourceId")
        return cls(
            request_type=cast(RequestType, request_type),
            logical_id=str(event.get("LogicalResourceId", "")),
            request_id=str(event.get("RequestId", "")),
            stack_id=str(event.get("StackId", "")),
            properties=properties if isinstance(properties, Mapping) else {},
            old_properties=old_properties if isinstance(old_properties, Mapping) else None,
            physical_id=str(physical_id) if physical_id else None,
            data={str(k): str(v) for k, v in data.items()} if isinstance(data, Mapping) else {},
        )

    @property
    def region(self) -> str:
        """The stack's region, from the StackId ARN (arn:aws:cloudformation:REGION:ACCOUNT:stack/...)."""
        parts = self.stack_id.split(":")
        return parts[3] if len(parts) > 4 and parts[3] else os.environ.get("AWS_REGION", "")

    @property
    def account_id(self) -> str:
        parts = self.stack_id.split(":")
        return parts[4] if len(parts) > 4 else ""

    @property
    def stack_name(self) -> str:
        resource = self.stack_id.split(":")[-1]  # stack/NAME/GUID
        parts = resource.split("/")
        return parts[1] if len(parts) > 2 else ""

    def require_physical_id(self) -> str:
        """The physical id, which CloudFormation always sends with Update and Delete."""
        if not self.physical_id:
            raise ProviderError(
                f"{self.request_type} request for {self.logical_id} carries no PhysicalResourceId; "
                "this is not a well-formed CloudFormation event."
            )
        return self.physical_id

    @property
    def is_placeholder_delete(self) -> bool:
        """A Delete for something the provider never created (its Create never returned an id)."""
        return self.request_type == "Delete" and (
            not self.physical_id or self.physical_id.startswith(FRAMEWORK_PLACEHOLDER_PREFIX)
        )


@dataclass(frozen=True)
class Request(Generic[P]):
    """One event with its properties parsed for a resource kind (``old_props`` only on Update)."""

    event: ProviderEvent
    props: P
    old_props: P | None = None


@dataclass(frozen=True)
class Outcome:
    """What ``on_event`` decided: the physical id and the attributes (string values only)."""

    physical_id: str
    data: Mapping[str, str] = field(default_factory=dict)

    def to_response(self) -> dict[str, Any]:
        return {"PhysicalResourceId": self.physical_id, "Data": dict(self.data)}


@dataclass(frozen=True)
class Completion:
    """What ``is_complete`` decided. The framework rejects Data while the resource is not complete."""

    complete: bool
    data: Mapping[str, str] = field(default_factory=dict)

    def to_response(self) -> dict[str, Any]:
        if not self.complete:
            return {"IsComplete": False}
        return {"IsComplete": True, "Data": dict(self.data)}


DONE = Completion(complete=True)
NOT_YET = Completion(complete=False)
