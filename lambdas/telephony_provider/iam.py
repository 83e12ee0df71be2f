"""IAM actions the telephony provider needs, for the CDK stack's least-privilege role.

Kept free of imports so the CDK app can import it without boto3. The chime-sdk-voice API signs as
``chime`` and its operations are authorised as ``chime:<Operation>`` (Service Authorization Reference,
"Actions, resources, and condition keys for Amazon Chime"). Unit tests check these sets against the
operations the tests stub, and each function's grants against what its code can reach
(tests/unit/stacks/test_provider_grants.py).
"""

# What is_complete calls: it only polls a phone number order until the number is in the inventory.
IS_COMPLETE_CHIME_ACTIONS: frozenset[str] = frozenset({"chime:GetPhoneNumberOrder", "chime:GetPhoneNumber"})

# What on_event calls, by the resource IAM authorizes each against (Service Authorization data, as
# cfn-lint ships it; tests/unit/stacks/test_iam_authorization.py checks these claims against it).
# Voice Connector and SIP media application actions name the resource in their URI: scoped to vc/* and
# sma/* of the stack's account and region.
VOICE_CONNECTOR_ACTIONS: frozenset[str] = frozenset(
    {
        "chime:UpdateVoiceConnector",
        "chime:DeleteVoiceConnector",
        "chime:PutVoiceConnectorTermination",
        "chime:DeleteVoiceConnectorTermination",
        "chime:PutVoiceConnectorOrigination",
        "chime:DeleteVoiceConnectorOrigination",
        "chime:PutVoiceConnectorLoggingConfiguration",
    }
)
SIP_MEDIA_APPLICATION_ACTIONS: frozenset[str] = frozenset(
    {"chime:UpdateSipMediaApplication", "chime:DeleteSipMediaApplication"}
)
# No resource type at all: IAM evaluates these against "*" only.
NO_RESOURCE_TYPE_CHIME_ACTIONS: frozenset[str] = frozenset(
    {
        "chime:CreateSipMediaApplication",
        "chime:CreateVoiceConnector",
        "chime:SearchAvailablePhoneNumbers",
        "chime:CreatePhoneNumberOrder",
        "chime:ListPhoneNumbers",
        "chime:GetPhoneNumber",
        "chime:UpdatePhoneNumber",
        "chime:DeletePhoneNumber",
        "chime:DeleteSipRule",
    }
)
# These list sip-media-application, but the request names the SMA only in an optional body field or
# query filter that our calls leave out (the disable-before-delete update, the unfiltered list), so a
# grant scoped to sma/* could miss the request: granted on "*".
SMA_IN_BODY_CHIME_ACTIONS: frozenset[str] = frozenset(
    {"chime:CreateSipRule", "chime:UpdateSipRule", "chime:ListSipRules"}
)
UNSCOPED_CHIME_ACTIONS: frozenset[str] = NO_RESOURCE_TYPE_CHIME_ACTIONS | SMA_IN_BODY_CHIME_ACTIONS
ON_EVENT_CHIME_ACTIONS: frozenset[str] = (
    VOICE_CONNECTOR_ACTIONS | SIP_MEDIA_APPLICATION_ACTIONS | UNSCOPED_CHIME_ACTIONS
)
CHIME_VOICE_ACTIONS: frozenset[str] = ON_EVENT_CHIME_ACTIONS | IS_COMPLETE_CHIME_ACTIONS

# PutVoiceConnectorLoggingConfiguration sets up CloudWatch Logs "vended log" delivery as the caller. The
# Service Authorization Reference lists logs:CreateLogDelivery, GetLogDelivery, DeleteLogDelivery,
# ListLogDeliveries, CreateLogGroup and DescribeLogGroups as its dependent actions; the rest are what
# vended-log delivery to CloudWatch Logs needs besides (without PutResourcePolicy the call fails with
# "Access Denied for LogDestination"). All but CreateLogGroup have no resource type; CreateLogGroup's log
# group is named by the Chime service, not by us, so all are granted on "*".
LOG_DELIVERY_ACTIONS: frozenset[str] = frozenset(
    {
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:CreateLogGroup",
        "logs:DescribeLogGroups",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
    }
)

# The service-linked role Speak needs: read to see whether it exists, create only when missing.
IAM_ROLE_ACTIONS: frozenset[str] = frozenset({"iam:GetRole", "iam:CreateServiceLinkedRole"})
