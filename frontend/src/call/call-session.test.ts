import { describe, expect, it, vi } from "vitest";
import type { ApiClient } from "../api/client";
import type { Call, JoinInfo, RealtimeSessionInfo } from "../api/types";
import type { AudioBridge } from "./audio-bridge";
import { CallSession, TRANSFER_TIMEOUT_MS, type CallKind, type RealtimeLink } from "./call-session";
import type { MeetingConnection, MeetingHandlers } from "./meeting";
import type { MixerGains } from "./mixer";
import type { RealtimeOptions } from "./realtime";

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
};

class FakeTrack extends EventTarget {
  readyState: "live" | "ended" = "live";
  stopped = false;
  stop(): void {
    this.stopped = true;
    this.readyState = "ended";
  }
  /** The device went away (unplugged, permission revoked): the browser ends the track. */
  end(): void {
    this.readyState = "ended";
    this.dispatchEvent(new Event("ended"));
  }
}

function fakeStream(): MediaStream & { track: FakeTrack } {
  const track = new FakeTrack();
  return {
    track,
    getTracks: () => [track],
    getAudioTracks: () => [track],
  } as unknown as MediaStream & { track: FakeTrack };
}

const joinInfo = (meetingId: string): JoinInfo => ({
  meeting: { MeetingId: meetingId, MediaPlacement: { AudioHostUrl: "a", SignalingUrl: "s" } },
  attendee: { AttendeeId: "att", JoinToken: "tok" },
});

const call = (patch: Partial<Call> = {}): Call => ({
  id: "call-1",
  direction: "inbound",
  from: "+15555550100",
  to: "+15555550199",
  status: "in_progress",
  meetingId: "m-1",
  answeredBy: "3c1f4b2e-8d7a-4f0e-9b61-2a5d7e9c0f11",
  answeredByEmail: "ana@example.com",
  createdAt: "2024-01-01T00:00:00Z",
  answeredAt: "2024-01-01T00:00:01Z",
  endedAt: null,
  endReason: null,
  updatedAt: "2024-01-01T00:00:01Z",
  ...patch,
});

const aiInfo: RealtimeSessionInfo = {
  clientSecret: "s",
  expiresAt: 0,
  webrtcUrl: "https://x.openai.azure.com/v1/realtime/calls",
  model: "gpt-realtime",
  voice: "alloy",
  transcriptionModel: null,
};

