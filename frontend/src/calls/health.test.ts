import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, type ApiClient, type CallListResult } from "../api/client";
import type { Call } from "../api/types";
import { FakeSocket } from "./fake-socket.testing";
import { CallFeed, FAST_POLL_MS, type FeedHealth } from "./feed";

const ringing: Call = {
  id: "a",
  direction: "inbound",
  from: "+12065550100",
  to: "+12065550199",
  status: "ringing",
  meetingId: null,
  answeredBy: null,
  answeredByEmail: null,
  createdAt: "2026-12-02T08:00:00.000Z",
  answeredAt: null,
  endedAt: null,
  endReason: null,
  updatedAt: "2026-12-02T08:00:00.000Z",
};

const page = (calls: Call[]): CallListResult => ({ notModified: false, page: { calls, nextCursor: null }, etag: '"1"' });
const unavailable = () => new ApiError(503, "service_unavailable", "Service unavailable");

/** The API answers from `script` (the last entry repeats); a function entry throws what it returns. */
function scripted(script: Array<CallListResult | (() => Error)>) {
  const api = {
    listCalls: async (): Promise<CallListResult> => {
      const next = (script.length > 1 ? script.shift() : script[0]) as CallListResult | (() => Error);
      if (typeof next === "function") throw next();
      return next;
    },
  } as unknown as Pick<ApiClient, "listCalls">;
  return api;
}

const events = { realtimeUrl: "ws://127.0.0.1:1/event/realtime", httpHost: "127.0.0.1:1" };

function watch(api: Pick<ApiClient, "listCalls">, withPush = false) {
  const health: FeedHealth[] = [];
  const lists: Call[][] = [];
  const feed = new CallFeed(
    api,
    { calls: (calls) => lists.push(calls), health: (h) => health.push(h) },
    {
      events: withPush ? events : null,
      token: async () => "token",
      socket: (url, protocols) => new FakeSocket(url, protocols),
      random: () => 0.5,
    },
  );
  return { feed, health, lists, state: () => health.at(-1)?.state };
}

describe("CallFeed health: every answer, 200, 304 or error, updates what the agent sees", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-12-02T08:00:00.000Z"));
    FakeSocket.opened = [];
  });
  afterEach(() => void vi.useRealTimers());

  it("503 then 304: the first 304 clears the alarm and stamps the last success", async () => {
    const api = scripted([page([ringing]), unavailable, unavailable, { notModified: true }]);
    const { feed, health, lists, state } = watch(api);
    feed.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toBe("healthy");
    const firstSuccess = health.at(-1)?.lastSuccessAt;
    await vi.advanceTimersByTimeAsync(FAST_POLL_MS);
    expect(state()).toBe("down");
    expect(health.at(-1)?.error).toBeInstanceOf(ApiError);
    expect(health.at(-1)?.lastSuccessAt).toBe(firstSuccess); // when the list was last known good
    // Two failures back off (x2, x4); the 304 comes at the third poll after the first.
    await vi.advanceTimersByTimeAsync(FAST_POLL_MS * 2 + FAST_POLL_MS * 4);
    expect(state()).toBe("healthy");
    expect(health.at(-1)?.error).toBeNull();
    expect(health.at(-1)?.lastSuccessAt).toBe(Date.now());
    expect(lists).toHaveLength(1); // nothing changed: the list was not re-sent, only the health
    feed.stop();
  });

  it("503 then 200 with the same list: healthy again, the list as it was", async () => {
    const api = scripted([page([ringing]), unavailable, page([ringing])]);
    const { feed, lists, state } = watch(api);
    feed.start();
    await vi.advanceTimersByTimeAsync(FAST_POLL_MS);
    expect(state()).toBe("down");
    await vi.advanceTimersByTimeAsync(FAST_POLL_MS * 2);
    expect(state()).toBe("healthy");
    expect(lists.at(-1)).toEqual([ringing]);
    feed.stop();
  });

  it("reports every answer, not only changes (each 304 is a report)", async () => {
    const api = scripted([page([]), { notModified: true }]);
    const { feed, health } = watch(api);
    feed.start();
    await vi.advanceTimersByTimeAsync(FAST_POLL_MS * 3);
    expect(health.map((h) => h.state)).toEqual(["healthy", "healthy", "healthy", "healthy"]);
    feed.stop();
  });

  it("a push connection that comes back clears the alarm even before a poll succeeds", async () => {
    const api = scripted([page([]), unavailable]);
    const { feed, health, state } = watch(api, true);
    feed.start();
    await vi.advanceTimersByTimeAsync(0);
    (FakeSocket.opened[0] as FakeSocket).drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toBe("down");
    // The socket reconnects (its backoff), and is live while GET /calls still fails.
    await vi.advanceTimersByTimeAsync(2_000);
    const reconnected = FakeSocket.opened.at(-1) as FakeSocket;
    expect(reconnected).not.toBe(FakeSocket.opened[0]);
    const before = health.length;
    reconnected.accept();
    expect(health.length).toBeGreaterThan(before);
    expect(health[before]?.state).toBe("degraded"); // live updates again: no longer the outage alarm
    expect(health[before]?.push).toBe("live");
    expect(health[before]?.lastSuccessAt).toBe(Date.now());
    feed.stop();
  });

  it("a dropped push channel with working polls is degraded, not down", async () => {
    const api = scripted([page([])]);
    const { feed, state } = watch(api, true);
    feed.start();
    await vi.advanceTimersByTimeAsync(0);
    (FakeSocket.opened[0] as FakeSocket).accept();
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toBe("healthy");
    (FakeSocket.opened[0] as FakeSocket).drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(state()).toBe("degraded");
    feed.stop();
  });
});
