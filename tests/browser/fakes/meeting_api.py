"""Fake meeting API implementing the client contract: calls with ETag polling, answer/leave/hangup/
transfer, outbound calls, test meetings and Realtime client secrets. State lives in memory, as the
backend's own CallRecord, so the JSON is exactly what the real API shows agents (`to_view`)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from aiohttp import web

from calls.record import CallRecord, CallStatus, Direction, EndReason, iso, utc_now
from meeting_api.agents import Agent
from meeting_api.errors import EmailNotVerified, Unauthenticated
from tests.browser.fakes.azure_realtime import CALLS_PATH, SecretRegistry
from tests.browser.fakes.chime_media import FakeChimeMedia
from tests.browser.fakes.cognito import TokenRegistry
from tests.browser.fakes.http import RequestRecord, cors_middleware, json_error

CALLER_HZ = 440.0
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
NOT_FOUND = ("call_not_found", "No such call.")
BOB_SUB = "0b0b7e1c-2d3f-4a5b-8c6d-7e8f9a0b1c2d"  # a colleague, when a test makes someone else answer first


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
        self.calls: dict[str, CallRecord] = {}
        self.requests: list[RequestRecord] = []
        self.blocked_destinations = {"+19005550199"}
        self.realtime_failure: tuple[int, str, str] | None = None
        self.transcription_model: str | None = "transcribe-deployment"
        #: Lose the next answer race: "taken" (another agent answered a moment earlier) or "gone" (the caller hung up).
        self.lose_next_answer: str | None = None
        self._seq = 0
        #: Called with (old, new) on every write, as the calls table's stream would see it (push tests).
        self.on_write: Callable[[CallRecord | None, CallRecord], None] | None = None
        #: An outage: every route but /health answers 503, as API Gateway does when the Lambda is throttled.
        self.unavailable = False
        #: The status of every GET /calls answer, in order (200, 304, 503...).
        self.list_statuses: list[int] = []

    def app(self) -> web.Application:
        cors = cors_middleware(self.web_origin, "authorization, content-type, if-none-match", "ETag")
        app = web.Application(middlewares=[cors, self._outage])
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

    def add_inbound_call(self, from_: str, to: str = "+15555550100") -> CallRecord:
        meeting = self.chime.create_meeting(CALLER_HZ)
        self.chime.add_attendee(meeting, "caller")
        return self._new_call(Direction.INBOUND, from_, to, CallStatus.RINGING, meeting.meeting_id)

    def add_past_call(
        self,
        number: str,
        *,
        direction: str,
        end_reason: str,
        answered_by: tuple[str, str] | None,
        minutes_ago: float,
        talk_seconds: int,
    ) -> CallRecord:
        """A finished call in the history, for realistic lists and screenshots; `answered_by` is (sub, e-mail)."""
        start = utc_now() - timedelta(minutes=minutes_ago)
        inbound = direction == "inbound"
        line = "+15555550100"
        call = self._new_call(
            Direction(direction),
            number if inbound else line,
            line if inbound else number,
            CallStatus.ENDED,
            None,
        )
        answered = start + timedelta(seconds=20) if answered_by else None
        ended = (answered or start) + timedelta(seconds=talk_seconds)
        return self._update(
            call.call_id,
            created_at=iso(start),
            answered_by=answered_by[0] if answered_by else None,
            answered_by_email=answered_by[1] if answered_by else None,
            answered_at=iso(answered) if answered else None,
            ended_at=iso(ended),
            end_reason=EndReason(end_reason),
        )

    async def caller_hangs_up(self, call_id: str) -> None:
        call = self._end(call_id, EndReason.CALLER_HUNG_UP)
        if call.meeting_id:
            await self.chime.end_meeting(call.meeting_id)

    def answered_elsewhere(self, call_id: str, by_sub: str, by_email: str) -> None:
        self._update(
            call_id,
            status=CallStatus.IN_PROGRESS,
            answered_by=by_sub,
            answered_by_email=by_email,
            answered_at=iso(utc_now()),
        )

    # ---- handlers ----

    @web.middleware
    async def _outage(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self.unavailable and request.path != "/health":
            body = await request.text() if request.can_read_body else ""
            self.requests.append(RequestRecord(request.method, request.path_qs, dict(request.headers), body))
            response: web.StreamResponse = json_error(503, "service_unavailable", "Service unavailable")
        else:
            response = await handler(request)
        if request.method == "GET" and request.path == "/calls":
            self.list_statuses.append(response.status)
        return response

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _agent(self, request: web.Request) -> Agent | web.Response:
        """The signed-in agent: the 401 API Gateway's JWT authorizer answers for a token it does not
        accept, then the meeting API's own rule (ID tokens only, verified e-mail) over the claims."""
        body = await request.text() if request.can_read_body else ""
        self.requests.append(RequestRecord(request.method, request.path_qs, dict(request.headers), body))
        auth = request.headers.get("Authorization", "")
        claims = self.tokens.claims_for(auth.removeprefix("Bearer ")) if auth.startswith("Bearer ") else None
        if claims is None:
            return web.json_response({"message": "Unauthorized"}, status=401)
        try:
            return Agent.from_claims(claims)
        except Unauthenticated as refused:
            return json_error(401, "unauthorized", refused.message)
        except EmailNotVerified as refused:
            return json_error(403, "email_not_verified", refused.message)

    async def _agent_and_call(self, request: web.Request) -> tuple[Agent, CallRecord] | web.Response:
        agent = await self._agent(request)
        if isinstance(agent, web.Response):
            return agent
        call = self.calls.get(request.match_info["id"])
        return (agent, call) if call else json_error(404, *NOT_FOUND)

    async def list_calls(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        if isinstance(agent, web.Response):
            return agent
        limit = max(1, min(100, int(request.query.get("limit", "50"))))
        start = int(request.query.get("cursor", "0") or 0)
        ordered = sorted(self.calls.values(), key=lambda c: c.created_at, reverse=True)
        page = ordered[start : start + limit]
        next_cursor = str(start + limit) if start + limit < len(ordered) else None
        text = json.dumps({"calls": [c.to_view() for c in page], "nextCursor": next_cursor}, sort_keys=True)
        etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(text=text, content_type="application/json", headers={"ETag": etag})

    async def get_call(self, request: web.Request) -> web.Response:
        found = await self._agent_and_call(request)
        if isinstance(found, web.Response):
            return found
        return web.json_response({"call": found[1].to_view()})

    async def answer(self, request: web.Request) -> web.Response:
        found = await self._agent_and_call(request)
        if isinstance(found, web.Response):
            return found
        agent, call = found
        if self.lose_next_answer == "taken":
            self.answered_elsewhere(call.call_id, BOB_SUB, "bob@example.com")
        elif self.lose_next_answer == "gone":
            self._end(call.call_id, EndReason.CALLER_HUNG_UP)
        self.lose_next_answer = None
        call = self.calls[call.call_id]
        if call.status == CallStatus.ENDED:
            return json_error(409, "call_not_ringing", "The caller has hung up.")
        if call.answered_by and call.answered_by != agent.id:
            return json_error(
                409, "call_taken", f"{call.answerer_email or 'Another agent'} answered this call."
            )
        if call.status != CallStatus.RINGING:
            return json_error(409, "call_not_ringing", "The call is not waiting for an agent.")
        call = self._update(
            call.call_id,
            status=CallStatus.IN_PROGRESS,
            answered_by=agent.id,
            answered_by_email=agent.email,
            answered_at=iso(utc_now()),
        )
        return web.json_response({"call": call.to_view(), **self._join_info(call.meeting_id, agent)})

    async def leave(self, request: web.Request) -> web.Response:
        found = await self._agent_and_call(request)
        if isinstance(found, web.Response):
            return found
        agent, call = found
        if call.status != CallStatus.ENDED and call.answered_by == agent.id:
            if call.direction == Direction.INBOUND:
                call = self._update(
                    call.call_id,
                    status=CallStatus.RINGING,
                    answered_by=None,
                    answered_by_email=None,
                    answered_at=None,
                )
            else:
                call = self._end(call.call_id, EndReason.AGENT_HUNG_UP)
        return web.json_response({"call": call.to_view()})

    async def hangup(self, request: web.Request) -> web.Response:
        found = await self._agent_and_call(request)
        if isinstance(found, web.Response):
            return found
        call = found[1]
        if call.status != CallStatus.ENDED:
            call = self._end(call.call_id, EndReason.AGENT_HUNG_UP)
            if call.meeting_id:
                asyncio.get_running_loop().create_task(self.chime.end_meeting(call.meeting_id))
        return web.json_response({"call": call.to_view()}, status=202)

    async def transfer(self, request: web.Request) -> web.Response:
        found = await self._agent_and_call(request)
        if isinstance(found, web.Response):
            return found
        call = found[1]
        to = json.loads(self.requests[-1].body or "{}").get("to", "")
        if not isinstance(to, str) or not E164.match(to):
            return json_error(400, "invalid_number", "Use E.164, e.g. +12065550123.")
        call = self._update(call.call_id, status=CallStatus.TRANSFERRING, transfer_to=to)

        async def complete() -> None:
            await asyncio.sleep(1.0)
            done = self._end(call.call_id, EndReason.TRANSFERRED)
            if done.meeting_id:
                await self.chime.end_meeting(done.meeting_id)

        asyncio.get_running_loop().create_task(complete())
        return web.json_response({"call": call.to_view()}, status=202)

    async def place_call(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        if isinstance(agent, web.Response):
            return agent
        to = json.loads(self.requests[-1].body or "{}").get("to", "")
        if not isinstance(to, str) or not E164.match(to):
            return json_error(400, "invalid_number", "Use E.164, e.g. +12065550123.")
        if to in self.blocked_destinations:
            return json_error(403, "destination_not_allowed", "Calls to this destination are not allowed.")
        meeting = self.chime.create_meeting(CALLER_HZ)
        call = self._new_call(Direction.OUTBOUND, "+15555550100", to, CallStatus.DIALING, meeting.meeting_id)
        call = self._update(
            call.call_id,
            answered_by=agent.id,
            answered_by_email=agent.email,
            answered_at=iso(utc_now()),
            placed_by=agent.id,
        )

        async def callee_answers() -> None:
            await asyncio.sleep(1.0)
            if self.calls[call.call_id].status == CallStatus.DIALING:
                self._update(call.call_id, status=CallStatus.IN_PROGRESS)

        asyncio.get_running_loop().create_task(callee_answers())
        return web.json_response(
            {"call": call.to_view(), **self._join_info(call.meeting_id, agent)}, status=201
        )

    async def create_meeting(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        if isinstance(agent, web.Response):
            return agent
        meeting = self.chime.create_meeting(None)
        return web.json_response(self._join_info(meeting.meeting_id, agent), status=201)

    async def delete_meeting(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        if isinstance(agent, web.Response):
            return agent
        await self.chime.end_meeting(request.match_info["id"])
        return web.Response(status=204)

    async def realtime_session(self, request: web.Request) -> web.Response:
        agent = await self._agent(request)
        if isinstance(agent, web.Response):
            return agent
        if self.realtime_failure:
            status, code, message = self.realtime_failure
            return json_error(status, code, message)
        value, expires_at = self.secrets.mint()
        return web.json_response(
            {
                "clientSecret": value,
                "expiresAt": expires_at,
                "webrtcUrl": f"{self.azure_base}{CALLS_PATH}",
                "model": "gpt-realtime",
                "voice": "marin",
                "transcriptionModel": self.transcription_model,
            }
        )

    # ---- state: the backend's CallRecord, replaced (it is immutable) on every change ----

    def _join_info(self, meeting_id: str | None, agent: Agent) -> dict[str, Any]:
        meeting = self.chime.meetings[meeting_id or ""]
        return {
            "meeting": self.chime.meeting_object(meeting),
            "attendee": self.chime.add_attendee(meeting, agent.email or agent.id),
        }

    def _new_call(
        self, direction: Direction, from_: str, to: str, status: CallStatus, meeting_id: str | None
    ) -> CallRecord:
        self._seq += 1
        call = CallRecord.new(
            call_id=f"call-{self._seq:03d}-{secrets.token_hex(3)}",
            direction=direction,
            from_number=from_,
            to_number=to,
            status=status,
            now=utc_now(),
            meeting_id=meeting_id,
        )
        self.calls[call.call_id] = call
        if self.on_write:
            self.on_write(None, call)
        return call

    def _update(self, call_id: str, **changes: Any) -> CallRecord:
        old = self.calls[call_id]
        call = old.replace(updated_at=iso(utc_now()), **changes)
        self.calls[call_id] = call
        if self.on_write:
            self.on_write(old, call)
        return call

    def _end(self, call_id: str, reason: EndReason) -> CallRecord:
        return self._update(call_id, status=CallStatus.ENDED, end_reason=reason, ended_at=iso(utc_now()))
