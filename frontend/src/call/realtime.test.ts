import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import type { RealtimeSessionInfo } from "../api/types";
import { RealtimeConnection, type RealtimeError, type RealtimeState } from "./realtime";

class FakeDataChannel {
  readyState = "connecting";
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((message: { data: unknown }) => void) | null = null;
  send(): void {}
  close(): void {
    this.readyState = "closed";
  }
  open(): void {
    this.readyState = "open";
    this.onopen?.();
  }
}

const aiStream = { id: "ai-voice" } as unknown as MediaStream;

class FakePeerConnection {
  static all: FakePeerConnection[] = [];
  closed = false;
  iceGatheringState = "complete";
  connectionState = "new";
  localDescription: { type: string; sdp: string } | null = null;
  ontrack: ((event: { streams: MediaStream[]; track: unknown }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  channel = new FakeDataChannel();
  constructor() {
    FakePeerConnection.all.push(this);
  }
  senders: Array<{ track: unknown; replaceTrack(track: unknown): Promise<void> }> = [];
  addTrack(track: unknown) {
    const sender = {
      track,
      async replaceTrack(next: unknown) {
        sender.track = next;
      },
    };
    this.senders.push(sender);
    return sender;
  }
  createDataChannel(): FakeDataChannel {
    return this.channel;
  }
  async createOffer() {
    return { type: "offer", sdp: "v=0 offer" };
  }
  async setLocalDescription(description: { type: string; sdp: string }) {
    this.localDescription = description;
  }
  async setRemoteDescription() {
    // The answer carries the model's audio track; it arrives before the channel opens.
    this.ontrack?.({ streams: [aiStream], track: {} });
  }
  addEventListener(): void {}
  close(): void {
    this.closed = true;
  }
}

const info: RealtimeSessionInfo = {
  clientSecret: "secret",
  expiresAt: 0,
  webrtcUrl: "https://x.openai.azure.com/v1/realtime/calls",
  model: "gpt-realtime",
  voice: "alloy",
  transcriptionModel: null,
};

function harness(
  answers: Array<() => Response>,
  mint: () => Promise<RealtimeSessionInfo> = async () => info,
  input: MediaStream = { getAudioTracks: () => [] } as unknown as MediaStream,
) {
  const tracks: Array<MediaStream | null> = [];
  const states: Array<[RealtimeState, RealtimeError | undefined]> = [];
  const mints = vi.fn(mint);
  const connection = new RealtimeConnection({
    mint: mints,
    input,
    fetch: (async () => {
      const next = answers.shift();
      if (!next) throw new Error("unexpected SDP POST");
      return next();
    }) as unknown as typeof fetch,
    handlers: {
      track: (stream) => void tracks.push(stream),
      event: () => undefined,
      open: () => undefined,
      state: (state, error) => void states.push([state, error]),
    },
  });
  return { connection, tracks, states, mints };
}

beforeEach(() => {
  FakePeerConnection.all = [];
  vi.stubGlobal("RTCPeerConnection", FakePeerConnection);
  vi.stubGlobal("MediaStream", class {});
  vi.stubGlobal("addEventListener", () => undefined);
  vi.stubGlobal("removeEventListener", () => undefined);
  vi.stubGlobal("navigator", { onLine: true });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("RealtimeConnection: a failed connect attempt", () => {
  it.each([
    ["HTTP 401", () => new Response(JSON.stringify({ error: { message: "bad key" } }), { status: 401 })],
    ["HTTP 503", () => new Response("", { status: 503 })],
    ["an answer that is not SDP", () => new Response("<html>oops</html>", { status: 200 })],
  ])("%s closes its peer connection", async (_what, answer) => {
    const h = harness([answer]);
    await expect(h.connection.connect()).rejects.toBeTruthy();
    expect(FakePeerConnection.all).toHaveLength(1);
    expect(FakePeerConnection.all[0]?.closed).toBe(true);
  });

  it("timing out closes the peer and takes its audio back out of the bridge", async () => {
    vi.useFakeTimers();
    const h = harness([() => new Response("v=0 answer", { status: 200 })]);
    const connecting = h.connection.connect().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(16_000);
    expect(await connecting).toMatchObject({ kind: "timeout" });
    expect(FakePeerConnection.all[0]?.closed).toBe(true);
    expect(h.tracks).toEqual([aiStream, null]);
  });
});

describe("RealtimeConnection: reconnecting after the API refused a mint", () => {
  const refused = (status: number, code: string, message: string, retryAfterMs?: number) => async () => {
    throw new ApiError(status, code, message, retryAfterMs);
  };

  async function failFirstConnect(h: ReturnType<typeof harness>) {
    vi.useFakeTimers();
    await h.connection.connect().catch(() => undefined);
    h.connection.retry();
  }

  it.each([
    [503, "azure_not_configured", "The AI assistant is not configured."],
    [502, "azure_auth_failed", "Azure OpenAI refused the API key. (req-1)"],
    [404, "call_not_found", "No call c1."],
    [400, "invalid_request", "callId is malformed."],
    [403, "forbidden", "Not allowed."],
  ])("stops at once on %i %s and shows the API's message", async (status, code, message) => {
    const h = harness([], refused(status, code, message));
    await failFirstConnect(h);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.mints).toHaveBeenCalledTimes(2); // the first connect, then one Retry attempt
    const [state, error] = h.states.at(-1) ?? [];
    expect(state).toBe("failed");
    expect(error).toMatchObject({ kind: "mint_failed", status, code });
    expect(error?.message).toContain(message);
  });

  it("keeps trying through errors that can pass (network, upstream 502)", async () => {
    let n = 0;
    const h = harness([], async () => {
      throw n++ % 2 ? new ApiError(0, "network", "Can't reach the call service.") : new ApiError(502, "upstream_failed", "x");
    });
    await failFirstConnect(h);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.mints).toHaveBeenCalledTimes(7);
    expect(h.states.at(-1)?.[0]).toBe("failed");
  });

  it("waits out Retry-After on azure_throttled (503) before the next attempt", async () => {
    const h = harness([], refused(503, "azure_throttled", "Azure is throttling.", 10_000));
    await failFirstConnect(h);
    await vi.advanceTimersByTimeAsync(500); // backoff step 1: attempt
    expect(h.mints).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(9_900); // step 2 would be 1 s; Retry-After says 10 s
    expect(h.mints).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(h.mints).toHaveBeenCalledTimes(3);
    expect(h.states.at(-1)?.[0]).toBe("reconnecting");
  });

  it("on 429 without Retry-After keeps the backoff, and reports status and code when giving up", async () => {
    const h = harness([], refused(429, "rate_limited", "Slow down."));
    await failFirstConnect(h);
    await vi.advanceTimersByTimeAsync(500);
    expect(h.mints).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.mints).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.mints).toHaveBeenCalledTimes(7);
    expect(h.states.at(-1)?.[1]).toMatchObject({ kind: "mint_failed", status: 429, code: "rate_limited" });
  });
});

describe("RealtimeConnection.setInput", () => {
  const streamOf = (track: string) => ({ getAudioTracks: () => [track] }) as unknown as MediaStream;

  it("swaps the track on the live sender without a new peer, and a session not yet started takes the latest", async () => {
    const h = harness([() => new Response("v=0 answer", { status: 200 })], async () => info, streamOf("graph"));
    await h.connection.setInput(streamOf("caller"));
    const connecting = h.connection.connect();
    await vi.waitFor(() => expect(FakePeerConnection.all[0]?.localDescription).toBeTruthy());
    await new Promise((resolve) => setTimeout(resolve, 0));
    FakePeerConnection.all[0]?.channel.open();
    await connecting;
    const pc = FakePeerConnection.all[0];
    expect(pc?.senders.map((sender) => sender.track)).toEqual(["caller"]);

    await h.connection.setInput(streamOf("mix"));
    expect(FakePeerConnection.all).toHaveLength(1);
    expect(pc?.senders.map((sender) => sender.track)).toEqual(["mix"]);
  });
});
