"""Where things are and how Chromium runs: shared by the browser tests and bench.web_client."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
#: Where the product screenshots live; the tests rewrite them only with CALLDESK_UPDATE_SCREENSHOTS=1,
#: so an ordinary test run leaves the tree clean (timers and clock times differ on every run).
SCREENSHOTS = ROOT / "docs" / "screenshots"
FAKE_MEETING_JS = Path(__file__).with_name("fake_meeting.js")
#: Debian's Chromium: Playwright's own browser download cannot work here.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]


def dist_is_stale() -> bool:
    index = DIST / "index.html"
    if not index.exists():
        return True
    built = index.stat().st_mtime
    sources = [FRONTEND / "index.html", FRONTEND / "package.json", FRONTEND / "vite.config.ts"]
    sources += [p for p in (FRONTEND / "src").rglob("*") if p.is_file() and ".test." not in p.name]
    sources += [p for p in (FRONTEND / "public").rglob("*") if p.is_file()]
    return any(p.stat().st_mtime > built for p in sources)


def ensure_dist() -> Path:
    """frontend/dist, built first if missing or older than its sources."""
    if dist_is_stale():
        if not (FRONTEND / "node_modules").exists():
            subprocess.run(["npm", "--prefix", str(FRONTEND), "ci"], check=True)
        subprocess.run(["npm", "--prefix", str(FRONTEND), "run", "build"], check=True)
    return DIST


def write_tone_wav(path: Path, hz: float, seconds: float = 2.0, amplitude: float = 0.5) -> Path:
    """A mono 48 kHz WAV tone; Chromium's fake capture device loops it as the microphone."""
    rate = 48_000
    t = np.arange(int(rate * seconds)) / rate
    pcm = (amplitude * 32767 * np.sin(2 * np.pi * hz * t)).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path
