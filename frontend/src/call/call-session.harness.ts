/** The CallSession test harness: fake legs, bridge and mic behind CallSessionDeps (tests only). */

import { vi } from "vitest";
import type { ApiClient } from "../api/client";
import type { Call, JoinInfo, RealtimeSessionInfo } from "../api/types";
import type { AudioBridge } from "./audio-bridge";
import type { RealtimeLink } from "./ai-voice";
import { CallSession, type CallKind } from "./call-session";
import type { MeetingConnection, MeetingHandlers } from "./meeting";
import type { MixerGains } from "./mixer";
import type { RealtimeOptions } from "./realtime";

export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
};

export class FakeTrack extends EventTarget {
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

export function fakeStream(): MediaStream & { track: FakeTrack } {
  const track = new FakeTrack();
  return {
    track,
    getTracks: () => [track],
    getAudioTracks: () => [track],
  } as unknown as MediaStream & { track: FakeTrack };
}

export const joinInfo = (meetingId: string): JoinInfo => ({
  meeting: { MeetingId: meetingId, MediaPlacement: { AudioHostUrl: "a", SignalingUrl: "s" } },
  attendee: { AttendeeId: "att", JoinToken: "tok" },
});

export const call = (patch: Partial<Call> = {}): Call => ({
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

export const aiInfo: RealtimeSessionInfo = {
  clientSecret: "s",
  expiresAt: 0,
  webrtcUrl: "https://x.openai.azure.com/v1/realtime/calls",
  model: "gpt-realtime",
  voice: "alloy",
  transcriptionModel: null,
};

export function harness(kind: CallKind = "inbound") {
  const order: string[] = [];
  const api = {
    leave: vi.fn(async (id: string) => (order.push(`leave ${id}`), call({ id }))),
    hangup: vi.fn(async (id: string) => (order.push(`hangup ${id}`), call({ id, status: "ended" }))),
    deleteMeeting: vi.fn(async (id: string) => void order.push(`delete ${id}`)),
    transfer: vi.fn(async (id: string, to: string) => (order.push(`transfer ${id} ${to}`), call({ id, status: "transferring" }))),
    getCall: vi.fn(async (id: string) => call({ id })),
    createRealtimeSession: vi.fn(async () => aiInfo),
    sendOnUnload: vi.fn((method: string, path: string) => (order.push(`beacon ${method} ${path}`), true)),
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
    async join(_info, input, handlers) {
      meeting.joins++;
      meetingInputs.push(input);
      meetingHandlers = handlers;
      order.push("meeting join");
      await joined.promise;
      handlers.connection("connected");
    },
    async setAudioInput(stream) {
      meetingInputs.push(stream);
    },
    async leave() {
      meeting.leaves++;
      order.push("meeting leave");
    },
  };

  const sent: Record<string, unknown>[] = [];
  /** What the meeting and Azure were given to send, in order (join / connect first). */
  const meetingInputs: MediaStream[] = [];
  const aiInputs: MediaStream[] = [];
  let aiOptions: RealtimeOptions | null = null;
  const realtime: RealtimeLink & { connects: number; closed: boolean } = {
    connects: 0,
    closed: false,
    async connect() {
      realtime.connects++;
      order.push("ai connect");
    },
    retry() {},
    async setInput(stream) {
      aiInputs.push(stream);
    },
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
        aiInputs.push(options.input);
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
    meetingInputs,
    aiInputs,
    aiOptions: () => aiOptions as RealtimeOptions | null,
    order,
    micStreams,
    grantMic,
    openAi,
    aiEvent,
    meetingHandlers: () => meetingHandlers as MeetingHandlers | null,
  };
}

/** Start a call whose answer arrives at once; the meeting join waits for `h.joined`. */
export async function live(kind: CallKind = "inbound") {
  const h = harness(kind);
  void h.session.start(async () => ({ joinInfo: joinInfo("m-1"), call: kind === "test" ? null : call({ direction: kind === "outbound" ? "outbound" : "inbound" }) }));
  await flush();
  return h;
}
