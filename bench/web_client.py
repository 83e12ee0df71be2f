"""Prints the web client's gzipped JS sizes and the audio bridge's latency, measured headless.

    .venv/bin/python -m bench.web_client [trials per route and mode, default 20]

Figures only, no pass/fail. Sizes come from frontend/dist (built first if stale) and Vite's manifest:
what the sign-in + call list page loads, what the first call adds, and the Chime SDK chunk.
Latency is measured in Debian's Chromium during one call against the browser tests' local fakes,
in both bridge modes (direct: each leg sends its one source's track; mixed: the agent's mic is on
and heard by the AI, so both legs send the Web Audio graph's output), per route (AI voice -> caller,
caller -> AI), each as p50/p99 over the trials:
- added: the delay from the route's input track (what the leg delivered) to its output track (what
  the leg's sender carries), timed sample-accurately by two AudioWorklet detectors in one
  AudioContext, each behind its own MediaStreamSource and the same band-pass filters (so the
  reading costs cancel);
- end to end: from the fake sender starting its tone to the first 20 ms frame carrying it at the
  fake receiver, over both WebRTC legs on loopback (encode, jitter buffers, decode) and the bridge.
  On a loaded machine the jitter buffers dominate it; compare runs on a quiet one.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from functools import partial
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.environment import CHROMIUM, CHROMIUM_ARGS, FAKE_MEETING_JS, ensure_dist
from tests.browser.fakes.audio import ToneTrack
from tests.browser.fakes.backend import FakeBackend
from tests.browser.fakes.peer import AudioPeer
from tests.browser.helpers import (
    ABSENT_DB,
    AI_HZ,
    CALLER_HZ,
    mode_radio,
    sign_in,
    tone_level,
    wait_for,
    wait_tone,
)

REPO = Path(__file__).resolve().parents[1]

#: Test-only instrumentation, added before the client loads: every RTCPeerConnection the page
#: makes, so the bench can find the Azure leg's tracks (the fake meeting exposes its own).
RECORD_PEERS_JS = """(() => {
  const Native = window.RTCPeerConnection;
  const all = (window.__peers = []);
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      all.push(this);
    }
  };
})();"""

#: Test-only too: the agent's mic without the echo canceller. Headless, it works against a fake
#: output device and leaves a trace of the monitor (the caller's tone, -35 dBFS and bursts above)
#: in the mic, which the mixed caller -> AI route would carry and the detectors mistake for the step.
#: The mic is only there to make the legs mix.
RAW_MIC_JS = """(() => {
  const devices = navigator.mediaDevices;
  const native = devices.getUserMedia.bind(devices);
  const raw = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };
  devices.getUserMedia = (constraints) => native({ ...constraints, audio: raw });
})();"""

#: Sample-accurate route delay: two AudioWorklet detectors in one AudioContext, one on the route's
#: input track (what the leg delivered), one on its output track (what the sender sends). Each is
#: read through its own MediaStreamSource and the same two band-pass filters at the step's tone, so
#: the reading costs cancel and the other tones (the agent's mic in the mix) do not trigger them.
#: The threshold is half the fakes' tone amplitude (0.3).
ROUTE_DELAY_JS = """
const ONSET = `registerProcessor("onset", class extends AudioWorkletProcessor {
  constructor() {
    super();
    this.armed = false;
    this.port.onmessage = () => { this.armed = true; this.port.postMessage("armed"); };
  }
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (this.armed && channel) {
      for (let i = 0; i < channel.length; i++) {
        if (Math.abs(channel[i]) > 0.15) {
          this.port.postMessage(currentFrame + i);
          this.armed = false;
          break;
        }
      }
    }
    return true;
  }
});`;

function routeTracks(route) {
  const meeting = window.__fakeMeeting;
  const azure = window.__peers.filter((pc) => pc !== meeting.pc && pc.connectionState === "connected").at(-1);
  return route === "toCaller"
    ? { input: azure.getReceivers()[0].track, output: meeting.sender.track }
    : { input: meeting.callerTrack, output: azure.getSenders()[0].track };
}

