"""Prints the web client's gzipped JS sizes and the audio bridge's latency, measured headless.

    .venv/bin/python -m bench.web_client

Figures only, no pass/fail. Sizes come from frontend/dist (built first if stale) and Vite's manifest:
what the sign-in + call list page loads, what the first call adds, and the Chime SDK chunk.
Latency is measured in Debian's Chromium against the browser tests' local fakes:
- the client's AudioContext (latencyHint "interactive"): sample rate, baseLatency, outputLatency
  (headless Chromium renders to a fake output device; real sound cards differ);
- the in-graph delay of one bridge route (MediaStreamSource -> GainNode -> MediaStreamDestination,
  as the client builds it), timed sample-accurately by an AudioWorklet;
- end to end: the fake Azure starts its 880 Hz "voice" until the fake caller receives it, through
  both WebRTC legs on loopback (encode, jitter buffers, decode) and the client's mixer.
"""

from __future__ import annotations

import gzip
import json
import statistics
import time
from functools import partial
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.browser.environment import CHROMIUM, CHROMIUM_ARGS, FAKE_MEETING_JS, ensure_dist
from tests.browser.fakes.backend import FakeBackend
from tests.browser.helpers import AI_HZ, sign_in, wait_for, wait_tone

REPO = Path(__file__).resolve().parents[1]

GRAPH_DELAY_PAGE = """<!doctype html><title>graph delay</title><script>
const DETECTOR = `registerProcessor("onset", class extends AudioWorkletProcessor {
  constructor() { super(); this.done = false; }
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!this.done && channel) {
      for (let i = 0; i < channel.length; i++) {
        if (Math.abs(channel[i]) > 0.05) {
          this.port.postMessage(currentFrame + i);
          this.done = true;
          break;
        }
      }
    }
    return true;
  }
});`;

async function detector(ctx) {
  const node = new AudioWorkletNode(ctx, "onset");
  const frame = new Promise((resolve) => (node.port.onmessage = (e) => resolve(e.data)));
  return { node, frame };
}

// One trial: a step (silence -> tone) reaches a detector directly and through the bridge route.
window.measure = async () => {
  const ctx = new AudioContext({ latencyHint: "interactive" });
  await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([DETECTOR], { type: "text/javascript" })));
  const oscillator = ctx.createOscillator();
  const step = ctx.createGain();
  step.gain.value = 0;
  oscillator.connect(step);
  const source = ctx.createMediaStreamDestination();   // stands in for a remote WebRTC stream
  step.connect(source);
  const route = ctx.createGain();                      // the client's route: source -> gain -> destination
  const output = ctx.createMediaStreamDestination();
  ctx.createMediaStreamSource(source.stream).connect(route).connect(output);
  const direct = await detector(ctx);
  const bridged = await detector(ctx);
  step.connect(direct.node);
  ctx.createMediaStreamSource(output.stream).connect(bridged.node);
  oscillator.start();
  await new Promise((r) => setTimeout(r, 300));
  step.gain.setValueAtTime(1, ctx.currentTime + 0.05);
  const [a, b] = await Promise.all([direct.frame, bridged.frame]);
  const result = { ms: ((b - a) / ctx.sampleRate) * 1000, sampleRate: ctx.sampleRate };
  await ctx.close();
  return result;
};
</script>"""


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


def graph_delay(page: Page, trials: int) -> list[float]:
    page.route(
        "http://127.0.0.1:9/graph",
        lambda route: route.fulfill(body=GRAPH_DELAY_PAGE, content_type="text/html"),
    )
    page.goto("http://127.0.0.1:9/graph")
    return [page.evaluate("() => window.measure()")["ms"] for _ in range(trials)]


def end_to_end(page: Page, fakes: FakeBackend, trials: int) -> tuple[str, list[float]]:
    sign_in(page, fakes)
    call = fakes.call(fakes.api.add_inbound_call, "+15555550142")
    page.get_by_role("button", name="Answer call from +1 (555) 555-0142").click()
    page.get_by_text("AI: Connected").wait_for()
    caller_leg = lambda: fakes.chime.agent_leg(call.meeting_id or "")  # noqa: E731
    wait_tone(fakes, caller_leg, AI_HZ, present=True, what="the AI's voice to reach the caller")
    audio_details = page.locator(".audio-info").text_content() or ""

    delays = []
    voice = fakes.azure.latest.tone
    for _ in range(trials):
        fakes.call(setattr, voice, "freq", None)
        wait_tone(fakes, caller_leg, AI_HZ, present=False, what="the AI's voice to stop")
        started = fakes.call(lambda: (setattr(voice, "freq", AI_HZ), time.monotonic())[1])
        probe = caller_leg().probe
        onset = wait_for(
            partial(fakes.call, probe.onset, AI_HZ, started), "the voice to reach the caller", timeout=10
        )
        delays.append((onset - started) * 1000)
        # Fully back before the next trial, or the next "gone" check would see a window of mostly silence.
        wait_tone(fakes, caller_leg, AI_HZ, present=True, what="the AI's voice to settle")
    return audio_details, delays


def main() -> None:
    dist = ensure_dist()
    sizes(dist)
    fakes = FakeBackend(dist).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context()
            context.add_init_script(path=str(FAKE_MEETING_JS))
            page = context.new_page()
            graph = graph_delay(page, trials=7)
            print(
                f"in-graph delay of one bridge route (7 runs): median {statistics.median(graph):.1f} ms, "
                f"max {max(graph):.1f} ms"
            )
            page = context.new_page()
            details, e2e = end_to_end(page, fakes, trials=7)
            print(f"client AudioContext (headless): {details}")
            print(
                "AI voice onset to the caller, both WebRTC legs on loopback + mixer (7 runs): "
                f"median {statistics.median(e2e):.0f} ms, min {min(e2e):.0f} ms, max {max(e2e):.0f} ms"
            )
            browser.close()
    finally:
        fakes.stop()


if __name__ == "__main__":
    main()
