"""The audio bridge, proven by measuring what each side receives (FFT band levels), not by checking
calls: caller = 440 Hz from the fake meeting, AI voice = 880 Hz from the fake Azure peer, agent
mic = 1320 Hz from Chromium's fake capture device. Each leg carries its one source directly or the
Web Audio mix (frontend/src/call/routing.ts); the tests check the tones in both modes and across
the switch between them."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from calls.record import CallRecord
from tests.browser.fakes.audio import longest_tone_gap_ms, tone_level_db
from tests.browser.fakes.backend import FakeBackend
from tests.browser.fakes.peer import AudioPeer
from tests.browser.helpers import (
    ABSENT_DB,
    AI_HZ,
    CALLER_HZ,
    MIC_HZ,
    mode_radio,
    screenshot,
    sign_in,
    wait_for,
    wait_tone,
)

pytestmark = pytest.mark.browser


def answer_call(page: Page, fakes: FakeBackend, number: str = "+15555550142") -> CallRecord:
    sign_in(page, fakes)
    call = fakes.call(fakes.api.add_inbound_call, number)
    page.get_by_role("button", name="Answer call from (555) 555-0142").click()
    expect(page.get_by_text("Call audio: Connected")).to_be_visible()
    expect(page.get_by_text("AI: Connected")).to_be_visible()
    # The client shows "Connected" once the peer connects; events can flow only once the fake's end of the
    # events channel is open too, or a test's first event would be dropped.
    deadline = time.monotonic() + 15
    while not fakes.call(lambda: (peer := fakes.azure.latest) is not None and peer.channel_open):
        assert time.monotonic() < deadline, "the Azure events channel never opened"
        time.sleep(0.05)
    return call


def send_event(fakes: FakeBackend, event: dict[str, Any]) -> None:
    """Send a Realtime event from the fake Azure to the client; fail loudly rather than drop it."""
    assert fakes.call(fakes.azure.latest.send, event), f"could not send {event['type']}"


def legs(
    fakes: FakeBackend, call: CallRecord
) -> tuple[Callable[[], AudioPeer | None], Callable[[], AudioPeer | None]]:
    """(what the caller hears, what Azure hears)."""
    return (lambda: fakes.chime.agent_leg(call.meeting_id or "")), (lambda: fakes.azure.latest)


def button(page: Page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def expect_routes(page: Page, to_caller: str, to_ai: str) -> None:
    """What each outgoing leg carries: `direct` (its one source's own track) or `mixed` (the graph)."""
    info = page.locator(".audio-info")
    expect(info).to_have_attribute("data-to-caller", to_caller)
    expect(info).to_have_attribute("data-to-ai", to_ai)


def test_caller_reaches_the_ai_and_the_ai_reaches_the_caller_but_not_itself(
    page: Page, fakes: FakeBackend
) -> None:
    call = answer_call(page, fakes)
    caller_hears, azure_hears = legs(fakes, call)

    wait_tone(fakes, azure_hears, CALLER_HZ, present=True, what="the caller's voice to reach Azure")
    wait_tone(fakes, caller_hears, AI_HZ, present=True, what="the AI's voice to reach the caller")
    # While the AI talks and the caller's audio flows to Azure, none of the AI's voice goes back.
    wait_tone(fakes, azure_hears, AI_HZ, present=False, what="Azure to hear no trace of its own voice")
    wait_tone(fakes, azure_hears, CALLER_HZ, present=True, what="the caller still reaching Azure")
    # The mic starts off: neither the caller nor the AI hears the agent.
    wait_tone(fakes, caller_hears, MIC_HZ, present=False, what="the agent's mic to be off at first")
    wait_tone(fakes, azure_hears, MIC_HZ, present=False, what="the AI not to hear the agent")
    # Nothing to mix: both legs carry their source's own track, past the Web Audio graph.
    expect_routes(page, to_caller="direct", to_ai="direct")

    # The session was configured with GA shapes: realtime type, transcription on, server VAD barge-in.
    update = wait_for(
        lambda: next((e for e in fakes.azure.latest.received if e.get("type") == "session.update"), None),
        "a session.update from the client",
    )
    session = update["session"]
    assert session["type"] == "realtime"
    assert session["output_modalities"] == ["audio"]
    assert session["audio"]["input"]["transcription"] == {"model": "transcribe-deployment"}
    assert session["audio"]["input"]["turn_detection"]["interrupt_response"] is True
    # The browser sent exactly the two documented headers, so Azure's CORS preflight passes.
    assert fakes.azure.preflight_headers == ["authorization,content-type"]


def test_muting_the_ai_and_taking_over_switch_what_the_caller_hears(page: Page, fakes: FakeBackend) -> None:
    call = answer_call(page, fakes)
    caller_hears, azure_hears = legs(fakes, call)
    wait_tone(fakes, caller_hears, AI_HZ, present=True, what="the AI's voice to reach the caller")

    expect_routes(page, to_caller="direct", to_ai="direct")
    mode_radio(page, "Listen only").check()
    expect(page.locator("#mix-status")).to_contain_text("The caller hears silence.")
    expect_routes(page, to_caller="mixed", to_ai="direct")
    wait_tone(
        fakes,
        caller_hears,
        AI_HZ,
        present=False,
        what="muting the AI to remove its voice from the meeting input",
    )
    mode_radio(page, "AI talks").check()
    wait_tone(fakes, caller_hears, AI_HZ, present=True, what="unmuting the AI to bring its voice back")
    expect_routes(page, to_caller="direct", to_ai="direct")

    mode_radio(page, "I talk").check()
    expect(page.locator("#mix-status")).to_contain_text("The caller hears you.")
    expect(page.locator("#mix-status")).to_contain_text("The AI hears the caller, not you.")
    expect_routes(page, to_caller="mixed", to_ai="direct")
    wait_tone(
        fakes, caller_hears, MIC_HZ, present=True, what="take-over to put the agent's mic into the meeting"
    )
    wait_tone(fakes, caller_hears, AI_HZ, present=False, what="take-over to take the AI's voice out")
    wait_tone(fakes, azure_hears, MIC_HZ, present=False, what="the AI not to hear the agent unless asked")
    # Muted, the AI answers in text (suggestions) instead of audio the caller would not hear.
    wait_for(
        lambda: any(
            e.get("type") == "session.update" and e["session"].get("output_modalities") == ["text"]
            for e in fakes.azure.latest.received
        ),
        "the AI to be switched to text output",
    )

    # Both talk: the AI hears the agent too (and talks again).
    mode_radio(page, "Both talk").check()
    expect(page.locator("#mix-status")).to_contain_text("The AI hears the caller and you.")
    expect_routes(page, to_caller="mixed", to_ai="mixed")
    wait_tone(
        fakes,
        azure_hears,
        MIC_HZ,
        present=True,
        what="the agent's mic to reach the AI once the agent chose so",
    )
    wait_tone(fakes, azure_hears, CALLER_HZ, present=True, what="the caller still reaching the AI")
    # The fake keeps streaming its voice while muted; the mix sent to Azure must still not carry it.
    wait_tone(fakes, azure_hears, AI_HZ, present=False, what="the AI not to hear itself in the mix either")

    mode_radio(page, "AI talks").check()  # hand back
    expect(page.locator("#mix-status")).to_contain_text("Your microphone is off.")
    wait_tone(fakes, caller_hears, MIC_HZ, present=False, what="handing back to close the mic")
    wait_tone(fakes, caller_hears, AI_HZ, present=True, what="handing back to bring the AI back")
    # The mic is off and the AI hears the caller alone: nothing left to mix.
    expect_routes(page, to_caller="direct", to_ai="direct")
    wait_tone(fakes, caller_hears, MIC_HZ, present=False, what="the direct leg to carry no trace of the mic")


def test_switching_between_direct_and_mixed_mid_call_leaves_no_gap(page: Page, fakes: FakeBackend) -> None:
    """Both legs switch to the graph mid-tone and back without a gap. A starved CPU (a loaded test machine)
    drops audio by itself, wherever the switches are; a switch that really leaves a gap (a renegotiation, a
    stopped track) leaves it every time. So: up to three rounds of both switches, and one must be clean."""
    call = answer_call(page, fakes)
    caller_hears, azure_hears = legs(fakes, call)
    wait_tone(fakes, caller_hears, AI_HZ, present=True, what="the AI's voice to reach the caller")
    wait_tone(fakes, azure_hears, CALLER_HZ, present=True, what="the caller's voice to reach Azure")
    expect_routes(page, to_caller="direct", to_ai="direct")
    page.wait_for_timeout(600)
    rounds: list[dict[str, float]] = []
    for _ in range(3):
        rounds.append(switch_round_gaps(page, fakes, caller_hears, azure_hears))
        if max(rounds[-1].values()) <= 5.0:
            return
    raise AssertionError(f"switching modes left a gap in every round (longest gap per leg, ms): {rounds}")


def switch_round_gaps(
    page: Page, fakes: FakeBackend, caller_hears: Any, azure_hears: Any
) -> dict[str, float]:
    """The agent speaks up while the AI talks: both legs go to the graph mid-tone, then back; the longest
    gap in each leg's tone across both switches."""
    mode_radio(page, "Both talk").check()
    expect_routes(page, to_caller="mixed", to_ai="mixed")
    page.wait_for_timeout(800)
    mode_radio(page, "AI talks").check()
    expect_routes(page, to_caller="direct", to_ai="direct")
    page.wait_for_timeout(800)

    window = 3.0  # covers both switches
    gaps: dict[str, float] = {}
    for peer, tone, who in ((caller_hears, AI_HZ, "caller"), (azure_hears, CALLER_HZ, "AI")):
        leg = peer()
        assert leg is not None
        audio = fakes.call(leg.probe.recent, window)
        rate = leg.probe.sample_rate
        assert audio.size > 0.9 * window * rate, f"the {who}'s leg delivered too little audio to judge"
        # The mix really was on the leg in between: the mic, for a third of the window (about -40 dB
        # averaged over it; below -110 when absent). The source must never have left it.
        assert tone_level_db(audio, rate, MIC_HZ) > ABSENT_DB, f"the {who} never heard the mixed leg"
        gaps[who] = longest_tone_gap_ms(audio, rate, tone)
        print(f"longest gap in the {tone:.0f} Hz tone to the {who} across both switches: {gaps[who]:.1f} ms")
    return gaps


def test_barge_in_silences_the_ai_at_once_until_its_next_response(page: Page, fakes: FakeBackend) -> None:
    call = answer_call(page, fakes)
    caller_hears, _ = legs(fakes, call)
    wait_tone(fakes, caller_hears, AI_HZ, present=True, what="the AI's voice to reach the caller")

    # The fake keeps streaming its voice, as audio already in flight would: only the client can silence it.
    send_event(
        fakes, {"type": "input_audio_buffer.speech_started", "item_id": "item_caller_1", "audio_start_ms": 0}
    )
    wait_tone(fakes, caller_hears, AI_HZ, present=False, what="barge-in to cut the AI's voice", timeout=5)
    expect(page.locator(".transcript-log .line.caller.partial")).to_have_count(1)

    send_event(fakes, {"type": "response.created", "response": {"id": "resp_2", "status": "in_progress"}})
    wait_tone(fakes, caller_hears, AI_HZ, present=True, what="the next response to restore the AI's voice")


def test_transcript_shows_both_sides_and_suggestions_while_taken_over(
    page: Page, fakes: FakeBackend, screenshots: Path
) -> None:
    answer_call(page, fakes)
    send = lambda event: send_event(fakes, event)  # noqa: E731
    send({"type": "input_audio_buffer.speech_started", "item_id": "u1"})
    send({"type": "response.created", "response": {"id": "r1"}})
    for delta in ["Thanks for calling Northwind. ", "I can help ", "with your order."]:
        send(
            {
                "type": "response.output_audio_transcript.delta",
                "item_id": "a1",
                "response_id": "r1",
                "delta": delta,
            }
        )
    send(
        {
            "type": "conversation.item.input_audio_transcription.completed",
            "item_id": "u1",
            "transcript": "Hi, my order 4417 hasn't arrived and I need it by Friday.",
        }
    )
    send(
        {
            "type": "response.output_audio_transcript.done",
            "item_id": "a1",
            "transcript": "Thanks for calling Northwind. I can help with your order.",
        }
    )
    log = page.locator(".transcript-log .line")
    expect(log).to_have_count(2)
    expect(log.nth(0)).to_contain_text("Caller")
    expect(log.nth(0)).to_contain_text("order 4417")
    expect(log.nth(1)).to_contain_text("I can help with your order.")

    mode_radio(page, "I talk").check()
    send({"type": "response.output_text.delta", "item_id": "a2", "delta": "Suggest: offer express "})
    send(
        {
            "type": "response.output_text.done",
            "item_id": "a2",
            "text": "Suggest: offer express shipping at no cost.",
        }
    )
    expect(page.locator(".transcript-log .line.suggestion")).to_contain_text("AI suggestion")
    expect(page.locator(".transcript-log .line.suggestion")).to_contain_text("express shipping")
    page.wait_for_timeout(400)  # let the meters move for the picture
    screenshot(page, screenshots / "in-call.png")


def test_hang_up_ends_the_meeting_leg_the_ai_session_and_the_call(page: Page, fakes: FakeBackend) -> None:
    call = answer_call(page, fakes)
    caller_hears, _ = legs(fakes, call)
    wait_tone(fakes, caller_hears, AI_HZ, present=True, what="the AI's voice to reach the caller")
    meeting_leg = caller_hears()
    azure = fakes.azure.latest

    button(page, "Hang up").click()
    expect(page.get_by_role("status").filter(has_text="Call ended")).to_contain_text("You hung up.")
    wait_for(
        lambda: meeting_leg.closed or meeting_leg.pc.connectionState in ("closed", "failed"),
        "the meeting leg to close",
    )
    wait_for(
        lambda: azure.pc.connectionState in ("closed", "failed"), "the Azure session to close", timeout=20
    )
    assert fakes.api.calls[call.call_id].status == "ended"
    assert fakes.api.calls[call.call_id].end_reason == "agent_hung_up"
    assert [r.path for r in fakes.api.requests if r.method == "POST" and r.path.endswith("/hangup")] == [
        f"/calls/{call.call_id}/hangup"
    ]
    # The mic is released (no capture indicator left behind).
    wait_for(
        lambda: page.evaluate("() => window.__fakeMeetingLog.some(e => e[0] === 'left')"),
        "the meeting to be left",
    )

    page.get_by_role("button", name="Back to calls").click()
    expect(page.get_by_role("heading", name="Place a call")).to_be_visible()


def test_ai_connection_drop_reconnects_with_a_fresh_secret(page: Page, fakes: FakeBackend) -> None:
    call = answer_call(page, fakes)
    caller_hears, azure_hears = legs(fakes, call)
    wait_tone(fakes, caller_hears, AI_HZ, present=True, what="the AI's voice to reach the caller")
    first = fakes.azure.latest
    minted = fakes.secrets.minted

    # The operator turned transcription off meanwhile: the new session must not ask for it.
    fakes.api.transcription_model = None
    fakes.run(first.close())
    expect(page.get_by_text("AI: Reconnecting…")).to_be_visible()
    expect(page.get_by_text("AI: Connected")).to_be_visible(timeout=30_000)
    second = wait_for(lambda: fakes.azure.latest is not first and fakes.azure.latest, "a new Azure session")
    assert fakes.secrets.minted == minted + 1, "each reconnect mints a new client secret"
    wait_tone(fakes, azure_hears, CALLER_HZ, present=True, what="the caller to reach the new AI session")
    wait_tone(fakes, caller_hears, AI_HZ, present=True, what="the new AI session's voice to reach the caller")
    assert second.received[0]["type"] == "session.update"
    assert "transcription" not in second.received[0]["session"]["audio"]["input"]


MONITOR_LEVELS = """async (freqs) => {
  // What the agent's <audio> element plays: measured from its source stream in a separate context.
  const stream = document.getElementById("agent-monitor").srcObject;
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 16384;
  analyser.smoothingTimeConstant = 0;
  ctx.createMediaStreamSource(stream).connect(analyser);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const data = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(data);
  const binHz = ctx.sampleRate / analyser.fftSize;
  const level = (hz) => Math.max(...data.slice(Math.floor(hz / binHz) - 3, Math.ceil(hz / binHz) + 4));
  await ctx.close();
  return Object.fromEntries(freqs.map((hz) => [hz, level(hz)]));
}"""


def monitor_hears(page: Page) -> set[float] | None:
    """The tones in what the agent hears (analyser dB: about -28 when there, below -110 when not); None
    while a tone is between the two (fading in or out after a switch), so callers poll until it settles."""
    levels = page.evaluate(MONITOR_LEVELS, [CALLER_HZ, AI_HZ, MIC_HZ])
    if any(-90 <= levels[str(int(hz))] <= -50 for hz in (CALLER_HZ, AI_HZ, MIC_HZ)):
        return None
    return {hz for hz in (CALLER_HZ, AI_HZ, MIC_HZ) if levels[str(int(hz))] > -50}


def monitor_settles_on(page: Page, expected: set[float], what: str) -> None:
    wait_for(lambda: monitor_hears(page) == expected, what)


def test_the_agent_hears_caller_and_ai_but_never_their_own_mic(page: Page, fakes: FakeBackend) -> None:
    call = answer_call(page, fakes)
    caller_hears, _ = legs(fakes, call)
    wait_tone(fakes, caller_hears, AI_HZ, present=True, what="the AI's voice to reach the caller")
    monitor_settles_on(page, {CALLER_HZ, AI_HZ}, "the agent's monitor to carry the caller and the AI")

    mode_radio(page, "I talk").check()
    wait_tone(fakes, caller_hears, MIC_HZ, present=True, what="the mic to reach the caller")
    # The agent hears the caller; not the muted AI, and not themselves.
    monitor_settles_on(page, {CALLER_HZ}, "the agent's monitor to carry only the caller")
