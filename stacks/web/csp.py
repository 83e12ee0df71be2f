"""The web client's Content-Security-Policy: one definition for CloudFront and for the browser tests.

Plain Python (no CDK imports) so the browser tests serve the build under exactly this policy, with their
local fakes standing in for the API, Cognito, Azure and Chime hosts.
"""

from __future__ import annotations

# The Chime SDK's signalling, TURN control and event ingestion endpoints.
CHIME_CONNECT_SOURCES = ("https://*.chime.aws", "wss://*.chime.aws")


def production_connect_sources(*, region: str, cognito_domain: str, azure_endpoint: str | None) -> list[str]:
    """The API and the push channel's WebSocket (their ids are not known before their stack exists, so the
    region's execute-api and AppSync real-time hosts), the Cognito managed-login domain, the Chime SDK, and
    the Azure OpenAI resource when configured. No https to AppSync: browsers subscribe, never publish."""
    sources = [
        f"https://*.execute-api.{region}.amazonaws.com",
        f"wss://*.appsync-realtime-api.{region}.amazonaws.com",
        cognito_domain,
        *CHIME_CONNECT_SOURCES,
    ]
    if azure_endpoint:
        sources.append(azure_endpoint)
    return sources


def content_security_policy(connect_sources: list[str]) -> str:
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        # 'self' is for /config.json.
        "connect-src": ["'self'", *connect_sources],
        # The call-list poll timer runs in a worker (hidden tabs throttle timers); the Chime SDK's
        # encoded-transform worker is a blob.
        "worker-src": ["'self'", "blob:"],
        # Audio plays from MediaStreams (srcObject), which media-src does not govern.
        "media-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())
