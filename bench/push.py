"""Prints how long a call change takes from the calls-table write to the agent's list, pushed.

    .venv/bin/python -m bench.push [events]

Against the browser tests' local fakes, in Debian's headless Chromium: each write of the fake meeting API
becomes a stream record for the real publisher (call_events: view, SigV4 signing, HTTP POST) to the local
Events endpoint, which pushes it over the Events WebSocket protocol to the built client; a
MutationObserver stamps when the row shows the new status. Events alternate: a call rings, then another
agent answers it. Figures only, no pass/fail. Not included (not reproducible offline): DynamoDB Streams'
delivery to the publisher Lambda and its cold start, and the network to AWS.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

# Before the publisher's Powertools logger is created on import: it would log every batch at INFO.
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

from playwright.sync_api import sync_playwright

from calls.record import CallRecord
from tests.browser.environment import CHROMIUM, CHROMIUM_ARGS, FAKE_MEETING_JS, ensure_dist
from tests.browser.fakes.backend import FakeBackend
from tests.browser.fakes.meeting_api import BOB_SUB
from tests.browser.helpers import sign_in, wait_for

REPO = Path(__file__).resolve().parents[1]

OBSERVER = """() => {
  window.__seen = {};
  const stamp = () => {
    const now = performance.timeOrigin + performance.now();
    for (const row of document.querySelectorAll(".call-row[data-call-id]")) {
      const status = [...row.classList].find((c) => c.startsWith("status-"));
      const key = `${row.dataset.callId}:${status}`;
      if (!(key in window.__seen)) window.__seen[key] = now;
    }
  };
  new MutationObserver(stamp).observe(document.body, { subtree: true, childList: true, attributes: true });
}"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(events: int = 200) -> None:
    fakes = FakeBackend(ensure_dist()).start()
    fakes.enable_push()
    written: dict[str, float] = {}
    publish = fakes.api.on_write
    assert publish is not None

    def on_write(old: CallRecord | None, new: CallRecord) -> None:
        written[f"{new.call_id}:status-{new.status.value}"] = time.time() * 1000
        publish(old, new)

    fakes.api.on_write = on_write
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 860})
            context.add_init_script(path=str(FAKE_MEETING_JS))
            page = context.new_page()
            sign_in(page, fakes)
            wait_for(
                lambda: any("/queue/*" in s.subscriptions.values() for s in fakes.events.subscribers),
                "the client to subscribe",
            )
            page.evaluate(OBSERVER)
            time.sleep(0.5)
            polls_before = sum(1 for r in fakes.api.requests if r.path.startswith("/calls"))
            started = time.monotonic()
            latencies: list[float] = []
            call_id = ""
            for n in range(events):
                if n % 2 == 0:
                    call_id = fakes.call(fakes.api.add_inbound_call, f"+1206555{n:04d}").call_id
                    key = f"{call_id}:status-ringing"
                else:
                    fakes.call(fakes.api.answered_elsewhere, call_id, BOB_SUB, "bob@example.com")
                    key = f"{call_id}:status-in_progress"
                seen = wait_for(
                    lambda key=key: page.evaluate("(k) => window.__seen[k]", key),
                    f"event {n} in the list",
                    timeout=5,
                    interval=0.002,
                )
                latencies.append(seen - written[key])
            elapsed = time.monotonic() - started
            polls = sum(1 for r in fakes.api.requests if r.path.startswith("/calls")) - polls_before
            browser.close()
    finally:
        fakes.stop()

    print(f"push: calls-table write -> agent's list, {len(latencies)} events, headless Chromium, local fakes")
    print(
        f"  p50 {statistics.median(latencies):.1f} ms   p90 {percentile(latencies, 0.9):.1f} ms   "
        f"p99 {percentile(latencies, 0.99):.1f} ms   max {max(latencies):.1f} ms"
    )
    # Where the time goes: the write until the Events endpoint has the publish (stream hand-off, view,
    # SigV4, HTTP POST), the rest is the WebSocket push and the client's render.
    written_at = {(call_id, updated): at for call_id, updated, at in fakes.push.writes}
    publish_ms = []
    for channel, event, at in fakes.events.published:
        if channel.startswith("/queue/"):
            call = json.loads(event)["call"]
            if (call["id"], call["updatedAt"]) in written_at:
                publish_ms.append((at - written_at[(call["id"], call["updatedAt"])]) * 1000)
    if publish_ms:
        print(
            f"  of which write -> Events endpoint (publisher): p50 {statistics.median(publish_ms):.1f} ms   "
            f"p99 {percentile(publish_ms, 0.99):.1f} ms"
        )
    print(f"  list polls during the run: {polls} in {elapsed:.0f} s (safety net every 30 s)")
    print(f"  publish failures: {len(fakes.push.failed)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
