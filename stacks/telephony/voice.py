"""Chime SDK Voice resources: L1s where CloudFormation has them in the region, our provider elsewhere."""

from __future__ import annotations

from typing import Any

from aws_cdk import CustomResource, RemovalPolicy, Stack
from aws_cdk import aws_chime as chime
from constructs import Construct

from stacks.settings import VOICE_REGIONS, PhoneNumberChoice, VoiceConnectorOptions

# Regions whose CloudFormation offers AWS::Chime::VoiceConnector and AWS::Chime::SipMediaApplication
# (cfn-lint's region data; a test keeps this in step with it): every voice region but us-west-2 today.
REGIONS_WITH_CFN_CHIME_VOICE = frozenset(VOICE_REGIONS) - {"us-west-2"}


def _custom(
    scope: Construct, construct_id: str, token: str, kind: str, props: dict[str, Any]
) -> CustomResource:
    return CustomResource(
        scope,
        construct_id,
        service_token=token,
        resource_type=f"Custom::Chime{kind}",
        properties={"ResourceType": kind, **props},
    )


class Preflight(Construct):
    """Proves, before anything costs money, that this account may create SIP media applications.

    AWS closed SIP media applications to new customers on 2026-10-29. The provider creates and at once
    deletes a probe SMA and fails the deploy with a plain message (account, region, what to do) if refused.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, service_token: str, lambda_arn: str, prefix: str
    ):
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.resource = _custom(
            self,
            "Check",
            service_token,
            "Preflight",
            {
                "AccountId": stack.account,
                "AwsRegion": stack.region,
                "LambdaArn": lambda_arn,
                "NamePrefix": prefix,
            },
        )


class VoiceServiceRole(Construct):
    """Creates AWSServiceRoleForAmazonChimeVoiceConnector if the account lacks it (Speak uses Polly through
    it); never deletes it, since it is account-wide."""

    def __init__(self, scope: Construct, construct_id: str, *, service_token: str):
        super().__init__(scope, construct_id)
        self.resource = _custom(self, "Resource", service_token, "ServiceLinkedRole", {})


class VoiceConnector(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, service_token: str, name: str, encryption: bool
    ):
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        if stack.region in REGIONS_WITH_CFN_CHIME_VOICE:
            resource = chime.CfnVoiceConnector(
                self, "Resource", name=name, aws_region=stack.region, require_encryption=encryption
            )
            self.voice_connector_id: str = resource.attr_voice_connector_id
            self.outbound_host_name: str = resource.attr_outbound_host_name
            self.node.default_child = resource
        else:
            custom = _custom(
                self,
                "Resource",
                service_token,
                "VoiceConnector",
                {"Name": name, "AwsRegion": stack.region, "RequireEncryption": encryption},
            )
            self.voice_connector_id = custom.get_att_string("VoiceConnectorId")
            self.outbound_host_name = custom.get_att_string("OutboundHostName")


class VoiceConnectorSettings(Construct):
    """Termination (calls from your SIP trunk to the PSTN), origination routes, and SIP/metric logging."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service_token: str,
        voice_connector_id: str,
        options: VoiceConnectorOptions,
    ):
        super().__init__(scope, construct_id)
        props: dict[str, Any] = {
            "VoiceConnectorId": voice_connector_id,
            "Logging": {
                "EnableSIPLogs": options.sip_logging,
                "EnableMediaMetricLogs": options.media_metrics_logging,
            },
        }
        if options.termination_cidrs:
            props["Termination"] = {
                "CallingRegions": list(options.termination_calling_regions),
                "CidrAllowedList": list(options.termination_cidrs),
                "CpsLimit": options.termination_cps_limit,
            }
        if options.origination_routes:
            props["Origination"] = {
                "Routes": [
                    {
                        "Host": route.host,
                        "Port": route.port,
                        "Protocol": route.protocol,
                        "Priority": route.priority,
                        "Weight": route.weight,
                    }
                    for route in options.origination_routes
                ]
            }
        self.resource = _custom(self, "Resource", service_token, "VoiceConnectorSettings", props)


class SipMediaApplication(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, service_token: str, name: str, lambda_arn: str
    ):
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        if stack.region in REGIONS_WITH_CFN_CHIME_VOICE:
            resource = chime.CfnSipMediaApplication(
                self,
                "Resource",
                name=name,
                aws_region=stack.region,
                endpoints=[
                    chime.CfnSipMediaApplication.SipMediaApplicationEndpointProperty(lambda_arn=lambda_arn)
                ],
            )
            self.sip_media_application_id: str = resource.attr_sip_media_application_id
            self.node.default_child = resource
        else:
            custom = _custom(
                self,
                "Resource",
                service_token,
                "SipMediaApplication",
                {"Name": name, "AwsRegion": stack.region, "LambdaArn": lambda_arn},
            )
            self.sip_media_application_id = custom.get_att_string("SipMediaApplicationId")


class PhoneNumber(Construct):
    """The number callers dial: ordered (waiting for the order asynchronously) or an existing one adopted.

    Kept when the stack is deleted unless releaseNumberOnDelete is set: people already dial it, and a
    released number sits in a deletion queue for 7 days.
    """

    def __init__(self, scope: Construct, construct_id: str, *, service_token: str, choice: PhoneNumberChoice):
        super().__init__(scope, construct_id)
        props: dict[str, Any] = {
            "Mode": choice.mode,
            "ProductType": "SipMediaApplicationDialIn",
            "ReleaseOnDelete": choice.release_on_delete,
        }
        if choice.existing:
            props["E164"] = choice.existing
        else:
            props.update({"Country": choice.country, "NumberType": choice.number_type})
            if choice.area_code:
                props["AreaCode"] = choice.area_code
            if choice.toll_free_prefix:
                props["TollFreePrefix"] = choice.toll_free_prefix
        self.resource = _custom(self, "Resource", service_token, "PhoneNumber", props)
        self.resource.apply_removal_policy(
            RemovalPolicy.DESTROY if choice.release_on_delete else RemovalPolicy.RETAIN
        )
        self.e164: str = self.resource.get_att_string("PhoneNumber")


class SipRule(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service_token: str,
        name: str,
        trigger_type: str,
        trigger_value: str,
        sip_media_application_id: str,
    ):
        super().__init__(scope, construct_id)
        self.resource = _custom(
            self,
            "Resource",
            service_token,
            "SipRule",
            {
                "Name": name,
                "TriggerType": trigger_type,
                "TriggerValue": trigger_value,
                "SipMediaApplicationId": sip_media_application_id,
                "AwsRegion": Stack.of(self).region,
                "Priority": 1,
            },
        )
        self.sip_rule_id = self.resource.ref
