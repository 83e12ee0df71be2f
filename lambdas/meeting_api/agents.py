"""Who is calling the API, and the Chime identifiers derived from that agent."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The web client sends Cognito ID tokens, which carry the agent's verified e-mail: that is who answered a
# call, as agents know each other. Users of an e-mail sign-in pool have a generated user name, so the
# user-name claims (`username` in access tokens, `cognito:username` in ID tokens) and `sub` only serve
# tokens without an e-mail.
_IDENTITY_CLAIMS = ("email", "username", "cognito:username", "sub")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.@+=-]+")
_NAME_CHARS = 40  # "agent-" + 40 + "-" + 16 hex nonce stays within Chime's 64-character ExternalUserId
TEST_MEETING_PREFIX = "test-"


@dataclass(frozen=True, slots=True)
class Agent:
    """An authenticated agent, identified by e-mail (else the Cognito user name)."""

    id: str

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Agent | None:
        for name in _IDENTITY_CLAIMS:
            value = claims.get(name)
            if isinstance(value, str) and value.strip():
                return cls(id=value.strip())
        return None

    @property
    def key(self) -> str:
        """A short, stable, non-reversible tag for the agent: safe in meeting ids and rate-limit keys."""
        return hashlib.sha256(self.id.encode()).hexdigest()[:16]

    def attendee_external_user_id(self, nonce: str) -> str:
        """ExternalUserId for one join: readable in the roster; unique, so each answer gets a new attendee."""
        readable = _UNSAFE.sub("_", self.id)[:_NAME_CHARS]
        return f"agent-{readable}-{nonce}"

    def test_meeting_external_id(self, nonce: str) -> str:
        return f"{TEST_MEETING_PREFIX}{self.key}-{nonce}"

    def owns_test_meeting(self, external_meeting_id: str | None) -> bool:
        return bool(external_meeting_id) and str(external_meeting_id).startswith(
            f"{TEST_MEETING_PREFIX}{self.key}-"
        )


def is_test_meeting(external_meeting_id: str | None) -> bool:
    return bool(external_meeting_id) and str(external_meeting_id).startswith(TEST_MEETING_PREFIX)