function harness(kind: CallKind = "inbound") {
  const order: string[] = [];
  const api = {
    leave: vi.fn(async (id: string) => (order.push(`leave ${id}`), call({ id }))),
    hangup: vi.fn(async (id: string) => (order.push(`hangup ${id}`), call({ id, status: "ended" }))),
    deleteMeeting: vi.fn(async (id: string) => void order.push(`delete ${id}`)),
    transfer: vi.fn(async (id: string, to: string) => (order.push(`transfer ${id} ${to}`), call({ id, status: "transferring" }))),
    getCall: vi.fn(async (id: string) => call({ id })),
    createRealtimeSession: vi.fn(async () => aiInfo),
  };

  const bridgeInputs: Record<string, MediaStream | null> = {};
  const gains: MixerGains[] = [];
  const bridge = {
    context: { sampleRate: 48_000, baseLatency: 0.01, outputLatency: 0.02 },
    meetingInput: fakeStream(),
    aiInput: fakeStream(),
    closed: false,
    apply: (g: MixerGains) => void gains.push(g),
    setInput: (input: string, stream: MediaStream | null) => {
      if (!bridge.closed) bridgeInputs[input] = stream;
    },
    levels: () => ({ caller: 0, ai: 0, mic: 0 }),
    close: async () => {
      bridge.closed = true;
      order.push("bridge closed");
    },
  };

  const joined = deferred();
  let meetingHandlers: MeetingHandlers | null = null;
  const meeting: MeetingConnection & { joins: number; leaves: number } = {
    joins: 0,
    leaves: 0,
    async join(_info, _input, handlers) {
      meeting.joins++;
      meetingHandlers = handlers;
      order.push("meeting join");
      await joined.promise;
      handlers.connection("connected");
    },
    async setAudioInput() {},
    async leave() {
      meeting.leaves++;
      order.push("meeting leave");
    },
  };

  const sent: Record<string, unknown>[] = [];
  let aiOptions: RealtimeOptions | null = null;
  const realtime: RealtimeLink & { connects: number; closed: boolean } = {
    connects: 0,
    closed: false,
    async connect() {
      realtime.connects++;
      order.push("ai connect");
    },
    retry() {},
    send(event) {
      sent.push(event);
      return true;
    },
    close() {
      realtime.closed = true;
    },
  };

  const micStreams: Array<MediaStream & { track: FakeTrack }> = [];
  const micRequests: Array<ReturnType<typeof deferred<MediaStream>>> = [];
  const session = new CallSession(
    api as unknown as ApiClient,
    kind,
    {} as HTMLAudioElement,
    kind === "test" ? null : "+15555550100",
    {} as AudioContext,
    {
      getUserMedia: () => {
        const request = deferred<MediaStream>();
        micRequests.push(request);
        return request.promise;
      },
      createMeeting: async () => meeting,
      createRealtime: (options) => {
        aiOptions = options;
        return realtime;
      },
      createBridge: () => bridge as unknown as AudioBridge,
    },
  );
  /** Grant the latest getUserMedia request with a fresh fake mic. */
  const grantMic = async () => {
    const stream = fakeStream();
    micStreams.push(stream);
    micRequests[micRequests.length - 1]?.resolve(stream);
    await flush();
    return stream;
  };
  /** The AI's data channel opened (first connect). */
  const openAi = async () => {
    aiOptions?.handlers.open(aiInfo, false);
    aiOptions?.handlers.state("connected");
    await flush();
  };
  const aiEvent = async (type: string, extra: Record<string, unknown> = {}) => {
    aiOptions?.handlers.event({ type, ...extra });
    await flush();
  };
  return {
    session,
    api,
    bridge,
    bridgeInputs,
    gains,
    meeting,
    joined,
    realtime,
    sent,
    order,
    micStreams,
    grantMic,
    openAi,
    aiEvent,
    meetingHandlers: () => meetingHandlers as MeetingHandlers | null,
  };
}

describe("CallSession: ending while the call is still starting", () => {
  it.each([
    ["inbound", "leave call-1"],
    ["outbound", "hangup call-1"],
  ] as const)("%s: hanging up before the answer arrives releases the call and starts nothing", async (kind, release) => {
    const h = harness(kind);
    const answer = deferred<{ joinInfo: JoinInfo; call: Call | null }>();
    const started = h.session.start(() => answer.promise);
    await flush();
    expect(h.session.view.phase).toBe("starting");

    await h.session.hangUp();
    expect(h.session.view.phase).toBe("ended");

    answer.resolve({ joinInfo: joinInfo("m-1"), call: call({ direction: kind }) });
    await started;
    await flush();
    const mic = await h.grantMic();

    expect(h.session.view.phase).toBe("ended");
    expect(h.order).toContain(release);
    expect(h.realtime.connects).toBe(0);
    expect(h.meeting.joins).toBe(0);
    expect(mic.track.stopped).toBe(true);
  });

  it("test meeting: ending before it is created deletes the meeting that arrives", async () => {
    const h = harness("test");
    const created = deferred<{ joinInfo: JoinInfo; call: Call | null }>();
    const started = h.session.start(() => created.promise);
    await flush();
    await h.session.hangUp();
    created.resolve({ joinInfo: joinInfo("m-test"), call: null });
    await started;
    await flush();
    expect(h.order).toContain("delete m-test");
    expect(h.realtime.connects).toBe(0);
    expect(h.meeting.joins).toBe(0);
    expect(h.session.view.phase).toBe("ended");
  });

  it("a page closed while starting still releases the call once the answer arrives", async () => {
    const h = harness("inbound");
    const answer = deferred<{ joinInfo: JoinInfo; call: Call | null }>();
    const started = h.session.start(() => answer.promise);
    await flush();
    h.session.sendOnUnload();
    answer.resolve({ joinInfo: joinInfo("m-1"), call: call() });
    await started;
    await flush();
    expect(h.order).toContain("leave call-1");
    expect(h.session.view.phase).toBe("ended");
  });
});

