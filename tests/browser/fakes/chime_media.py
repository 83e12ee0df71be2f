"""Fake Chime meeting media: the browser's fake MeetingConnection (tests/browser/fake_meeting.js)
joins here over real WebRTC. The caller is a tone; what the agent's client sends is recorded."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.browser.fakes.http import cors_middleware, json_error
from tests.browser.fakes.peer import AudioPeer


@dataclass
class FakeMeeting:
    meeting_id: str
    caller_hz: float | None
    attendees: dict[str, str] = field(default_factory=dict)  # AttendeeId -> JoinToken
    peers: dict[str, AudioPeer] = field(default_factory=dict)  # AttendeeId -> the agent's leg
    ended: bool = False


class FakeChimeMedia:
    def __init__(self, web_origin: str) -> None:
        self.web_origin = web_origin
        self.base_url = ""
        self.meetings: dict[str, FakeMeeting] = {}

    def app(self) -> web.Application:
        app = web.Application(middlewares=[cors_middleware(self.web_origin, "authorization, content-type")])
        app.router.add_post("/meetings/{meeting}/attendees/{attendee}", self.join)
        app.router.add_delete("/meetings/{meeting}/attendees/{attendee}", self.leave)
        # The real SDK (test_chime_sdk) reports client events here; accept and drop them.
        app.router.add_post("/events", self.events)
        return app

    async def events(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    def create_meeting(self, caller_hz: float | None) -> FakeMeeting:
        meeting_id = f"m-{secrets.token_hex(6)}"
        meeting = FakeMeeting(meeting_id, caller_hz)
        self.meetings[meeting_id] = meeting
        return meeting

    def meeting_object(self, meeting: FakeMeeting) -> dict[str, Any]:
        """Shaped like chime-sdk-meetings' Meeting; the fake client only reads SignalingUrl."""
        host = self.base_url.removeprefix("http://")
        return {
            "MeetingId": meeting.meeting_id,
            "ExternalMeetingId": f"call-{meeting.meeting_id}",
            "MediaRegion": "us-east-1",
            "MediaPlacement": {
                "AudioHostUrl": f"{host}:3478",
                "AudioFallbackUrl": f"wss://{host}/audio",
                "SignalingUrl": f"{self.base_url}/meetings/{meeting.meeting_id}",
                "TurnControlUrl": f"{self.base_url}/turn",
                "EventIngestionUrl": f"{self.base_url}/events",
            },
            "MeetingFeatures": {"Audio": {"EchoReduction": "AVAILABLE"}},
        }

    def add_attendee(self, meeting: FakeMeeting, external_user_id: str) -> dict[str, Any]:
        attendee_id = f"a-{secrets.token_hex(6)}"
        token = secrets.token_urlsafe(24)
        meeting.attendees[attendee_id] = token
        return {"AttendeeId": attendee_id, "ExternalUserId": external_user_id, "JoinToken": token}

    def agent_leg(self, meeting_id: str) -> AudioPeer | None:
        """The most recent agent leg of the meeting: its probe is what the caller hears."""
        meeting = self.meetings.get(meeting_id)
        if not meeting or not meeting.peers:
            return None
        return list(meeting.peers.values())[-1]

    async def join(self, request: web.Request) -> web.Response:
        meeting = self.meetings.get(request.match_info["meeting"])
        attendee = request.match_info["attendee"]
        if meeting is None or meeting.ended:
            return json_error(404, "meeting_not_found", "The meeting has ended.")
        if meeting.attendees.get(attendee) != request.headers.get("Authorization", "").removeprefix(
            "Bearer "
        ):
            return json_error(403, "bad_join_token", "Join token refused.")
        peer = AudioPeer(meeting.caller_hz, f"meeting-{meeting.meeting_id}")
        meeting.peers[attendee] = peer
        answer = await peer.answer(await request.text())
        return web.Response(status=201, text=answer, content_type="application/sdp")

    async def leave(self, request: web.Request) -> web.Response:
        meeting = self.meetings.get(request.match_info["meeting"])
        peer = meeting.peers.get(request.match_info["attendee"]) if meeting else None
        if peer:
            await peer.close()
        return web.Response(status=204)

    async def end_meeting(self, meeting_id: str) -> None:
        meeting = self.meetings.get(meeting_id)
        if not meeting or meeting.ended:
            return
        meeting.ended = True
        for peer in meeting.peers.values():
            peer.send({"type": "meeting_ended"})
        await asyncio.sleep(0.2)  # let the message leave before the transport closes
        for peer in meeting.peers.values():
            await peer.close()

    async def close(self) -> None:
        for meeting in self.meetings.values():
            for peer in meeting.peers.values():
                await peer.close()
