"""The lifecycle of a resource that lives in one Chime region: a Voice Connector, a SIP media application,
a SIP rule. CloudFormation's Create, Update and Delete map onto create / update-in-place / delete the same
way for each; an Update the resource cannot take in place (another region, another trigger) creates a new
one, whose new physical id makes CloudFormation delete the old one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from telephony_provider import logs
from telephony_provider.chime import BAD_REQUEST, CONFLICT, NOT_FOUND, Chime, ChimeCallError
from telephony_provider.errors import ProviderError
from telephony_provider.events import Outcome, ProviderEvent

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient

T = TypeVar("T")


def run_lifecycle(
    event: ProviderEvent,
    *,
    replace: bool,
    create: Callable[[], Outcome],
    update: Callable[[str], Outcome],
    delete: Callable[[str], None],
) -> Outcome:
    """Dispatch one request; ``replace``: whether an Update must create a new resource instead."""
    if event.request_type == "Create":
        return create()
    physical_id = event.require_physical_id()
    if event.request_type == "Update":
        return create() if replace else update(physical_id)
    delete(physical_id)
    return Outcome(physical_id)


@dataclass(frozen=True)
class RegionalResource:
    """What the shared steps need to know of one kind of resource."""

    name: str  # for the operator: "Voice Connector"
    id_key: str  # the id's key in AWS's answer and in the Outcome: "VoiceConnectorId"
    attribute: str  # the other value Fn::GetAtt reads: "OutboundHostName"
    delete_call: Callable[[ChimeSDKVoiceClient, str], object]  # (client, id): the Delete request
    blocked_by: str  # what must go before it can be deleted, and how to find it ("{id}": its id)

    @property
    def api_name(self) -> str:
        """The name in the API's operation names: "VoiceConnector"."""
        return self.id_key.removesuffix("Id")

    def outcome(self, described: Mapping[str, object], *, fallback_id: str) -> Outcome:
        """The Outcome of a create or update answer; ``fallback_id`` serves an answer without the id."""
        resource_id = str(described.get(self.id_key, fallback_id))
        if not resource_id:
            raise ProviderError(f"Create{self.api_name} answered without a {self.id_key}; try again.")
        return Outcome(
            resource_id, {self.id_key: resource_id, self.attribute: str(described.get(self.attribute, ""))}
        )

    def update(
        self, chime: Chime, operation: str, request: Callable[[ChimeSDKVoiceClient], T], resource_id: str
    ) -> T:
        """Run an Update call; a resource deleted behind CloudFormation's back is explained, not retried."""
        try:
            return chime.call(operation, request)
        except ChimeCallError as err:
            if err.code == NOT_FOUND:
                raise ProviderError(
                    f"{self.name} {resource_id} no longer exists in {chime.region}, so it can't be updated. "
                    "Something deleted it outside CloudFormation; remove the resource from the stack and add "
                    "it back to create a new one."
                ) from err
            raise

    def delete(self, chime: Chime, resource_id: str) -> None:
        """Delete it; one already gone counts as deleted, one still in use (Conflict, BadRequest) is explained."""
        try:
            chime.call(f"Delete{self.api_name}", lambda c: self.delete_call(c, resource_id))
        except ChimeCallError as err:
            if err.code == NOT_FOUND:
                logs.info("already gone", resource=self.name, id=resource_id, region=chime.region)
                return
            if err.code not in (CONFLICT, BAD_REQUEST):
                raise
            raise ProviderError(
                f"{self.name} {resource_id} in {chime.region} could not be deleted: {err.code}: "
                f"{err.aws_message}. {self.blocked_by.format(id=resource_id)}"
            ) from err
        logs.info("deleted", resource=self.name, id=resource_id, region=chime.region)
