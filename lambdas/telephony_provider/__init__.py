"""CloudFormation custom resources for the Amazon Chime SDK telephony that CloudFormation lacks.

Entry points for aws-cdk's provider framework: ``telephony_provider.handler.on_event`` and
``telephony_provider.handler.is_complete``. Only boto3 from the Lambda runtime is needed.
"""
