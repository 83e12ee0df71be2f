"""VoiceConnector: the fallback for regions where CloudFormation lacks AWS::Chime::VoiceConnector."""

from __future__ import annotations

from telephony_provider import logs
from telephony_provider.chime import Chime, ChimeFactory
from telephony_provider.events import Outcome, Request
from telephony_provider.properties import VoiceConnectorProps
from telephony_provider.regional import RegionalResource, run_lifecycle

VOICE_CONNECTOR = RegionalResource(
    "Voice Connector",
    id_key="VoiceConnectorId",
    attribute="OutboundHostName",
    delete_call=lambda c, vc_id: c.delete_voice_connector(VoiceConnectorId=vc_id),
    blocked_by="Phone numbers associated with it must be disassociated first "
    "(aws chime-sdk-voice list-phone-numbers --filter-name VoiceConnectorId --filter-value {id}).",
)


def on_event(request: Request[VoiceConnectorProps], chimes: ChimeFactory) -> Outcome:
    props, old = request.props, request.old_props
    chime = chimes(props.aws_region)
    return run_lifecycle(
        request.event,
        # A Voice Connector lives in one region: moving it means a new one (new id and outbound host name).
        replace=old is not None and old.aws_region != props.aws_region,
        create=lambda: _create(chime, props),
        update=lambda physical_id: _update(chime, physical_id, props),
        delete=lambda physical_id: VOICE_CONNECTOR.delete(chime, physical_id),
    )


def _create(chime: Chime, props: VoiceConnectorProps) -> Outcome:
    created = chime.call(
        "CreateVoiceConnector",
        lambda c: c.create_voice_connector(
            Name=props.name, AwsRegion=props.aws_region, RequireEncryption=props.require_encryption
        ),
    )
    outcome = VOICE_CONNECTOR.outcome(created["VoiceConnector"], fallback_id="")
    logs.info("created Voice Connector", id=outcome.physical_id, region=chime.region)
    return outcome


def _update(chime: Chime, voice_connector_id: str, props: VoiceConnectorProps) -> Outcome:
    updated = VOICE_CONNECTOR.update(
        chime,
        "UpdateVoiceConnector",
        lambda c: c.update_voice_connector(
            VoiceConnectorId=voice_connector_id, Name=props.name, RequireEncryption=props.require_encryption
        ),
        voice_connector_id,
    )
    return VOICE_CONNECTOR.outcome(updated["VoiceConnector"], fallback_id=voice_connector_id)
