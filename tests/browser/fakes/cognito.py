"""Fake Cognito managed login: authorize redirects straight back with a code, the token endpoint
checks the PKCE verifier (S256), refresh issues new tokens, /oauth2/revoke revokes a refresh token as
Cognito documents it (after which refreshing with it is invalid_grant), logout redirects back."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field

from aiohttp import web

from tests.browser.fakes.http import RequestRecord, cors_middleware


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _redirect(location: str) -> web.Response:
    return web.Response(status=302, headers={"Location": location})


@dataclass
class Agent:
    email: str
    #: Cognito's `sub`; in a pool whose users sign in with their e-mail it is also the generated user name.
    sub: str
    email_verified: bool = True


@dataclass
class TokenRegistry:
    """The JWTs Cognito issued and that have not expired: what API Gateway's JWT authorizer lets through.
    Like the real authorizer it takes ID and access tokens alike (an access token's `client_id` is the app
    client); the fake API then applies the meeting API's own rule to the claims, which takes ID tokens only.
    Like the real authorizer it knows nothing of revocation: a JWT works until it expires."""

    expires_in: int = 3600
    _issued: dict[str, tuple[dict[str, object], float]] = field(default_factory=dict)

    def issue(self, claims: dict[str, object]) -> str:
        payload = {**claims, "jti": secrets.token_urlsafe(12), "exp": int(time.time()) + self.expires_in}
        token = ".".join([_b64url(b'{"alg":"none"}'), _b64url(json.dumps(payload).encode()), _b64url(b"sig")])
        self._issued[token] = (payload, time.time() + self.expires_in)
        return token

    def claims_for(self, token: str) -> dict[str, str] | None:
        """The claims as API Gateway hands them to the Lambda (every value a string), or None: 401."""
        found = self._issued.get(token)
        if not found or found[1] < time.time():
            return None
        return {
            key: value if isinstance(value, str) else json.dumps(value) for key, value in found[0].items()
        }

    def revoke_all(self) -> None:
        """Every token stops working (as if expired): the client must refresh."""
        self._issued.clear()


class FakeCognito:
    def __init__(self, client_id: str, web_origin: str, tokens: TokenRegistry, agent: Agent) -> None:
        self.client_id = client_id
        self.web_origin = web_origin
        self.tokens = tokens
        self.agent = agent
        self.requests: list[RequestRecord] = []
        self.deny_next_sign_in = False
        self.refresh_refused = False
        #: EnableTokenRevocation of the app client (the stack turns it on).
        self.revocation_enabled = True
        #: Answer /oauth2/revoke with this status instead (Cognito failing), or None.
        self.revoke_failure: int | None = None
        self.revoked: list[str] = []
        self._codes: dict[str, dict[str, str]] = {}
        self._refresh_tokens: set[str] = set()

    def app(self) -> web.Application:
        app = web.Application(middlewares=[cors_middleware(self.web_origin, "Content-Type")])
        app.router.add_get("/oauth2/authorize", self.authorize)
        app.router.add_post("/oauth2/token", self.token)
        app.router.add_post("/oauth2/revoke", self.revoke)
        app.router.add_get("/logout", self.logout)
        return app

    @property
    def redirect_uri(self) -> str:
        return f"{self.web_origin}/"

    async def authorize(self, request: web.Request) -> web.Response:
        q = request.query
        self.requests.append(RequestRecord("GET", request.path_qs, dict(request.headers), ""))
        problems = []
        if q.get("client_id") != self.client_id:
            problems.append("client_id")
        if q.get("redirect_uri") != self.redirect_uri:
            problems.append("redirect_uri")
        if q.get("response_type") != "code":
            problems.append("response_type")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            problems.append("pkce")
        if "openid" not in q.get("scope", "").split():
            problems.append("scope")
        if problems:
            return web.Response(status=400, text=f"bad authorize request: {problems}")
        state = q.get("state", "")
        if self.deny_next_sign_in:
            self.deny_next_sign_in = False
            return _redirect(
                f"{self.redirect_uri}?error=access_denied&error_description=User+is+disabled.&state={state}"
            )
        code = secrets.token_urlsafe(12)
        self._codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"]}
        return _redirect(f"{self.redirect_uri}?code={code}&state={state}")

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.requests.append(
            RequestRecord("POST", request.path, dict(request.headers), json.dumps(dict(form)))
        )
        if request.content_type != "application/x-www-form-urlencoded":
            return web.json_response({"error": "invalid_request"}, status=400)
        if form.get("client_id") != self.client_id or "client_secret" in form:
            return web.json_response({"error": "invalid_client"}, status=400)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            pending = self._codes.pop(str(form.get("code", "")), None)
            if not pending or form.get("redirect_uri") != pending["redirect_uri"]:
                return web.json_response({"error": "invalid_grant"}, status=400)
            verifier = str(form.get("code_verifier", ""))
            if _b64url(hashlib.sha256(verifier.encode()).digest()) != pending["challenge"]:
                return web.json_response({"error": "invalid_grant", "error_description": "PKCE"}, status=400)
            refresh = f"rt-{secrets.token_urlsafe(16)}"
            self._refresh_tokens.add(refresh)
            return web.json_response(self._tokens(refresh))
        if grant == "refresh_token":
            if self.refresh_refused or form.get("refresh_token") not in self._refresh_tokens:
                return web.json_response({"error": "invalid_grant"}, status=400)
            return web.json_response(self._tokens(None))
        return web.json_response({"error": "unsupported_grant_type"}, status=400)

    async def revoke(self, request: web.Request) -> web.Response:
        """POST /oauth2/revoke as Cognito's developer guide documents it: a public client sends `token` and
        `client_id` form-encoded; 200 with an empty body when revoked, or for a token it does not know;
        400 invalid_request without a token or with revocation off for the client; 400
        unsupported_token_type for a token that is not a refresh token; 401 invalid_client."""
        form = await request.post()
        self.requests.append(
            RequestRecord("POST", request.path, dict(request.headers), json.dumps(dict(form)))
        )
        if self.revoke_failure is not None:
            return web.json_response({"error": "server_error"}, status=self.revoke_failure)
        if request.content_type != "application/x-www-form-urlencoded" or not form.get("token"):
            return web.json_response({"error": "invalid_request"}, status=400)
        if (
            form.get("client_id") != self.client_id
            or "client_secret" in form
            or "Authorization" in request.headers
        ):
            return web.json_response({"error": "invalid_client"}, status=401)
        if not self.revocation_enabled:
            return web.json_response({"error": "invalid_request"}, status=400)
        token = str(form["token"])
        if self.tokens.claims_for(token) is not None:  # an ID or access token
            return web.json_response({"error": "unsupported_token_type"}, status=400)
        if token in self._refresh_tokens:
            self._refresh_tokens.discard(token)
            self.revoked.append(token)
        return web.Response(status=200)

    async def logout(self, request: web.Request) -> web.Response:
        self.requests.append(RequestRecord("GET", request.path_qs, dict(request.headers), ""))
        if (
            request.query.get("client_id") != self.client_id
            or request.query.get("logout_uri") != self.redirect_uri
        ):
            return web.Response(status=400, text="bad logout request")
        return _redirect(request.query["logout_uri"])

    def _tokens(self, refresh: str | None) -> dict[str, object]:
        # As Cognito shapes them for a pool whose users sign in with their e-mail: the user name is a
        # generated id (the sub), the e-mail and email_verified are claims of the ID token only, whose
        # audience is the app client; the access token names the client in `client_id` and has no `aud`.
        issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_FakePool"
        now = int(time.time())
        id_claims = {
            "sub": self.agent.sub,
            "email": self.agent.email,
            "email_verified": self.agent.email_verified,
            "cognito:username": self.agent.sub,
            "aud": self.client_id,
            "iss": issuer,
            "token_use": "id",
            "auth_time": now,
            "iat": now,
        }
        access_claims = {
            "sub": self.agent.sub,
            "client_id": self.client_id,
            "iss": issuer,
            "token_use": "access",
            "scope": "openid email profile",
            "username": self.agent.sub,
            "auth_time": now,
            "iat": now,
        }
        body: dict[str, object] = {
            "access_token": self.tokens.issue(access_claims),
            "id_token": self.tokens.issue(id_claims),
            "expires_in": self.tokens.expires_in,
            "token_type": "Bearer",
        }
        if refresh:
            body["refresh_token"] = refresh
        return body