window.__benchArm = async (route, hz) => {
  if (!window.__benchCtx) {
    const ctx = new AudioContext({ latencyHint: "interactive", sampleRate: 48000 });
    await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([ONSET], { type: "text/javascript" })));
    window.__benchCtx = ctx;
  }
  const ctx = window.__benchCtx;
  const { input, output } = routeTracks(route);
  const nodes = [];
  const detect = (track) => {
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const filters = [0, 1].map(() => new BiquadFilterNode(ctx, { type: "bandpass", frequency: hz, Q: 15 }));
    const node = new AudioWorkletNode(ctx, "onset");
    source.connect(filters[0]).connect(filters[1]).connect(node);
    nodes.push(source, ...filters, node);
    let armed;
    const ready = new Promise((resolve) => (armed = resolve));
    const frame = new Promise((resolve) => {
      node.port.onmessage = (event) => (event.data === "armed" ? armed() : resolve(event.data));
    });
    return { node, ready, frame };
  };
  const [a, b] = [detect(input), detect(output)];
  await new Promise((resolve) => setTimeout(resolve, 150)); // let the filters settle on silence
  a.node.port.postMessage(true);
  b.node.port.postMessage(true);
  await Promise.all([a.ready, b.ready]);
  window.__benchPending = Promise.all([a.frame, b.frame]).then(([from, to]) => {
    for (const node of nodes) node.disconnect();
    return ((to - from) / ctx.sampleRate) * 1000;
  });
};
"""


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def chunk_closure(manifest: dict, key: str, follow_dynamic: bool) -> set[str]:
    """The files a manifest entry loads: itself, its static imports, optionally its dynamic imports."""
    seen: set[str] = set()
    todo = [key]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        entry = manifest[current]
        todo += entry.get("imports", [])
        if follow_dynamic:
            todo += entry.get("dynamicImports", [])
    return {manifest[k]["file"] for k in seen}


def sizes(dist: Path) -> None:
    manifest = json.loads((dist / ".vite" / "manifest.json").read_text())
    entry = next(k for k, v in manifest.items() if v.get("isEntry"))
    chime_key = next(k for k in manifest if k.endswith("chime-meeting.ts"))
    call_keys = [k for k in manifest if k.endswith(("call-session.ts", "call-panel.ts"))]

    initial = chunk_closure(manifest, entry, follow_dynamic=False)
    call_screen = (
        set().union(*(chunk_closure(manifest, k, follow_dynamic=False) for k in call_keys)) - initial
    )
    chime = chunk_closure(manifest, chime_key, follow_dynamic=True) - initial - call_screen
    all_js = {str(p.relative_to(dist)) for p in (dist / "assets").glob("*.js")}
    css = list((dist / "assets").glob("*.css"))

    def total(files: set[str]) -> float:
        return sum(gz(dist / f) for f in files) / 1024

    print(f"initial JS, sign-in + call list ({len(initial)} file): {total(initial):.1f} KB gzipped")
    print(
        f"call screen JS added on the first call ({len(call_screen)} files): {total(call_screen):.1f} KB gzipped"
    )
    print(f"meeting SDK chunk, amazon-chime-sdk-js ({len(chime)} files): {total(chime):.1f} KB gzipped")
    print(f"all JS ({len(all_js)} files): {total(all_js):.1f} KB gzipped")
    print(f"CSS: {sum(gz(p) for p in css) / 1024:.1f} KB gzipped")


ROUTES = {
    # route: (the tone stepped, who sends it, who hears it, words)
    "toCaller": (AI_HZ, "azure", "chime", "AI voice -> caller"),
    "toAi": (CALLER_HZ, "chime", "azure", "caller -> AI"),
}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: with fewer than 100 trials p99 is the largest."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def figures(values: list[float], unit: str = "ms", digits: int = 1) -> str:
    return (
        f"p50 {percentile(values, 50):.{digits}f} {unit}, p99 {percentile(values, 99):.{digits}f} {unit}, "
        f"min {min(values):.{digits}f}, max {max(values):.{digits}f} ({len(values)} trials)"
    )


def answer(page: Page, fakes: FakeBackend) -> str:
    sign_in(page, fakes)
    call = fakes.call(fakes.api.add_inbound_call, "+15555550142")
    page.get_by_role("button", name="Answer call from (555) 555-0142").click()
    page.get_by_text("AI: Connected").wait_for()
    meeting_id = call.meeting_id or ""
    wait_tone(fakes, lambda: fakes.chime.agent_leg(meeting_id), AI_HZ, present=True, what="the AI's voice")
    wait_tone(fakes, lambda: fakes.azure.latest, CALLER_HZ, present=True, what="the caller's voice")
    return meeting_id


def set_mode(page: Page, mode: str) -> None:
    """direct: the call as answered; mixed: "Both talk", the agent's mic on and heard by the AI, so both legs mix."""
    if mode == "mixed":
        mode_radio(page, "Both talk").check()
    info = page.locator(".audio-info")
    expect(info).to_have_attribute("data-to-caller", mode)
    expect(info).to_have_attribute("data-to-ai", mode)


