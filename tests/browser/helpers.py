"""What the browser tests do again and again: sign in, wait for conditions, measure tones."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from playwright.sync_api import Locator, Page, expect

from tests.browser.fakes.backend import FakeBackend
from tests.browser.fakes.peer import AudioPeer

T = TypeVar("T")

CALLER_HZ = 440.0
AI_HZ = 880.0
MIC_HZ = 1320.0
#: The fakes send tones at -10 dBFS; well above this means "there", well below means "gone".
PRESENT_DB = -30.0
ABSENT_DB = -50.0
AUDIO_TIMEOUT = 25.0


def wait_for(condition: Callable[[], T | None], what: str, timeout: float = 15.0, interval: float = 0.1) -> T:
    """Poll `condition` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def sign_in(page: Page, fakes: FakeBackend) -> None:
    page.goto(fakes.urls["web"] + "/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("ana@example.com")).to_be_visible()
    expect(page.locator(".connection")).to_have_text("Live")


def tone_level(fakes: FakeBackend, peer: AudioPeer, hz: float, window: float = 0.6) -> float | None:
    return fakes.call(peer.probe.level_db, hz, window)


def wait_tone(
    fakes: FakeBackend,
    peer: Callable[[], AudioPeer | None],
    hz: float,
    *,
    present: bool,
    what: str,
    timeout: float = AUDIO_TIMEOUT,
) -> float:
    """Wait until the tone at `hz` is clearly present in (or clearly gone from) what `peer` receives."""
    levels: list[float] = []

    def check() -> bool:
        current = peer()
        level = tone_level(fakes, current, hz) if current is not None else None
        if level is None:
            return False  # not enough audio arrived yet to tell
        levels.append(level)
        return level > PRESENT_DB if present else level < ABSENT_DB

    try:
        wait_for(check, what, timeout=timeout, interval=0.2)
    except AssertionError as error:
        raise AssertionError(
            f"{error}; last {hz:.0f} Hz levels (dBFS): {[round(x, 1) for x in levels[-5:]]}"
        ) from None
    return levels[-1]


def mode_radio(page: Page, label: str) -> Locator:
    """One option of the call panel's audio mode control ("AI talks", "I talk", "Both talk", "Listen only")."""
    return page.get_by_role("radio", name=re.compile(rf"^{re.escape(label)}\b"))


def screenshot(page: Page, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    loaded = "(i) => i.complete || new Promise((done) => (i.onload = i.onerror = done))"
    page.evaluate(f"() => Promise.all([...document.images].map({loaded}))")
    page.screenshot(path=str(path), full_page=False)
