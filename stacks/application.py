"""Composes the app's stacks from validated settings and adds the cdk-nag AwsSolutions checks."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Aws, Environment, Tags, Validations
from cdk_nag import AwsSolutionsChecks

from stacks.meeting_api.stack import MeetingApiStack
from stacks.settings import DeploySettings
from stacks.telephony.stack import TelephonyStack
from stacks.web.stacks import WebClientStack, WebHostingStack


@dataclass(frozen=True)
class PhoneLine:
    telephony: TelephonyStack
    web_hosting: WebHostingStack
    meeting_api: MeetingApiStack
    web_client: WebClientStack

    @property
    def stacks(self) -> tuple[TelephonyStack, WebHostingStack, MeetingApiStack, WebClientStack]:
        return (self.telephony, self.web_hosting, self.meeting_api, self.web_client)


def compose(app: App, settings: DeploySettings) -> PhoneLine:
    env = Environment(account=settings.account, region=settings.region)
    telephony = TelephonyStack(
        app,
        settings.stack_name("telephony"),
        settings=settings,
        env=env,
        description="AI phone line: Voice Connector, number, SIP media application, call control, calls table",
    )
    web_hosting = WebHostingStack(
        app,
        settings.stack_name("web-hosting"),
        settings=settings,
        env=env,
        description="AI phone line: private bucket and CloudFront distribution for the agent web client",
    )
    meeting_api = MeetingApiStack(
        app,
        settings.stack_name("meeting-api"),
        settings=settings,
        table=telephony.calls_table.table,
        sma_id=telephony.sma_id,
        phone_number_parameter=settings.phone_number_parameter_name,
        web_url=web_hosting.url,
        cognito_domain_prefix=settings.cognito_domain_prefix(Aws.ACCOUNT_ID),
        env=env,
        description="AI phone line: agent sign-in (Cognito) and the meeting API",
    )
    web_client = WebClientStack(
        app,
        settings.stack_name("web-client"),
        settings=settings,
        hosting=web_hosting,
        config=meeting_api.web_config,
        env=env,
        description="AI phone line: the built agent web client and its config.json",
    )
    Tags.of(app).add("app", "ai-phone-line")
    Tags.of(app).add("app-prefix", settings.prefix)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return PhoneLine(
        telephony=telephony, web_hosting=web_hosting, meeting_api=meeting_api, web_client=web_client
    )