/** Start a call whose answer arrives at once; the meeting join waits for `h.joined`. */
async function live(kind: CallKind = "inbound") {
  const h = harness(kind);
  void h.session.start(async () => ({ joinInfo: joinInfo("m-1"), call: kind === "test" ? null : call({ direction: kind === "outbound" ? "outbound" : "inbound" }) }));
  await flush();
  return h;
}

const types = (sent: Record<string, unknown>[]) => sent.map((event) => event.type);

describe("CallSession: the AI greeting", () => {
  it("waits for the caller's meeting leg when the AI is ready first", async () => {
    const h = await live();
    await h.openAi();
    expect(types(h.sent)).toEqual(["session.update"]);
    h.joined.resolve();
    await flush();
    expect(types(h.sent)).toEqual(["session.update", "response.create"]);
  });

  it("waits for the AI when the meeting leg is up first, and greets once", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    expect(types(h.sent)).toEqual([]);
    await h.openAi();
    expect(types(h.sent)).toEqual(["session.update", "response.create"]);
    await h.openAi();
    expect(types(h.sent).filter((type) => type === "response.create")).toHaveLength(1);
  });

  it("does not greet on an outbound call", async () => {
    const h = await live("outbound");
    h.joined.resolve();
    await h.openAi();
    expect(types(h.sent)).toEqual(["session.update"]);
  });
});

describe("CallSession: muting the AI stops what the caller would still hear", () => {
  const afterMute = (h: Awaited<ReturnType<typeof live>>) => {
    const before = h.sent.length;
    h.session.takeOver();
    return types(h.sent.slice(before));
  };

  it("clears audio still playing after response.done, without cancelling a finished response", async () => {
    const h = await live();
    h.joined.resolve();
    await h.openAi();
    await h.aiEvent("response.created");
    await h.aiEvent("output_audio_buffer.started");
    await h.aiEvent("response.done");
    expect(afterMute(h)).toEqual(["output_audio_buffer.clear", "session.update"]);
  });

  it("cancels an active response and clears its audio", async () => {
    const h = await live();
    await h.openAi();
    await h.aiEvent("response.created");
    await h.aiEvent("output_audio_buffer.started");
    expect(afterMute(h)).toEqual(["response.cancel", "output_audio_buffer.clear", "session.update"]);
  });

  it("sends neither once the audio has finished playing", async () => {
    const h = await live();
    await h.openAi();
    await h.aiEvent("response.created");
    await h.aiEvent("output_audio_buffer.started");
    await h.aiEvent("response.done");
    await h.aiEvent("output_audio_buffer.stopped");
    expect(afterMute(h)).toEqual(["session.update"]);
  });
});

describe("CallSession: one ending at a time", () => {
  it("ignores a second hang-up, and leave after hang-up, while the first is in flight", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    const pending = deferred<Call>();
    h.api.hangup.mockImplementationOnce(() => pending.promise);
    const first = h.session.hangUp();
    expect(h.session.view.ending).toBe(true);
    await h.session.hangUp();
    await h.session.leave();
    pending.resolve(call({ status: "ended" }));
    await first;
    expect(h.api.hangup).toHaveBeenCalledTimes(1);
    expect(h.api.leave).not.toHaveBeenCalled();
    expect(h.session.view.endedReason).toBe("You hung up.");
  });

  it("sends one transfer for a double submit, and allows another try after a failure", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    const pending = deferred<Call>();
    h.api.transfer.mockImplementationOnce(() => pending.promise);
    const first = h.session.transfer("+15555550177");
    await h.session.transfer("+15555550177");
    await h.session.hangUp();
    pending.reject(new Error("busy"));
    await expect(first).rejects.toThrow("busy");
    expect(h.api.transfer).toHaveBeenCalledTimes(1);
    expect(h.api.hangup).not.toHaveBeenCalled();
    expect(h.session.view.ending).toBe(false);

    await h.session.transfer("+15555550177");
    expect(h.api.transfer).toHaveBeenCalledTimes(2);
  });

  it("reads the attendee removal that follows Return to queue as the agent's own action", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    const pending = deferred<Call>();
    h.api.leave.mockImplementationOnce(() => pending.promise);
    const leaving = h.session.leave();
    // The API deletes the agent's attendee on leave; Chime reports it before the response lands.
    h.meetingHandlers()?.ended("removed", "You were removed from the call.");
    await flush();
    pending.resolve(call({ status: "ringing" }));
    await leaving;
    await flush();
    expect(h.session.view.endedReason).toBe("You left the call; it is back in the queue.");
  });
});

