"""Audio for the fakes: a tone source track and a probe that measures what a peer receives."""

from __future__ import annotations

import asyncio
import collections
import fractions
import math
import time

import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame

SAMPLE_RATE = 48_000
FRAME_SAMPLES = 960  # 20 ms, what WebRTC packetises


class ToneTrack(MediaStreamTrack):
    """A sine tone paced in real time; `freq = None` sends silence (a voice that stopped)."""

    kind = "audio"

    def __init__(self, freq: float | None, amplitude: float = 0.3) -> None:
        super().__init__()
        self.freq = freq
        self.amplitude = amplitude
        self._start: float | None = None
        self._samples_sent = 0
        self._phase = 0.0

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            wait = self._start + self._samples_sent / SAMPLE_RATE - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        if self.freq is None:
            pcm = np.zeros(FRAME_SAMPLES, dtype=np.int16)
        else:
            step = 2 * math.pi * self.freq / SAMPLE_RATE
            phases = self._phase + step * np.arange(FRAME_SAMPLES)
            self._phase = float((self._phase + step * FRAME_SAMPLES) % (2 * math.pi))
            pcm = (self.amplitude * 32767 * np.sin(phases)).astype(np.int16)
        frame = AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self._samples_sent
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        self._samples_sent += FRAME_SAMPLES
        return frame


class AudioProbe:
    """Keeps the last few seconds a peer received, mono float, to measure tone levels."""

    def __init__(self, keep_seconds: float = 4.0) -> None:
        # Appended on the fakes' loop; read them there too (FakeBackend.call) to avoid races.
        self._chunks: collections.deque[tuple[float, np.ndarray]] = collections.deque()
        self._keep = keep_seconds
        self.frames = 0
        self.sample_rate = SAMPLE_RATE
        self.ended = False
        self.first_frame_at: float | None = None

    async def consume(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                self._add(frame)
        except MediaStreamError:
            pass
        finally:
            self.ended = True

    def _add(self, frame: AudioFrame) -> None:
        channels = len(frame.layout.channels)
        raw = frame.to_ndarray()
        if frame.format.is_planar:
            mono = raw.astype(np.float32).mean(axis=0)
        else:
            mono = raw.reshape(-1, channels).astype(np.float32).mean(axis=1)
        if frame.format.name.startswith("s16"):
            mono /= 32768.0
        now = time.monotonic()
        if self.first_frame_at is None:
            self.first_frame_at = now
        self.sample_rate = frame.sample_rate
        self.frames += 1
        self._chunks.append((now, mono))
        while self._chunks and now - self._chunks[0][0] > self._keep:
            self._chunks.popleft()

    def recent(self, seconds: float) -> np.ndarray:
        now = time.monotonic()
        parts = [c for t, c in self._chunks if now - t <= seconds]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

    def onset(self, freq: float, after: float, threshold_db: float = -30.0, frames: int = 1) -> float | None:
        """Arrival time (time.monotonic) of the first 20 ms frame after `after` carrying `freq` above the
        threshold, in a run of `frames` such frames (more than one rules out a stray frame)."""
        run: list[float] = []
        for arrived, chunk in self._chunks:
            if arrived <= after:
                continue
            if tone_amplitude_db(chunk, self.sample_rate, freq) > threshold_db:
                run.append(arrived)
                if len(run) >= frames:
                    return run[0]
            else:
                run.clear()
        return None

    def level_db(self, freq: float, seconds: float = 0.6) -> float | None:
        """Amplitude of the tone at `freq` (±20 Hz) in dBFS over the last `seconds`.

        None unless audio covering most of that window arrived: silence because nothing arrives
        must not pass for "the tone is gone".
        """
        samples = self.recent(seconds)
        if samples.size < 0.8 * seconds * self.sample_rate:
            return None
        return tone_level_db(samples, self.sample_rate, freq)


def tone_level_db(samples: np.ndarray, sample_rate: int, freq: float, band_hz: float = 20.0) -> float:
    window = np.hanning(samples.size)
    spectrum = np.abs(np.fft.rfft(samples * window)) * 2 / window.sum()
    freqs = np.fft.rfftfreq(samples.size, 1 / sample_rate)
    band = spectrum[(freqs >= freq - band_hz) & (freqs <= freq + band_hz)]
    peak = float(band.max()) if band.size else 0.0
    return 20 * math.log10(peak) if peak > 0 else -200.0


def tone_amplitude_db(samples: np.ndarray, sample_rate: int, freq: float) -> float:
    """Amplitude of one frequency in a short frame (single-bin DFT), in dBFS."""
    if samples.size == 0:
        return -200.0
    phase = np.exp(-2j * np.pi * freq * np.arange(samples.size) / sample_rate)
    amplitude = 2 * abs(np.dot(samples, phase)) / samples.size
    return 20 * math.log10(amplitude) if amplitude > 0 else -200.0


def longest_tone_gap_ms(samples: np.ndarray, sample_rate: int, freq: float) -> float:
    """The longest stretch, in ms, where the tone at `freq` falls below half its typical amplitude.

    The tone's envelope is demodulated at `freq` and averaged over one period of 440 Hz (2.3 ms),
    which cancels the other test tones (440, 880 and 1320 Hz are all multiples of 440): a switch that
    repeats or skips a few ms shows as a phase jump (a dip under 2.3 ms), silence as a longer gap.
    """
    if samples.size == 0:
        return 0.0
    t = np.arange(samples.size) / sample_rate
    baseband = samples * np.exp(-2j * np.pi * freq * t)
    width = round(sample_rate / 440)
    envelope = 2 * np.abs(np.convolve(baseband, np.ones(width) / width, mode="valid"))
    low = envelope < 0.5 * float(np.median(envelope))
    longest = run = 0
    for is_low in low:
        run = run + 1 if is_low else 0
        longest = max(longest, run)
    return 1000 * longest / sample_rate
