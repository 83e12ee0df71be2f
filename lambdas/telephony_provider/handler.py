"""Lambda entry points for aws-cdk's custom resource provider framework.

``on_event`` and ``is_complete`` parse the event, pick the resource kind by ``ResourceType``, and turn
any failure into one plain-English message: the framework reports a raised exception's message to
CloudFormation as the resource's failure reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telephony_provider import (
    logs,
    phone_number,
    preflight,
    service_linked_role,
    sip_media_application,
    sip_rule,
    voice_connector,
    voice_connector_settings,
)
from telephony_provider.chime import THROTTLED, ChimeCallError, ChimeFactory, chime_for_region
from telephony_provider.errors import ProviderError
from telephony_provider.events import DONE, Completion, Outcome, ProviderEvent, Request
from telephony_provider.properties import (
    parse_phone_number,
    parse_preflight,
    parse_service_linked_role,
    parse_sip_media_application,
    parse_sip_rule,
    parse_voice_connector,
    parse_voice_connector_settings,
)

P = TypeVar("P")


def _always_complete(request: Request[Any], chimes: ChimeFactory) -> Completion:
    return DONE


@dataclass(frozen=True)
class ResourceKind(Generic[P]):
    """How one ResourceType is parsed and provisioned; ``is_complete`` only where work is asynchronous."""

    parse: Callable[[Mapping[str, Any]], P]
    on_event: Callable[[Request[P], ChimeFactory], Outcome]
    is_complete: Callable[[Request[P], ChimeFactory], Completion] = _always_complete


KINDS: Mapping[str, ResourceKind[Any]] = {
    "Preflight": ResourceKind(parse_preflight, preflight.on_event),
    "ServiceLinkedRole": ResourceKind(parse_service_linked_role, service_linked_role.on_event),
    "VoiceConnector": ResourceKind(parse_voice_connector, voice_connector.on_event),
    "SipMediaApplication": ResourceKind(parse_sip_media_application, sip_media_application.on_event),
    "PhoneNumber": ResourceKind(parse_phone_number, phone_number.on_event, phone_number.is_complete),
    "SipRule": ResourceKind(parse_sip_rule, sip_rule.on_event),
    "VoiceConnectorSettings": ResourceKind(parse_voice_connector_settings, voice_connector_settings.on_event),
}


def on_event(
    event: Mapping[str, Any], context: object = None, *, chimes: ChimeFactory = chime_for_region
) -> dict[str, Any]:
    """Create, update or delete; returns ``{"PhysicalResourceId", "Data"}``."""
    parsed = ProviderEvent.from_raw(event)
    if parsed.is_placeholder_delete:
        logs.info("nothing to delete: the resource was never created", physical_id=parsed.physical_id)
        return Outcome(parsed.physical_id or parsed.request_id).to_response()
    resource_type = _resource_type(parsed)
    _log_request("on_event", parsed, resource_type)
    kind = KINDS[resource_type]
    with _explained_failures(parsed, resource_type):
        outcome = kind.on_event(_request(kind, parsed), chimes)
    logs.info(
        "on_event done", resource_type=resource_type, physical_id=outcome.physical_id, data=dict(outcome.data)
    )
    return outcome.to_response()


def is_complete(
    event: Mapping[str, Any], context: object = None, *, chimes: ChimeFactory = chime_for_region
) -> dict[str, Any]:
    """Whether the work ``on_event`` started has finished; returns ``{"IsComplete", "Data"?}``."""
    parsed = ProviderEvent.from_raw(event)
    if parsed.is_placeholder_delete:
        return DONE.to_response()
    resource_type = _resource_type(parsed)
    kind = KINDS[resource_type]
    with _explained_failures(parsed, resource_type):
        completion = kind.is_complete(_request(kind, parsed), chimes)
    if completion.complete:
        _log_request("is_complete: done", parsed, resource_type)
    return completion.to_response()


def _resource_type(event: ProviderEvent) -> str:
    resource_type = event.properties.get("ResourceType")
    if resource_type not in KINDS:
        raise ProviderError(
            f"Custom resource {event.logical_id} has ResourceType {resource_type!r}; this provider handles "
            f"{', '.join(KINDS)}."
        )
    return str(resource_type)


def _request(kind: ResourceKind[P], event: ProviderEvent) -> Request[P]:
    props = kind.parse(event.properties)
    old_props: P | None = None
    if event.request_type == "Update" and event.old_properties is not None:
        try:
            old_props = kind.parse(event.old_properties)
        except ProviderError as err:
            # Old properties only refine an update (what changed); a stricter parser must not block it.
            logs.warning("previous properties unreadable; treating the update as in place", error=str(err))
    return Request(event, props, old_props)


def _log_request(step: str, event: ProviderEvent, resource_type: str) -> None:
    logs.info(
        step,
        request_type=event.request_type,
        resource_type=resource_type,
        logical_id=event.logical_id,
        physical_id=event.physical_id,
        request_id=event.request_id,
    )


@contextmanager
def _explained_failures(event: ProviderEvent, resource_type: str) -> Iterator[None]:
    """Let ProviderError through; turn an unexpected AWS error into a message an operator can act on."""
    try:
        yield
    except ProviderError as err:
        logs.error("failed", resource_type=resource_type, logical_id=event.logical_id, reason=str(err))
        raise
    except ChimeCallError as err:
        hint = (
            "AWS kept throttling the request; wait a few minutes and deploy again."
            if err.code == THROTTLED
            else "Fix the cause AWS names, then deploy again."
        )
        message = (
            f"{resource_type} {event.logical_id} ({event.request_type}) failed: Amazon Chime SDK "
            f"{err.operation} in {err.region} returned {err.code}: {err.aws_message or 'no message'}. {hint}"
        )
        logs.error("failed", resource_type=resource_type, logical_id=event.logical_id, reason=message)
        raise ProviderError(message) from err
