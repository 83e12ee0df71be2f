"""Who is calling the API (one rule over the JWT claims), and the Chime identifiers derived from that agent."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from meeting_api.errors import EmailNotVerified, Unauthenticated

_UNSAFE = re.compile(r"[^A-Za-z0-9_.@+=-]+")
_NAME_CHARS = 40  # "agent-" + 40 + "-" + 16 hex nonce stays within Chime's 64-character ExternalUserId
TEST_MEETING_PREFIX = "test-"


@dataclass(frozen=True, slots=True)
class Agent:
    """An authenticated agent: `id` is the Cognito `sub` (stable, never reassigned); `email` is for display."""

    id: str
    email: str | None = None

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Agent:
        """The agent named by a Cognito ID token's claims, as API Gateway's JWT authorizer passes them.

        The authorizer checks signature, issuer, expiry and audience, but it accepts access tokens too: its
        audience check reads `client_id` when a token has no `aud`, and Cognito's access tokens carry our app
        client's id there. So this is the one rule that decides which token kind the API takes: ID tokens
        only (`token_use` = "id"). The web client already sends them, and only they carry `email` and
        `email_verified`. The agent is keyed by `sub`: one person has one sub whichever token or e-mail
        they use, while the e-mail can change. An unverified e-mail is refused rather than shown.
        """
        sub = _text(claims.get("sub"))
        kind = _text(claims.get("token_use"))
        if kind == "access":
            raise Unauthenticated(
                "this API takes the Cognito ID token of a signed-in agent, not the access token"
            )
        if kind != "id" or not sub:
            raise Unauthenticated(
                "this route needs the Cognito ID token of a signed-in agent, and the request carried none"
            )
        email = _text(claims.get("email"))
        if not email:
            raise EmailNotVerified("your account has no e-mail address; ask an administrator to add one")
        if claims.get("email_verified") not in (True, "true"):  # API Gateway passes claims as strings
            raise EmailNotVerified(
                f"your e-mail address {email} is not verified; verify it, then sign in again"
            )
        return cls(id=sub, email=email)

    @property
    def key(self) -> str:
        """A short, stable, non-reversible tag for the agent: safe in meeting ids and rate-limit keys."""
        return hashlib.sha256(self.id.encode()).hexdigest()[:16]

    def attendee_external_user_id(self, nonce: str) -> str:
        """ExternalUserId for one join: the agent's sub; unique, so each answer gets a new attendee."""
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


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
