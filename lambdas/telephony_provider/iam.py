"""IAM actions the telephony provider needs, for the CDK stack's least-privilege role.

Kept free of imports so the CDK app can import it without boto3. The chime-sdk-voice API signs as
``chime`` and its operations are authorised as ``chime:<Operation>`` (Service Authorization Reference,
"Actions, resources, and condition keys for Amazon Chime"). A unit test checks this set against the
operations the tests stub, both ways.
"""

CHIME_VOICE_ACTIONS: frozenset[str] = frozenset(
    {
        # Preflight and SipMediaApplication
        "chime:CreateSipMediaApplication",
        "chime:UpdateSipMediaApplication",
        "chime:DeleteSipMediaApplication",
        # VoiceConnector
        "chime:CreateVoiceConnector",
        "chime:UpdateVoiceConnector",
        "chime:DeleteVoiceConnector",
        # PhoneNumber
        "chime:SearchAvailablePhoneNumbers",
        "chime:CreatePhoneNumberOrder",
        "chime:GetPhoneNumberOrder",
        "chime:ListPhoneNumbers",
        "chime:GetPhoneNumber",
        "chime:UpdatePhoneNumber",
        "chime:DeletePhoneNumber",
        # SipRule
        "chime:CreateSipRule",
        "chime:UpdateSipRule",
        "chime:DeleteSipRule",
        "chime:ListSipRules",
        # VoiceConnectorSettings
        "chime:PutVoiceConnectorTermination",
        "chime:DeleteVoiceConnectorTermination",
        "chime:PutVoiceConnectorOrigination",
        "chime:DeleteVoiceConnectorOrigination",
        "chime:PutVoiceConnectorLoggingConfiguration",
    }
)

# PutVoiceConnectorLoggingConfiguration sets up CloudWatch Logs "vended log" delivery as the caller. The
# Service Authorization Reference lists logs:CreateLogDelivery, GetLogDelivery, DeleteLogDelivery,
# ListLogDeliveries, CreateLogGroup and DescribeLogGroups as its dependent actions; the rest are what
# vended-log delivery to CloudWatch Logs needs besides (without PutResourcePolicy the call fails with
# "Access Denied for LogDestination"). None supports resource-level scoping, so grant them on "*".
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