describe("CallSession: losing the microphone", () => {
  it("a mic track that ends (unplugged, permission revoked) marks the mic unavailable and offers a retry", async () => {
    const h = await live();
    const mic = await h.grantMic();
    h.session.setMic(true);
    expect(h.session.view.mixer.mic).toBe("on");
    mic.track.end();
    await flush();
    expect(h.session.view.mixer.micAvailable).toBe(false);
    expect(h.session.view.mixer.mic).toBe("off");
    expect(h.session.view.notices.map((n) => n.action)).toContain("retry-mic");
  });

  it("take over without a microphone keeps the AI talking and says why", async () => {
    const h = await live();
    const mic = await h.grantMic();
    mic.track.end();
    await flush();
    h.session.dismissNotice(h.session.view.notices[0]?.id ?? "");
    h.session.takeOver();
    expect(h.session.view.mixer.aiVoice).toBe("on");
    expect(h.session.view.notices.map((n) => n.action)).toContain("retry-mic");
  });
});

describe("CallSession: losing the microphone after taking over", () => {
  it("hands the call back to the AI", async () => {
    const h = await live();
    const mic = await h.grantMic();
    h.session.takeOver();
    expect(h.session.view.mixer.aiVoice).toBe("muted");
    mic.track.end();
    await flush();
    expect(h.session.view.mixer.aiVoice).toBe("on");
    expect(h.gains.at(-1)?.aiToCaller).toBe(1);
  });
});

describe("CallSession: a transfer that the server accepted but never carried out", () => {
  const stillInProgress = (h: Awaited<ReturnType<typeof live>>) =>
    h.api.transfer.mockImplementationOnce(async (id: string) => call({ id, status: "in_progress" }));

  it("gives the end controls back after the timeout, and the call goes on", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    vi.useFakeTimers();
    try {
      stillInProgress(h);
      await h.session.transfer("+15555550177");
      expect(h.session.view.ending).toBe(true);
      await vi.advanceTimersByTimeAsync(TRANSFER_TIMEOUT_MS - 100);
      expect(h.session.view.ending).toBe(true);
      await vi.advanceTimersByTimeAsync(200);
      expect(h.session.view.ending).toBe(false);
      expect(h.session.view.phase).toBe("live");
      const texts = h.session.view.notices.map((n) => n.text);
      expect(texts).toContain("The transfer did not go through; the call is still yours.");
      expect(texts.some((t) => t.startsWith("Transferring to"))).toBe(false);
    } finally {
      vi.useRealTimers();
    }
    // Hang up works again, and reads as the agent's own hang-up, not "Transferred.".
    await h.session.hangUp();
    expect(h.api.hangup).toHaveBeenCalledTimes(1);
    expect(h.session.view.endedReason).toBe("You hung up.");
  });

  it("keeps the controls disabled once the record shows the transfer", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    vi.useFakeTimers();
    try {
      stillInProgress(h);
      await h.session.transfer("+15555550177");
      await vi.advanceTimersByTimeAsync(5_000);
      h.session.callUpdated(call({ status: "transferring" }));
      await vi.advanceTimersByTimeAsync(TRANSFER_TIMEOUT_MS * 2);
      expect(h.session.view.ending).toBe(true);
      expect(h.session.view.notices.map((n) => n.text)).not.toContain("The transfer did not go through; the call is still yours.");
    } finally {
      vi.useRealTimers();
    }
  });
});
