"""Properties of the SIP rule: which dialled number (or Voice Connector host) reaches the SIP media application."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast, get_args

from calls.e164 import is_e164  # botocore allows E.164 without "+"; we insist, it is the SIP rule form
from telephony_provider.properties.reader import PropertyReader
from telephony_provider.properties.values import SipRuleProps, TriggerType

_HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")


def parse_sip_rule(raw: Mapping[str, Any]) -> SipRuleProps:
    r = PropertyReader("SipRule", raw)
    r.only("Name", "TriggerType", "TriggerValue", "SipMediaApplicationId", "AwsRegion", "Priority")
    trigger_type = cast(TriggerType, r.choice("TriggerType", get_args(TriggerType)))
    if trigger_type == "ToPhoneNumber":
        trigger_value = r.text("TriggerValue", valid=is_e164, hint="an E.164 number such as +12065550100")
    else:
        trigger_value = r.text(
            "TriggerValue", pattern=_HOSTNAME, hint="a host name (a Voice Connector's OutboundHostName)"
        )
    return SipRuleProps(
        name=r.name(),
        trigger_type=trigger_type,
        trigger_value=trigger_value,
        sip_media_application_id=r.text("SipMediaApplicationId", pattern=re.compile(r"\S+"), hint="an id"),
        aws_region=r.region("AwsRegion"),
        priority=r.integer("Priority", default=1, minimum=1),
    )
