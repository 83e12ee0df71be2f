"""VoiceConnectorSettings: termination, origination and logging of a Voice Connector, as one resource.

CloudFormation has no type for any of them. Each Put is a full replacement, so repeating a request is
harmless; a section removed on Update is deleted, and Delete removes both and turns logging off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from telephony_provider import logs
from telephony_provider.chime import NOT_FOUND, REFUSED, Chime, ChimeCallError, ChimeFactory
from telephony_provider.errors import ProviderError
from telephony_provider.events import Outcome, Request
from telephony_provider.properties import Logging, Origination, Termination, VoiceConnectorSettingsProps

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_voice import ChimeSDKVoiceClient
    from mypy_boto3_chime_sdk_voice.type_defs import OriginationTypeDef, TerminationTypeDef

S = TypeVar("S", Termination, Origination)

LOGGING_OFF = Logging(enable_sip_logs=False, enable_media_metric_logs=False)


def physical_id_for(props: VoiceConnectorSettingsProps) -> str:
    return f"{props.voice_connector_id}-settings"


def termination_request(termination: Termination) -> TerminationTypeDef:
    request: TerminationTypeDef = {
        "CallingRegions": list(termination.calling_regions),
        "CidrAllowedList": list(termination.cidr_allowed_list),
        "CpsLimit": termination.cps_limit,
        "Disabled": termination.disabled,
    }
    if termination.default_phone_number:
        request["DefaultPhoneNumber"] = termination.default_phone_number
    return request


def origination_request(origination: Origination) -> OriginationTypeDef:
    return {
        "Routes": [
            {
                "Host": route.host,
                "Port": route.port,
                "Protocol": route.protocol,
                "Priority": route.priority,
                "Weight": route.weight,
            }
            for route in origination.routes
        ],
        "Disabled": origination.disabled,
    }


def on_event(request: Request[VoiceConnectorSettingsProps], chimes: ChimeFactory) -> Outcome:
    props, event = request.props, request.event
    chime = chimes(props.aws_region or event.region)
    vc_id = props.voice_connector_id
    if event.request_type == "Delete":
        _remove_termination(chime, vc_id)
        _remove_origination(chime, vc_id)
        _put_logging(chime, vc_id, LOGGING_OFF, missing_ok=True)
        return Outcome(event.require_physical_id())
    # On Update, sections dropped from the same Voice Connector are deleted. A different Voice Connector
    # gives a new physical id, and CloudFormation's Delete of the old id cleans up the old one.
    old = request.old_props
    previous = old if event.request_type == "Update" and old and old.voice_connector_id == vc_id else None
    termination_before = previous.termination if previous else None
    _put_or_drop(chime, vc_id, props.termination, termination_before, _put_termination, _remove_termination)
    origination_before = previous.origination if previous else None
    _put_or_drop(chime, vc_id, props.origination, origination_before, _put_origination, _remove_origination)
    _put_logging(chime, vc_id, props.logging, missing_ok=False)
    logs.info(
        "Voice Connector settings applied",
        voice_connector=vc_id,
        termination=props.termination is not None,
        origination=props.origination is not None,
    )
    return Outcome(physical_id_for(props), {"VoiceConnectorId": vc_id})


def _put_or_drop(  # noqa: PLR0917 - reads as its rule: put what is wanted, else remove what was there
    chime: Chime,
    vc_id: str,
    wanted: S | None,
    before: S | None,
    put: Callable[[Chime, str, S], None],
    remove: Callable[[Chime, str], None],
) -> None:
    """A section in the properties is put; one dropped from the same Voice Connector since is removed."""
    if wanted is not None:
        put(chime, vc_id, wanted)
    elif before is not None:
        remove(chime, vc_id)


def _put_termination(chime: Chime, vc_id: str, termination: Termination) -> None:
    request = termination_request(termination)
    chime.call(
        "PutVoiceConnectorTermination",
        lambda c: c.put_voice_connector_termination(VoiceConnectorId=vc_id, Termination=request),
    )


def _put_origination(chime: Chime, vc_id: str, origination: Origination) -> None:
    request = origination_request(origination)
    chime.call(
        "PutVoiceConnectorOrigination",
        lambda c: c.put_voice_connector_origination(VoiceConnectorId=vc_id, Origination=request),
    )


def _remove_termination(chime: Chime, vc_id: str) -> None:
    # AWS: emergency calling, if configured, must be deleted before termination can be.
    _tolerating_not_found(
        chime,
        "DeleteVoiceConnectorTermination",
        lambda c: c.delete_voice_connector_termination(VoiceConnectorId=vc_id),
    )


def _remove_origination(chime: Chime, vc_id: str) -> None:
    _tolerating_not_found(
        chime,
        "DeleteVoiceConnectorOrigination",
        lambda c: c.delete_voice_connector_origination(VoiceConnectorId=vc_id),
    )


def _tolerating_not_found(
    chime: Chime, operation: str, request: Callable[[ChimeSDKVoiceClient], object]
) -> None:
    try:
        chime.call(operation, request)
    except ChimeCallError as err:
        if err.code != NOT_FOUND:
            raise
        logs.info("nothing to remove", operation=operation, region=chime.region)


def _put_logging(chime: Chime, vc_id: str, logging: Logging, *, missing_ok: bool) -> None:
    try:
        chime.call(
            "PutVoiceConnectorLoggingConfiguration",
            lambda c: c.put_voice_connector_logging_configuration(
                VoiceConnectorId=vc_id,
                LoggingConfiguration={
                    "EnableSIPLogs": logging.enable_sip_logs,
                    "EnableMediaMetricLogs": logging.enable_media_metric_logs,
                },
            ),
        )
    except ChimeCallError as err:
        if err.code == NOT_FOUND and missing_ok:
            logs.info("Voice Connector gone; no logging to turn off", voice_connector=vc_id)
            return
        if err.code in REFUSED:
            raise ProviderError(
                f"Amazon Chime SDK refused to configure logging for Voice Connector {vc_id} in "
                f"{chime.region}: {err.code}: {err.aws_message}. The provider's role needs the CloudWatch "
                "Logs delivery permissions listed in telephony_provider.iam.LOG_DELIVERY_ACTIONS."
            ) from err
        raise