Figures = dict[str, tuple[list[float], list[float]]]


def tone_stopped(fakes: FakeBackend, peer: AudioPeer, hz: float) -> bool:
    """Gone from what the receiver gets (over the last 0.3 s)."""
    level = tone_level(fakes, peer, hz, window=0.3)
    return level is not None and level < ABSENT_DB


def step_on(tone: ToneTrack, hz: float) -> float:
    """Start the tone (on the fakes' loop) and say when."""
    tone.freq = hz
    return time.monotonic()


def measure_routes(page: Page, fakes: FakeBackend, meeting_id: str, trials: int) -> Figures:
    """Per route: (added by the bridge, sample-accurate in the page; end to end, fake to fake)."""
    peers = {"azure": lambda: fakes.azure.latest, "chime": lambda: fakes.chime.agent_leg(meeting_id)}
    results: Figures = {}
    for route, (hz, sender, receiver, _) in ROUTES.items():
        tone = peers[sender]().tone
        probe = peers[receiver]().probe
        added: list[float] = []
        e2e: list[float] = []
        for _ in range(trials):
            fakes.call(setattr, tone, "freq", None)
            wait_for(partial(tone_stopped, fakes, peers[receiver](), hz), "the tone to stop")
            page.evaluate("([route, hz]) => window.__benchArm(route, hz)", [route, hz])
            started = fakes.call(step_on, tone, hz)
            added.append(page.evaluate("() => window.__benchPending"))
            # -20 dB: a 20 ms frame at least half full of the step, and the two frames after it: a
            # loaded machine's jitter buffers conceal and burst.
            arrived = partial(fakes.call, probe.onset, hz, started, -20.0, 3)
            onset = wait_for(arrived, "the tone to arrive", timeout=10)
            e2e.append((onset - started) * 1000)
        fakes.call(setattr, tone, "freq", hz)
        results[route] = (added, e2e)
    return results


def main() -> None:
    dist = ensure_dist()
    sizes(dist)
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    fakes = FakeBackend(dist).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            # The route probe loads an AudioWorklet from a blob: URL, which the client's CSP forbids.
            context = browser.new_context(bypass_csp=True)
            context.add_init_script(RECORD_PEERS_JS)
            context.add_init_script(RAW_MIC_JS)
            context.add_init_script(path=str(FAKE_MEETING_JS))
            context.add_init_script(ROUTE_DELAY_JS)
            page = context.new_page()
            meeting_id = answer(page, fakes)
            print(f"client AudioContext (headless): {page.locator('.audio-info').text_content()}")
            print(
                "Bridge latency per route. added: the route's output track vs its input track, "
                "AudioWorklet-timed in one AudioContext (goal: direct <= 3 ms, mixed <= 20 ms); "
                "end to end: the fake sender's tone step to the fake receiver's first 20 ms frame "
                "carrying it, over both WebRTC legs on loopback."
            )
            for mode in ("direct", "mixed"):
                set_mode(page, mode)
                for route, (added, e2e) in measure_routes(page, fakes, meeting_id, trials).items():
                    words = ROUTES[route][3]
                    print(f"  {mode:6} {words:17} added:      {figures(added)}")
                    print(f"  {mode:6} {words:17} end to end: {figures(e2e, digits=0)}")
            browser.close()
    finally:
        fakes.stop()


if __name__ == "__main__":
    main()
