"""The Azure OpenAI API key, read from Secrets Manager once per container and kept in memory, never logged."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from calls.faults import error_code
from meeting_api.errors import AzureKeyUnavailable

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


class AzureKeySource:
    def __init__(self, client: SecretsManagerClient, secret_arn: str) -> None:
        self._client = client
        self._arn = secret_arn
        self._key: str | None = None

    def current(self) -> str:
        if self._key is None:
            self._key = self._read()
        return self._key

    def reload(self) -> bool:
        """Read the secret again (after Azure refused the key); True when it holds a different key now."""
        previous, self._key = self._key, self._read()
        return self._key != previous

    def _read(self) -> str:
        try:
            response = self._client.get_secret_value(SecretId=self._arn)
        except ClientError as error:
            raise AzureKeyUnavailable(
                f"could not read the Azure OpenAI key from Secrets Manager ({error_code(error)}): check "
                "AZURE_OPENAI_SECRET_ARN and the function's secretsmanager:GetSecretValue permission"
            ) from None
        except BotoCoreError:
            raise AzureKeyUnavailable("Secrets Manager did not answer in time; retry shortly") from None
        try:
            key = json.loads(response.get("SecretString") or "")["apiKey"]
        except (ValueError, TypeError, KeyError):
            key = None
        if not isinstance(key, str) or not key.strip():
            raise AzureKeyUnavailable('the Azure OpenAI secret must be the JSON {"apiKey": "<key>"}')
        return key.strip()
