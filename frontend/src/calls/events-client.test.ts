import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffMs, EVENTS_PROTOCOL, EventsSession, headerProtocol } from "./events-client";
import { FakeSocket } from "./fake-socket.testing";

const endpoint = { realtimeUrl: "wss://rt.example/event/realtime", httpHost: "api.example" };

function session(overrides: Partial<ConstructorParameters<typeof EventsSession>[0]> = {}) {
  const events: Array<[string, unknown]> = [];
  const live: number[] = [];
  const down: string[] = [];
  let tokens = 0;
  let ids = 0;
  const client = new EventsSession({
    endpoint,
    channels: ["/queue/*"],
    token: async () => `token-${++tokens}`,
    onEvent: (channel, event) => events.push([channel, event]),
    onLive: () => live.push(Date.now()),
    onDown: (reason) => down.push(reason),
    socket: (url, protocols) => new FakeSocket(url, protocols),
    random: () => 0.5,
    newId: () => `sub-${++ids}`,
    ...overrides,
  });
  return { client, events, live, down };
}

describe("headerProtocol", () => {
  it("is unpadded base64url of the headers JSON", () => {
    const protocol = headerProtocol({ host: "h", Authorization: "a?>" });
    expect(protocol).toMatch(/^header-[A-Za-z0-9_-]+$/);
    expect(protocol).not.toContain("=");
  });
});

describe("EventsSession", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.opened = [];
  });
  afterEach(() => void vi.useRealTimers());

  it("connects with the two subprotocols, the HTTP host and the token, then subscribes with them", async () => {
    const { client, live } = session();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeSocket.opened[0] as FakeSocket;
    expect(socket.url).toBe("wss://rt.example/event/realtime");
    expect(socket.protocols[0]).toBe(EVENTS_PROTOCOL);
    expect(socket.headers()).toEqual({ host: "api.example", Authorization: "token-1" });
    socket.open();
    expect(socket.sent).toEqual([{ type: "connection_init" }]);
    socket.receive({ type: "connection_ack", connectionTimeoutMs: 300_000 });
    expect(socket.subscribes()).toEqual([
      { type: "subscribe", id: "sub-1", channel: "/queue/*", authorization: { host: "api.example", Authorization: "token-1" } },
    ]);
    expect(live).toHaveLength(0);
    socket.receive({ type: "subscribe_success", id: "sub-1" });
    expect(live).toHaveLength(1);
    client.stop();
    expect(socket.closed).toBe(true);
  });

  it("hands over data events parsed, by their subscription's channel, and ignores strangers", async () => {
    const { client, events } = session();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeSocket.opened[0] as FakeSocket;
    const [id] = socket.accept();
    socket.receive({ type: "data", id, event: JSON.stringify({ kind: "ringing", call: { id: "c1" } }) });
    socket.receive({ type: "data", id: "unknown", event: "{}" });
    socket.receive({ type: "data", id, event: "not json" });
    expect(events).toEqual([["/queue/*", { kind: "ringing", call: { id: "c1" } }]]);
    client.stop();
  });

  it("reconnects after a drop with backoff and a fresh token, and is live again after resubscribing", async () => {
    const { client, live, down } = session();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    (FakeSocket.opened[0] as FakeSocket).accept();
    (FakeSocket.opened[0] as FakeSocket).drop();
    expect(down).toEqual(["closed (1006)"]);
    await vi.advanceTimersByTimeAsync(749); // first wait: 1 s ceiling, half of it jitter (random 0.5)
    expect(FakeSocket.opened).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const second = FakeSocket.opened[1] as FakeSocket;
    expect(second.headers().Authorization).toBe("token-2");
    second.accept();
    expect(live).toHaveLength(2);
    client.stop();
  });

  it("backs off longer after each failed attempt and starts over once live", async () => {
    const { client } = session();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    for (const wait of [750, 1500, 3000]) {
      const count = FakeSocket.opened.length;
      (FakeSocket.opened.at(-1) as FakeSocket).drop();
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(FakeSocket.opened).toHaveLength(count);
      await vi.advanceTimersByTimeAsync(1);
      expect(FakeSocket.opened).toHaveLength(count + 1);
    }
    (FakeSocket.opened.at(-1) as FakeSocket).accept();
    (FakeSocket.opened.at(-1) as FakeSocket).drop();
    await vi.advanceTimersByTimeAsync(750);
    expect(FakeSocket.opened).toHaveLength(5);
    client.stop();
  });

  it("closes and reconnects when keep-alives stop for connectionTimeoutMs", async () => {
    const { client, down } = session();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeSocket.opened[0] as FakeSocket;
    socket.accept(10_000);
    await vi.advanceTimersByTimeAsync(9_000);
    socket.receive({ type: "ka" });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(socket.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(socket.closed).toBe(true);
    expect(down).toEqual(["no keep-alive"]);
    await vi.advanceTimersByTimeAsync(750);
    expect(FakeSocket.opened).toHaveLength(2);
    client.stop();
  });

  it("treats a refused subscription or connection as a reason to reconnect with a new token", async () => {
    const { client, live, down } = session();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeSocket.opened[0] as FakeSocket;
    socket.open();
    socket.receive({ type: "connection_ack" });
    socket.receive({ type: "subscribe_error", id: "sub-1", errors: [{ errorType: "UnauthorizedException" }] });
    expect(live).toHaveLength(0);
    expect(socket.closed).toBe(true);
    expect(down[0]).toContain("UnauthorizedException");
    await vi.advanceTimersByTimeAsync(750);
    const second = FakeSocket.opened[1] as FakeSocket;
    second.receive({ type: "connection_error", errors: [{ errorType: "UnauthorizedException" }] });
    expect(second.closed).toBe(true);
    client.stop();
  });

  it("retries later when no token can be had, and stops for good on stop()", async () => {
    let fail = true;
    const { client } = session({ token: async () => (fail ? Promise.reject(new Error("signed out")) : "t") });
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.opened).toHaveLength(0);
    fail = false;
    await vi.advanceTimersByTimeAsync(750);
    expect(FakeSocket.opened).toHaveLength(1);
    client.stop();
    (FakeSocket.opened[0] as FakeSocket).drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
  });
});

describe("EventsSession, overlapping connects", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.opened = [];
  });
  afterEach(() => void vi.useRealTimers());

  it("opens one socket when reconnectNow or a restart comes while a connect awaits its token", async () => {
    const waiting: Array<(token: string) => void> = [];
    const { client } = session({ token: () => new Promise<string>((resolve) => waiting.push(resolve)) });
    client.start();
    client.reconnectNow(); // e.g. `online` fired while the first connect waits for a token
    client.stop();
    client.start(); // signed in again before the first token came
    for (const [n, resolve] of waiting.entries()) resolve(`token-${n + 1}`);
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.opened).toHaveLength(1);
    client.stop();
    expect(FakeSocket.opened.every((socket) => socket.closed)).toBe(true);
  });

  it("opens nothing when stopped while a connect awaits its token", async () => {
    let resolve!: (token: string) => void;
    const { client } = session({ token: () => new Promise<string>((r) => (resolve = r)) });
    client.start();
    client.stop();
    resolve("token-1");
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.opened).toHaveLength(0);
  });
});

describe("backoffMs", () => {
  it("doubles up to 30 s, with up to half of it random", () => {
    expect([0, 1, 2, 5, 9].map((n) => backoffMs(n, () => 1))).toEqual([1000, 2000, 4000, 30000, 30000]);
    expect(backoffMs(0, () => 0)).toBe(500);
  });
});
