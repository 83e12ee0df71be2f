"""The one exception type whose message CloudFormation shows to the operator as the failure reason."""


class ProviderError(Exception):
    """A failure explained in plain English: which resource, what went wrong, what to do about it."""


class InvalidProperty(ProviderError):
    """A custom resource property is missing or malformed; the message names the property."""
