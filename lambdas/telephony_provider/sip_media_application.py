"""SipMediaApplication: the fallback where CloudFormation lacks AWS::Chime::SipMediaApplication."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telephony_provider import logs
from telephony_provider.chime import (
    BAD_REQUEST,
    CONFLICT,
    NOT_FOUND,
    QUOTA_EXCEEDED,
    REFUSED,
    Chime,
    ChimeCallError,
    ChimeFactory,
)
from telephony_provider.errors import ProviderError
from telephony_provider.events import Outcome, Request
from telephony_provider.properties import ChimeRegion, SipMediaApplicationProps

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
    props, event = request.props, request.event
    chime = chimes(props.aws_region)
    if event.request_type == "Create":
        return _create(chime, props, account_id=event.account_id)
    physical_id = event.require_physical_id()
    if event.request_type == "Update":
        old = request.old_props
        if old is not None and old.aws_region != props.aws_region:
            # An application lives in one region: moving it means a new one (CloudFormation then
            # deletes the old one).
            return _create(chime, props, account_id=event.account_id)
        try:
            updated = chime.call(
                "UpdateSipMediaApplication",
                lambda c: c.update_sip_media_application(
                    SipMediaApplicationId=physical_id,
                    Name=props.name,
                    Endpoints=[{"LambdaArn": props.lambda_arn}],
                ),
            )
        except ChimeCallError as err:
            if err.code == NOT_FOUND:
                raise ProviderError(
                    f"SIP media application {physical_id} no longer exists in {props.aws_region}, so it "
                    "can't be updated. Something deleted it outside CloudFormation; remove the resource "
                    "from the stack and add it back to create a new one."
                ) from err
            raise
        return _outcome(updated["SipMediaApplication"], fallback_id=physical_id)
    _delete(chime, physical_id)
    return Outcome(physical_id)


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
    return _outcome(application, fallback_id="")


def _outcome(application: SipMediaApplicationTypeDef, *, fallback_id: str) -> Outcome:
    application_id = application.get("SipMediaApplicationId", fallback_id)
    if not application_id:
        raise ProviderError("CreateSipMediaApplication answered without a SipMediaApplicationId; try again.")
    return Outcome(
        application_id,
        {
            "SipMediaApplicationId": application_id,
            "SipMediaApplicationArn": application.get("SipMediaApplicationArn", ""),
        },
    )


def _delete(chime: Chime, application_id: str) -> None:
    try:
        chime.call(
            "DeleteSipMediaApplication",
            lambda c: c.delete_sip_media_application(SipMediaApplicationId=application_id),
        )
    except ChimeCallError as err:
        if err.code == NOT_FOUND:
            logs.info("SIP media application already gone", id=application_id, region=chime.region)
            return
        if err.code not in (CONFLICT, BAD_REQUEST):
            raise
        raise ProviderError(
            f"SIP media application {application_id} in {chime.region} could not be deleted: {err.code}: "
            f"{err.aws_message}. SIP rules that target it must be deleted first "
            f"(aws chime-sdk-voice list-sip-rules --sip-media-application {application_id})."
        ) from err
    logs.info("deleted SIP media application", id=application_id, region=chime.region)


def delete_probe(chime: Chime, application_id: str) -> None:
    """Delete the preflight's probe application; a leftover probe costs nothing, so only warn."""
    try:
        chime.call(
            "DeleteSipMediaApplication",
            lambda c: c.delete_sip_media_application(SipMediaApplicationId=application_id),
        )
    except ChimeCallError as err:
        if err.code != NOT_FOUND:
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
