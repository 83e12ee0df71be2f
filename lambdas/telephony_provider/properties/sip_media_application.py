"""Properties of the SIP media application, the preflight probe that tries creating one, and the role it needs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from telephony_provider.properties.reader import PropertyReader
from telephony_provider.properties.values import PreflightProps, SipMediaApplicationProps

# Patterns from the botocore model, anchored.
_LAMBDA_ARN = re.compile(
    r"arn:(aws[a-zA-Z-]*)?:lambda:(?P<region>[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}):\d{12}"
    r":function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
_ACCOUNT_ID = re.compile(r"\d{12}")


def _lambda_arn(reader: PropertyReader, region: str) -> str:
    arn = reader.text("LambdaArn", pattern=_LAMBDA_ARN, hint="a Lambda function ARN")
    match = _LAMBDA_ARN.fullmatch(arn)
    if match is not None and match.group("region") != region:
        raise reader.error(
            "LambdaArn", f"must be a function in {region} (the SIP media application's region), got {arn!r}"
        )
    return arn


def parse_service_linked_role(raw: Mapping[str, Any]) -> None:
    PropertyReader("ServiceLinkedRole", raw).only()


def parse_preflight(raw: Mapping[str, Any]) -> PreflightProps:
    r = PropertyReader("Preflight", raw)
    r.only("AccountId", "AwsRegion", "LambdaArn", "NamePrefix")
    region = r.region("AwsRegion")
    return PreflightProps(
        account_id=r.text("AccountId", pattern=_ACCOUNT_ID, hint="a 12-digit AWS account id"),
        aws_region=region,
        lambda_arn=_lambda_arn(r, region),
        # "-preflight" is appended to make the probe's name, which must stay within the name pattern.
        name_prefix=r.text(
            "NamePrefix", pattern=re.compile(r"[a-zA-Z0-9 _.-]{1,200}"), hint="1-200 name characters"
        ),
    )


def parse_sip_media_application(raw: Mapping[str, Any]) -> SipMediaApplicationProps:
    r = PropertyReader("SipMediaApplication", raw)
    r.only("Name", "AwsRegion", "LambdaArn")
    region = r.region("AwsRegion")
    return SipMediaApplicationProps(name=r.name(), aws_region=region, lambda_arn=_lambda_arn(r, region))
