"""An aiortc peer that answers a browser's offer, plays a tone and measures what it receives."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiortc import RTCDataChannel, RTCPeerConnection, RTCSessionDescription

from tests.browser.fakes.audio import AudioProbe, ToneTrack


class AudioPeer:
    def __init__(self, tone_hz: float | None, label: str) -> None:
        self.label = label
        self.pc = RTCPeerConnection()
        self.tone = ToneTrack(tone_hz)
        self.probe = AudioProbe()
        self.channel: RTCDataChannel | None = None
        self.received: list[dict[str, Any]] = []
        self.closed = False
        self._on_message: list[Any] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def on_message(self, callback) -> None:
        self._on_message.append(callback)

    async def answer(self, offer_sdp: str) -> str:
        @self.pc.on("track")
        def on_track(track) -> None:
            if track.kind == "audio":
                task = asyncio.ensure_future(self.probe.consume(track))
                self._tasks.add(task)

        @self.pc.on("datachannel")
        def on_datachannel(channel: RTCDataChannel) -> None:
            self.channel = channel

            @channel.on("message")
            def on_message(message: str | bytes) -> None:
                try:
                    event = json.loads(message)
                except (TypeError, ValueError):
                    return
                self.received.append(event)
                for callback in self._on_message:
                    callback(event)

            for callback in self._on_message:
                callback({"type": "__channel_open__"})

        await self.pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
        self.pc.addTrack(self.tone)
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return self.pc.localDescription.sdp

    @property
    def channel_open(self) -> bool:
        return self.channel is not None and self.channel.readyState == "open"

    def send(self, event: dict[str, Any]) -> bool:
        if self.channel is None or self.channel.readyState != "open":
            return False
        self.channel.send(json.dumps(event))
        return True

    @property
    def connected(self) -> bool:
        return not self.closed and self.pc.connectionState == "connected"

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        await self.pc.close()
