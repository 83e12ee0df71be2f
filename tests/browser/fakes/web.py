"""Serves the built client (frontend/dist) and /config.json under the strict CSP production uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp import web

CONTENT_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".map": "application/json",
}


class StaticSite:
    def __init__(self, dist: Path) -> None:
        self.dist = dist.resolve()
        self.config: dict[str, Any] | str = {}
        self.csp = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/config.json", self.config_json)
        app.router.add_get("/{path:.*}", self.file)
        return app

    async def config_json(self, request: web.Request) -> web.Response:
        text = self.config if isinstance(self.config, str) else json.dumps(self.config)
        return web.Response(text=text, content_type="application/json", headers={"Cache-Control": "no-store"})

    async def file(self, request: web.Request) -> web.StreamResponse:
        relative = request.match_info["path"] or "index.html"
        target = (self.dist / relative).resolve()
        if not target.is_relative_to(self.dist) or not target.is_file():
            return web.Response(status=404, text="not found")
        return web.Response(
            body=target.read_bytes(),
            content_type=CONTENT_TYPES.get(target.suffix, "application/octet-stream"),
            headers={"Content-Security-Policy": self.csp, "Cache-Control": "no-store"},
        )
