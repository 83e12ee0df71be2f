"""Fake meeting API implementing the client contract: calls with ETag polling, answer/leave/hangup/
transfer, outbound calls, test meetings and Realtime client secrets. State lives in memory."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from tests.browser.fakes.azure_realtime import CALLS_PATH, SecretRegistry
from tests.browser.fakes.chime_media import FakeChimeMedia
from tests.browser.fakes.cognito import Agent, TokenRegistry
from tests.browser.fakes.http import RequestRecord, cors_middleware, json_error

CALLER_HZ = 440.0
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Call:
    id: str
    direction: str
    from_: str
    to: str
    status: str
    meetingId: str | None
    answeredBy: str | None
    createdAt: str
    answeredAt: str | None
    endedAt: str | None
    endReason: str | None
    updatedAt: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["from"] = data.pop("from_")
        return data


class FakeMeetingApi:
    def __init__(
        self,
        web_origin: str,
        tokens: TokenRegistry,
        secrets_registry: SecretRegistry,
        chime: FakeChimeMedia,
        azure_base: str,
    ) -> None:
        self.web_origin = web_origin
        self.tokens = tokens
        self.secrets = secrets_registry
        self.chime = chime
        self.azure_base = azure_base
        self.calls: dict[str, Call] = {}
        self.requests: list[RequestRecord] = []
        self.blocked_destinations = {"+19005550199"}
        self.realtime_failure: tuple[int, str, str] | None = None
        self.transcription_model: str | None = "transcribe-deployment"
        #: Lose the next answer race: "taken" (another agent answered a moment earlier) or "gone" (the caller hung up).
        self.lose_next_answer: str | None = None
        self._seq = 0

    def app(self) -> web.Application:
        cors = cors_middleware(self.web_origin, "authorization, content-type, if-none-match", "ETag")
        app = web.Application(middlewares=[cors])
        r = app.router
        r.add_get("/health", self.health)
        r.add_get("/calls", self.list_calls)
        r.add_post("/calls", self.place_call)
        r.add_get("/calls/{id}", self.get_call)
        r.add_post("/calls/{id}/answer", self.answer)
        r.add_post("/calls/{id}/leave", self.leave)
        r.add_post("/calls/{id}/hangup", self.hangup)
        r.add_post("/calls/{id}/transfer", self.transfer)
        r.add_post("/meetings", self.create_meeting)
        r.add_delete("/meetings/{id}", self.delete_meeting)
        r.add_post("/realtime/session", self.realtime_session)
        return app

    # ---- test controls (run on the fakes' loop) ----

    def add_inbound_call(self, from_: str, to: str = "+15555550100") -> Call:
        meeting = self.chime.create_meeting(CALLER_HZ)
        self.chime.add_attendee(meeting, "caller")
        return self._new_call("inbound", from_, to, "ringing", meeting.meeting_id)

    def add_past_call(
        self,
        number: str,
        *,
        direction: str,
        end_reason: str,
        answered_by: str | None,
        minutes_ago: float,
        talk_seconds: int,
    ) -> Call:
        """A finished call in the history, for realistic lists and screenshots."""
        start = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        iso = lambda moment: moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")  # noqa: E731
        inbound = direction == "inbound"
        call = self._new_call(
            direction,
            number if inbound else "+15555550100",
            "+15555550100" if inbound else number,
            "ended",
            None,
        )
        answered = start + timedelta(seconds=20) if answered_by else None
        ended = (answered or start) + timedelta(seconds=talk_seconds)
        self._update(
            call,
            createdAt=iso(start),
            answeredBy=answered_by,
            answeredAt=iso(answered) if answered else None,
            endedAt=iso(ended),
            endReason=end_reason,
        )
        return call

    async def caller_hangs_up(self, call_id: str) -> None:
        call = self.calls[call_id]
        self._end(call, "caller_hung_up")
        if call.meetingId:
            await self.chime.end_meeting(call.meetingId)

    def answered_elsewhere(self, call_id: str, by: str) -> None:
        call = self.calls[call_id]
        self._update(call, status="in_progress", answeredBy=by, answeredAt=now_iso())

    # ---- handlers ----

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _agent(self, request: web.Request) -> tuple[Agent | None, web.Response | None]:
        body = await request.text() if request.can_read_body else ""
        self.requests.append(RequestRecord(request.method, request.path_qs, dict(request.headers), body))
        auth = request.headers.get("Authorization", "")
        agent = self.tokens.agent_for(auth.removeprefix("Bearer ")) if auth.startswith("Bearer ") else None
        if agent is None:
            # API Gateway's JWT authorizer answers like this, not in the app's envelope.
            return None, web.json_response({"message": "Unauthorized"}, status=401)
        return agent, None

    async def list_calls(self, request: web.Request) -> web.Response:
        _, denied = await self._agent(request)
        if denied:
            return denied
        limit = max(1, min(100, int(request.query.get("limit", "50"))))
        start = int(request.query.get("cursor", "0") or 0)
        ordered = sorted(self.calls.values(), key=lambda c: c.createdAt, reverse=True)
        page = ordered[start : start + limit]
        next_cursor = str(start + limit) if start + limit < len(ordered) else None
        body = {"calls": [c.to_json() for c in page], "nextCursor": next_cursor}
        text = json.dumps(body, sort_keys=True)
        etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(text=text, content_type="application/json", headers={"ETag": etag})

    async def get_call(self, request: web.Request) -> web.Response:
        _, denied = await self._agent(request)
        if denied:
            return denied
        call = self.calls.get(request.match_info["id"])
        if not call:
            return json_error(404, "call_not_found", "No such call.")
        return web.json_response({"call": call.to_json()})

    async def answer(self, request: web.Request) -> web.Response:
        agent, denied = await self._agent(request)
        if denied:
            return denied
        call = self.calls.get(request.match_info["id"])
        if not call:
            return json_error(404, "call_not_found", "No such call.")
        if self.lose_next_answer == "taken":
            self.answered_elsewhere(call.id, "bob@example.com")
        elif self.lose_next_answer == "gone":
            self._end(call, "caller_hung_up")
        self.lose_next_answer = None
        if call.status == "ended":
            return json_error(409, "call_not_ringing", "The caller has hung up.")
        if call.answeredBy and call.answeredBy != agent.email:
            return json_error(409, "call_taken", f"{call.answeredBy} answered this call.")
        if call.status != "ringing":
            return json_error(409, "call_not_ringing", "The call is not waiting for an agent.")
        self._update(call, status="in_progress", answeredBy=agent.email, answeredAt=now_iso())
        return web.json_response({"call": call.to_json(), **self._join_info(call.meetingId, agent)})

    async def leave(self, request: web.Request) -> web.Response:
        agent, denied = await self._agent(request)
        if denied:
            return denied
        call = self.calls.get(request.match_info["id"])
        if not call:
            return json_error(404, "call_not_found", "No such call.")
        if call.status != "ended" and call.answeredBy == agent.email:
            if call.direction == "inbound":
                self._update(call, status="ringing", answeredBy=None, answeredAt=None)
            else:
                self._end(call, "agent_hung_up")
        return web.json_response({"call": call.to_json()})

    async def hangup(self, request: web.Request) -> web.Response:
        _, denied = await self._agent(request)
        if denied:
            return denied
        call = self.calls.get(request.match_info["id"])
        if not call:
            return json_error(404, "call_not_found", "No such call.")
        if call.status != "ended":
            self._end(call, "agent_hung_up")
            if call.meetingId:
                asyncio.get_running_loop().create_task(self.chime.end_meeting(call.meetingId))
        return web.json_response({"call": call.to_json()}, status=202)

    async def transfer(self, request: web.Request) -> web.Response:
        _, denied = await self._agent(request)
        if denied:
            return denied
        call = self.calls.get(request.match_info["id"])
        to = json.loads(self.requests[-1].body or "{}").get("to", "")
        if not call:
            return json_error(404, "call_not_found", "No such call.")
        if not E164.match(to):
            return json_error(400, "invalid_number", "Use E.164, e.g. +15555550123.")
        self._update(call, status="transferring")

        async def complete() -> None:
            await asyncio.sleep(1.0)
            self._end(call, "transferred")
            if call.meetingId:
                await self.chime.end_meeting(call.meetingId)

        asyncio.get_running_loop().create_task(complete())
        return web.json_response({"call": call.to_json()}, status=202)

    async def place_call(self, request: web.Request) -> web.Response:
        agent, denied = await self._agent(request)
        if denied:
            return denied
        to = json.loads(self.requests[-1].body or "{}").get("to", "")
        if not isinstance(to, str) or not E164.match(to):
            return json_error(400, "invalid_number", "Use E.164, e.g. +15555550123.")
        if to in self.blocked_destinations:
            return json_error(403, "destination_not_allowed", "Calls to this destination are not allowed.")
        meeting = self.chime.create_meeting(CALLER_HZ)
        call = self._new_call("outbound", "+15555550100", to, "dialing", meeting.meeting_id)
        self._update(call, answeredBy=agent.email, answeredAt=now_iso())

        async def callee_answers() -> None:
            await asyncio.sleep(1.0)
            if call.status == "dialing":
                self._update(call, status="in_progress")

        asyncio.get_running_loop().create_task(callee_answers())
        return web.json_response(
            {"call": call.to_json(), **self._join_info(call.meetingId, agent)}, status=201
        )

    async def create_meeting(self, request: web.Request) -> web.Response:
        agent, denied = await self._agent(request)
        if denied:
            return denied
        meeting = self.chime.create_meeting(None)
        return web.json_response(self._join_info(meeting.meeting_id, agent), status=201)

    async def delete_meeting(self, request: web.Request) -> web.Response:
        _, denied = await self._agent(request)
        if denied:
            return denied
        await self.chime.end_meeting(request.match_info["id"])
        return web.Response(status=204)

    async def realtime_session(self, request: web.Request) -> web.Response:
        _, denied = await self._agent(request)
        if denied:
            return denied
        if self.realtime_failure:
            status, code, message = self.realtime_failure
            return json_error(status, code, message)
        value, expires_at = self.secrets.mint()
        body: dict[str, Any] = {
            "clientSecret": value,
            "expiresAt": expires_at,
            "webrtcUrl": f"{self.azure_base}{CALLS_PATH}",
            "model": "gpt-realtime",
            "voice": "marin",
        }
        if self.transcription_model:
            body["transcriptionModel"] = self.transcription_model
        return web.json_response(body)

    # ---- state ----

    def _join_info(self, meeting_id: str | None, agent: Agent) -> dict[str, Any]:
        meeting = self.chime.meetings[meeting_id or ""]
        return {
            "meeting": self.chime.meeting_object(meeting),
            "attendee": self.chime.add_attendee(meeting, agent.email),
        }

    def _new_call(self, direction: str, from_: str, to: str, status: str, meeting_id: str | None) -> Call:
        self._seq += 1
        stamp = now_iso()
        call = Call(
            id=f"call-{self._seq:03d}-{secrets.token_hex(3)}",
            direction=direction,
            from_=from_,
            to=to,
            status=status,
            meetingId=meeting_id,
            answeredBy=None,
            createdAt=stamp,
            answeredAt=None,
            endedAt=None,
            endReason=None,
            updatedAt=stamp,
        )
        self.calls[call.id] = call
        return call

    def _update(self, call: Call, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(call, key, value)
        call.updatedAt = now_iso()

    def _end(self, call: Call, reason: str) -> None:
        self._update(call, status="ended", endReason=reason, endedAt=now_iso())
