"""VoiceConnector: the fallback for regions where CloudFormation lacks AWS::Chime::VoiceConnector."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telephony_provider import logs
from telephony_provider.chime import BAD_REQUEST, CONFLICT, NOT_FOUND, Chime, ChimeCallError, ChimeFactory
from telephony_provider.errors import ProviderError
from telephony_provider.events import Outcome, Request
from telephony_provider.properties import VoiceConnectorProps

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_voice.type_defs import VoiceConnectorTypeDef


def on_event(request: Request[VoiceConnectorProps], chimes: ChimeFactory) -> Outcome:
    props, event = request.props, request.event
    chime = chimes(props.aws_region)
    if event.request_type == "Create":
        return _create(chime, props)
    physical_id = event.require_physical_id()
    if event.request_type == "Update":
        old = request.old_props
        if old is not None and old.aws_region != props.aws_region:
            # A Voice Connector lives in one region: moving it means a new one (new id and outbound host
            # name); CloudFormation then deletes the old one.
            return _create(chime, props)
        try:
            updated = chime.call(
                "UpdateVoiceConnector",
                lambda c: c.update_voice_connector(
                    VoiceConnectorId=physical_id, Name=props.name, RequireEncryption=props.require_encryption
                ),
            )
        except ChimeCallError as err:
            if err.code == NOT_FOUND:
                raise ProviderError(
                    f"Voice Connector {physical_id} no longer exists in {props.aws_region}, so it can't be "
                    "updated. Something deleted it outside CloudFormation; remove the resource from the "
                    "stack and add it back to create a new one."
                ) from err
            raise
        return _outcome(updated["VoiceConnector"], fallback_id=physical_id)
    _delete(chime, physical_id)
    return Outcome(physical_id)


def _create(chime: Chime, props: VoiceConnectorProps) -> Outcome:
    created = chime.call(
        "CreateVoiceConnector",
        lambda c: c.create_voice_connector(
            Name=props.name, AwsRegion=props.aws_region, RequireEncryption=props.require_encryption
        ),
    )
    outcome = _outcome(created["VoiceConnector"], fallback_id="")
    logs.info("created Voice Connector", id=outcome.physical_id, region=chime.region)
    return outcome


def _outcome(voice_connector: VoiceConnectorTypeDef, *, fallback_id: str) -> Outcome:
    voice_connector_id = voice_connector.get("VoiceConnectorId", fallback_id)
    if not voice_connector_id:
        raise ProviderError("CreateVoiceConnector answered without a VoiceConnectorId; try again.")
    return Outcome(
        voice_connector_id,
        {
            "VoiceConnectorId": voice_connector_id,
            "OutboundHostName": voice_connector.get("OutboundHostName", ""),
        },
    )


def _delete(chime: Chime, voice_connector_id: str) -> None:
    try:
        chime.call(
            "DeleteVoiceConnector", lambda c: c.delete_voice_connector(VoiceConnectorId=voice_connector_id)
        )
    except ChimeCallError as err:
        if err.code == NOT_FOUND:
            logs.info("Voice Connector already gone", id=voice_connector_id, region=chime.region)
            return
        if err.code not in (CONFLICT, BAD_REQUEST):
            raise
        raise ProviderError(
            f"Voice Connector {voice_connector_id} in {chime.region} could not be deleted: {err.code}: "
            f"{err.aws_message}. Phone numbers associated with it must be disassociated first "
            f"(aws chime-sdk-voice list-phone-numbers --filter-name VoiceConnectorId "
            f"--filter-value {voice_connector_id})."
        ) from err
    logs.info("deleted Voice Connector", id=voice_connector_id, region=chime.region)
