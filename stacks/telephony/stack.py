"""The phone line: Voice Connector, number, SIP media application, SIP rules, call control, calls table."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from calls.contracts import CALL_CONTROL_SERVICE, CallMetric
from stacks.common.monitoring import Monitoring
from stacks.settings import DeploySettings
from stacks.telephony.call_control_functions import CallControlFunctions
from stacks.telephony.calls_table import CallsTable
from stacks.telephony.provider import TelephonyProvider
from stacks.telephony.voice import (
    PhoneNumber,
    Preflight,
    SipMediaApplication,
    SipRule,
    VoiceConnector,
    VoiceConnectorSettings,
    VoiceServiceRole,
)


class TelephonyStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, settings: DeploySettings, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        # The construct ids predate the class names and stay: they make the logical ids (the table's too).
        self.calls_table = CallsTable(self, "CallStore")
        self.call_control_functions = CallControlFunctions(
            self, "CallControl", settings=settings, table=self.calls_table.table
        )
        provider = TelephonyProvider(self, "Provider")
        token = provider.service_token
        handler_arn = self.call_control_functions.function.function_arn

        # Order matters: the preflight runs first, and nothing is ordered until the SMA exists.
        preflight = Preflight(
            self, "Preflight", service_token=token, lambda_arn=handler_arn, prefix=settings.prefix
        )
        preflight.node.add_dependency(self.call_control_functions.function)
        self.sip_media_application = SipMediaApplication(
            self,
            "SipMediaApplication",
            service_token=token,
            name=settings.sip_media_application_name,
            lambda_arn=handler_arn,
        )
        self.sip_media_application.node.add_dependency(preflight)
        VoiceServiceRole(self, "VoiceServiceRole", service_token=token).node.add_dependency(preflight)
        self.voice_connector = VoiceConnector(
            self,
            "VoiceConnector",
            service_token=token,
            name=settings.voice_connector_name,
            encryption=settings.voice_connector.require_encryption,
        )
        self.voice_connector.node.add_dependency(preflight)
        VoiceConnectorSettings(
            self,
            "VoiceConnectorSettings",
            service_token=token,
            voice_connector_id=self.voice_connector.voice_connector_id,
            options=settings.voice_connector,
        )
        self.phone_number = PhoneNumber(self, "PhoneNumber", service_token=token, choice=settings.phone)
        self.phone_number.node.add_dependency(self.sip_media_application)
        sma_id = self.sip_media_application.sip_media_application_id
        SipRule(
            self,
            "NumberRule",
            service_token=token,
            name=settings.number_sip_rule_name,
            trigger_type="ToPhoneNumber",
            trigger_value=self.phone_number.e164,
            sip_media_application_id=sma_id,
        )
        SipRule(
            self,
            "TrunkRule",
            service_token=token,
            name=settings.trunk_sip_rule_name,
            trigger_type="RequestUriHostname",
            trigger_value=self.voice_connector.outbound_host_name,
            sip_media_application_id=sma_id,
        )
        self.call_control_functions.allow_call_updates(sma_id)
        # The meeting API reads our number from here at cold start: a cross-stack export would lock the
        # number against change (CloudFormation refuses to update an export another stack imports).
        self.phone_number_parameter = ssm.StringParameter(
            self,
            "PhoneNumberParameter",
            parameter_name=settings.phone_number_parameter_name,
            string_value=self.phone_number.e164,
            description="The phone line's number (caller id for outbound calls)",
        )

        self.monitoring = Monitoring(
            self,
            "Monitoring",
            dashboard_name=settings.telephony_dashboard_name,
            alarm_email=settings.alarm_email,
        )
        self.monitoring.watch_function("CallControl", self.call_control_functions.function)
        self.monitoring.watch_function("Sweeper", self.call_control_functions.sweeper)
        for metric_name, description in (
            (CallMetric.CALLS_FAILED.value, "A call failed to reach a meeting (the caller heard an apology)"),
            (
                CallMetric.HANDLER_FAILURES.value,
                "The call-control handler hit an unexpected error (answered politely)",
            ),
        ):
            self.monitoring.alarm_on_count(
                metric_name,
                namespace=settings.calls_metrics_namespace,
                service=CALL_CONTROL_SERVICE,
                description=description,
            )

        self.sma_id = sma_id
        for name, value, description in (
            ("PhoneNumber", self.phone_number.e164, "The number callers dial"),
            ("VoiceConnectorId", self.voice_connector.voice_connector_id, "Voice Connector id"),
            (
                "VoiceConnectorHost",
                self.voice_connector.outbound_host_name,
                "Voice Connector outbound host name",
            ),
            ("SipMediaApplicationId", sma_id, "SIP media application id"),
            ("Region", self.region, "Region of the phone line"),
            ("CallsTable", self.calls_table.table.table_name, "DynamoDB table of calls"),
        ):
            CfnOutput(self, f"{name}Output", value=value, description=description, key=name)
