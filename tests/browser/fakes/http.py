"""Shared bits of the fake HTTP services: CORS like the real ones, and a request log."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class RequestRecord:
    method: str
    path: str
    headers: dict[str, str]
    body: str
    at: float = field(default_factory=time.monotonic)


def cors_middleware(allowed_origin: str, allow_headers: str, expose_headers: str = ""):
    """Answer preflights and stamp CORS headers, refusing other origins the way a browser would see it."""

    @web.middleware
    async def middleware(request: web.Request, handler):
        origin = request.headers.get("Origin")
        if request.method == "OPTIONS":
            response = web.Response(status=204)
            if origin == allowed_origin:
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS"
                response.headers["Access-Control-Allow-Headers"] = allow_headers
                response.headers["Access-Control-Max-Age"] = "600"
        else:
            response = await handler(request)
        if origin == allowed_origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            if expose_headers:
                response.headers["Access-Control-Expose-Headers"] = expose_headers
        return response

    return middleware


def json_error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)
