"""SipMediaApplication: the fallback where CloudFormation lacks AWS::Chime::SipMediaApplication."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telephony_provider import logs
from telephony_provider.chime import QUOTA_EXCEEDED, REFUSED, Chime, ChimeCallError, ChimeFactory
from telephony_provider.errors import ProviderError
from telephony_provider.events import Outcome, Request
from telephony_provider.properties import ChimeRegion, SipMediaApplicationProps
from telephony_provider.regional import RegionalResource, run_lifecycle

if TYPE_CHECKING:
    from mypy_boto3_chime_sdk_voice.type_defs import SipMediaApplicationTypeDef

CLOSED_TO_NEW_CUSTOMERS = "2026-10-29"
# AWS's page on the change ("Amazon Chime SDK SIP media applications availability change"), linked from the
# admin guide's "Managing SIP media applications" and the developer guide's PSTN audio section.
AVAILABILITY_CHANGE_DOCS = (
    "https://docs.aws.amazon.com/chime-sdk/latest/ag/sip-applications-maintenance-mode.html"
)
# The route for accounts that are refused: this app uses its SIP media application only to put phone calls
# into Chime SDK meetings (dial-in, and dial-out by CreateSipMediaApplicationCall), the use AWS names.
EXCEPTION_ROUTE = (
    "ask AWS Support for a PSTN Audio Maintenance Mode Exception, which AWS offers to customers who use "
    "SIP media applications only for Amazon Chime SDK meeting dial-in and dial-out, as this app does: "
    f"{AVAILABILITY_CHANGE_DOCS}"
)
SIP_MEDIA_APPLICATION = RegionalResource(
    "SIP media application",
    id_key="SipMediaApplicationId",
    attribute="SipMediaApplicationArn",
    delete_call=lambda c, app_id: c.delete_sip_media_application(SipMediaApplicationId=app_id),
    blocked_by="SIP rules that target it must be deleted first "
    "(aws chime-sdk-voice list-sip-rules --sip-media-application {id}).",
)


def explain_creation_failure(err: ChimeCallError, *, account_id: str, region: str) -> str | None:
    """The operator's explanation when CreateSipMediaApplication is refused, or None if it wasn't."""
    said = f"(AWS said: {err.code}: {err.aws_message})"
    if err.code in REFUSED:
        explanation = (
            f"Account {account_id} cannot create Amazon Chime SDK SIP media applications in {region}: "
            f"AWS closed them to new customers on {CLOSED_TO_NEW_CUSTOMERS} (existing customers keep them). "
            f"Deploy with an account that already uses SIP media applications, or {EXCEPTION_ROUTE} "
            f"{said}"
        )
        if err.code == "AccessDeniedException":
            explanation += (
                " If that message names an IAM action, the provider's role lacks "
                "chime:CreateSipMediaApplication instead."
            )
        return explanation
    if err.code == QUOTA_EXCEEDED:
        return (
            f"Account {account_id} has reached its quota of SIP media applications in {region}. "
            f"Delete unused ones (aws chime-sdk-voice list-sip-media-applications --region {region}) "
            f"or ask for a higher quota in Service Quotas. {said}"
        )
    return None


def on_event(request: Request[SipMediaApplicationProps], chimes: ChimeFactory) -> Outcome:
    props, old, event = request.props, request.old_props, request.event
    chime = chimes(props.aws_region)
    return run_lifecycle(
        event,
        # An application lives in one region: moving it means a new one.
        replace=old is not None and old.aws_region != props.aws_region,
        create=lambda: _create(chime, props, account_id=event.account_id),
        update=lambda physical_id: _update(chime, physical_id, props),
        delete=lambda physical_id: SIP_MEDIA_APPLICATION.delete(chime, physical_id),
    )


def _update(chime: Chime, application_id: str, props: SipMediaApplicationProps) -> Outcome:
    updated = SIP_MEDIA_APPLICATION.update(
        chime,
        "UpdateSipMediaApplication",
        lambda c: c.update_sip_media_application(
            SipMediaApplicationId=application_id, Name=props.name, Endpoints=[{"LambdaArn": props.lambda_arn}]
        ),
        application_id,
    )
    return SIP_MEDIA_APPLICATION.outcome(updated["SipMediaApplication"], fallback_id=application_id)


def create_application(
    chime: Chime, *, name: str, region: ChimeRegion, lambda_arn: str, account_id: str
) -> SipMediaApplicationTypeDef:
    """CreateSipMediaApplication, with a refusal explained (shared with the preflight probe)."""
    try:
        created = chime.call(
            "CreateSipMediaApplication",
            lambda c: c.create_sip_media_application(
                AwsRegion=region, Name=name, Endpoints=[{"LambdaArn": lambda_arn}]
            ),
        )
    except ChimeCallError as err:
        explanation = explain_creation_failure(err, account_id=account_id, region=region)
        if explanation is None:
            raise
        raise ProviderError(explanation) from err
    return created["SipMediaApplication"]


def _create(chime: Chime, props: SipMediaApplicationProps, *, account_id: str) -> Outcome:
    application = create_application(
        chime, name=props.name, region=props.aws_region, lambda_arn=props.lambda_arn, account_id=account_id
    )
    logs.info(
        "created SIP media application", id=application.get("SipMediaApplicationId"), region=chime.region
    )
    return SIP_MEDIA_APPLICATION.outcome(application, fallback_id="")


def delete_probe(chime: Chime, application_id: str) -> None:
    """Delete the preflight's probe application; a leftover probe costs nothing, so only warn."""
    try:
        SIP_MEDIA_APPLICATION.delete(chime, application_id)
    except (ChimeCallError, ProviderError) as err:
        logs.warning(
            "preflight probe SIP media application was not deleted; delete it by hand",
            id=application_id,
            region=chime.region,
            error=str(err),
            command=(
                "aws chime-sdk-voice delete-sip-media-application "
                f"--sip-media-application-id {application_id} --region {chime.region}"
            ),
        )
