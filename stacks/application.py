"""Composes the app's stacks from validated settings and adds the cdk-nag AwsSolutions checks."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Environment, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from stacks.settings import Settings
from stacks.telephony.stack import TelephonyStack


@dataclass(frozen=True)
class PhoneLine:
    telephony: TelephonyStack


def compose(app: App, settings: Settings) -> PhoneLine:
    env = Environment(account=settings.account, region=settings.region)
    telephony = TelephonyStack(
        app,
        settings.stack_name("telephony"),
        settings=settings,
        env=env,
        description="AI phone line: Chime SDK Voice Connector, number, SIP media application, call control",
    )
    Tags.of(app).add("app", "ai-phone-line")
    Tags.of(app).add("app-prefix", settings.prefix)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return PhoneLine(telephony=telephony)
