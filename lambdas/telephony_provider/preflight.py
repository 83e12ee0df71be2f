"""Preflight: prove the account may create a SIP media application before anything costs money.

AWS closed SIP media applications to new customers on 2026-10-29; an account that never used them is
refused. No API reports that eligibility, so a probe application is created and deleted at once; it
runs before the phone number order so that a refused account fails fast, plainly, and for free. The
refusal (`explain_creation_failure`) names AWS's exception for meeting dial-in/dial-out use, which is ours.
"""

from __future__ import annotations

from telephony_provider import logs
from telephony_provider.chime import ChimeFactory
from telephony_provider.events import Outcome, Request
from telephony_provider.properties import PreflightProps
from telephony_provider.sip_media_application import create_application, delete_probe


def on_event(request: Request[PreflightProps], chimes: ChimeFactory) -> Outcome:
    props, event = request.props, request.event
    if event.request_type == "Delete":
        return Outcome(event.require_physical_id())
    physical_id = event.physical_id or f"{props.name_prefix}-preflight-{props.account_id}-{props.aws_region}"
    chime = chimes(props.aws_region)
    probe = create_application(
        chime,
        name=f"{props.name_prefix}-preflight",
        region=props.aws_region,
        lambda_arn=props.lambda_arn,
        account_id=props.account_id,
    )
    probe_id = probe.get("SipMediaApplicationId")
    if probe_id:
        delete_probe(chime, probe_id)
    logs.info(
        "preflight passed: SIP media applications can be created",
        account=props.account_id,
        region=chime.region,
    )
    return Outcome(physical_id)
