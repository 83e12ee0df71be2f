import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ApiClient, CallListResult } from "../api/client";
import type { Call } from "../api/types";
import { FakeSocket } from "./fake-socket.testing";
import { CallFeed, FAST_POLL_MS, SAFETY_POLL_MS } from "./feed";

function call(id: string, updatedAt: string, status: Call["status"] = "ringing", createdAt = updatedAt): Call {
  return {
    id,
    direction: "inbound",
    from: "+12065550100",
    to: "+12065550199",
    status,
    meetingId: null,
    answeredBy: null,
    answeredByEmail: null,
    createdAt,
    answeredAt: null,
    endedAt: null,
    endReason: null,
    updatedAt,
  };
}

function fakeApi(pages: Call[][]) {
  const requests: number[] = [];
  let current: Call[] = [];
  const api = {
    listCalls: async (): Promise<CallListResult> => {
      requests.push(Date.now());
      current = pages.shift() ?? current;
      return { notModified: false, page: { calls: current, nextCursor: null }, etag: `"${requests.length}"` };
    },
  } as unknown as Pick<ApiClient, "listCalls">;
  return { api, requests };
}

const events = { realtimeUrl: "ws://127.0.0.1:1/event/realtime", httpHost: "127.0.0.1:1" };

function feed(api: Pick<ApiClient, "listCalls">, withPush: boolean) {
  const lists: Call[][] = [];
  const client = new CallFeed(
    api,
    { calls: (calls) => lists.push(calls), health: () => undefined },
    {
      events: withPush ? events : null,
      token: async () => "token",
      socket: (url, protocols) => new FakeSocket(url, protocols),
      random: () => 0.5,
    },
  );
  return { client, lists };
}

describe("CallFeed", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.opened = [];
  });
  afterEach(() => void vi.useRealTimers());

  it("polls fast, as before, when no Events endpoint is configured", async () => {
    const { api, requests } = fakeApi([[]]);
    const { client } = feed(api, false);
    expect(client.pushConfigured).toBe(false);
    client.start();
    await vi.advanceTimersByTimeAsync(FAST_POLL_MS * 4);
    expect(requests).toHaveLength(5);
    expect(FakeSocket.opened).toHaveLength(0);
    client.stop();
  });

  it("with push live, polls once per subscription and then only every 30 s, and shows pushed calls at once", async () => {
    const { api, requests } = fakeApi([[call("a", "2026-12-02T08:00:00.000Z")]]);
    const { client, lists } = feed(api, true);
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeSocket.opened[0] as FakeSocket;
    const [id] = socket.accept();
    await vi.advanceTimersByTimeAsync(0);
    const afterLive = requests.length;
    await vi.advanceTimersByTimeAsync(SAFETY_POLL_MS - 1);
    expect(requests).toHaveLength(afterLive);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(afterLive + 1);

    const fresh = call("b", "2026-12-02T08:00:05.000Z");
    socket.receive({ type: "data", id, event: JSON.stringify({ kind: "ringing", call: fresh }) });
    expect(lists.at(-1)?.map((c) => c.id)).toEqual(["b", "a"]);
    client.stop();
  });

  it("never lets a late event or an older poll roll a call back", async () => {
    const first = call("a", "2026-12-02T08:00:00.000Z");
    const { api } = fakeApi([[first], [first]]);
    const { client, lists } = feed(api, true);
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeSocket.opened[0] as FakeSocket;
    const [id] = socket.accept();
    await vi.advanceTimersByTimeAsync(0);
    const answered = call("a", "2026-12-02T08:00:09.000Z", "in_progress", first.createdAt);
    socket.receive({ type: "data", id, event: JSON.stringify({ call: answered }) });
    socket.receive({ type: "data", id, event: JSON.stringify({ call: first }) }); // late duplicate
    expect(lists.at(-1)?.[0]?.status).toBe("in_progress");
    await vi.advanceTimersByTimeAsync(SAFETY_POLL_MS); // the poll still shows the older row
    expect(lists.at(-1)?.[0]?.status).toBe("in_progress");
    client.stop();
  });

  it("after a dropped socket polls fast until it is live again, then resyncs once and slows down", async () => {
    const { api, requests } = fakeApi([[]]);
    const { client } = feed(api, true);
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    (FakeSocket.opened[0] as FakeSocket).accept();
    await vi.advanceTimersByTimeAsync(SAFETY_POLL_MS + 10); // settle on the slow beat
    const beforeDrop = requests.length;
    (FakeSocket.opened[0] as FakeSocket).drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(requests.length).toBe(beforeDrop + 1); // the drop itself refetches
    await vi.advanceTimersByTimeAsync(FAST_POLL_MS);
    expect(requests.length).toBe(beforeDrop + 2);
    await vi.advanceTimersByTimeAsync(FAST_POLL_MS);
    expect(requests.length).toBe(beforeDrop + 3);
    const second = FakeSocket.opened[1] as FakeSocket;
    const beforeLive = requests.length;
    second.accept();
    await vi.advanceTimersByTimeAsync(0);
    expect(requests.length).toBe(beforeLive + 1); // one GET /calls closes the gap
    await vi.advanceTimersByTimeAsync(SAFETY_POLL_MS - 1);
    expect(requests.length).toBe(beforeLive + 1);
    client.stop();
  });

  it("polls without reconnecting on pollNow; only backOnline skips the push backoff", async () => {
    const { api, requests } = fakeApi([[]]);
    const { client } = feed(api, true);
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    (FakeSocket.opened[0] as FakeSocket).accept();
    await vi.advanceTimersByTimeAsync(0);
    (FakeSocket.opened[0] as FakeSocket).drop(); // backs off (>= 500 ms) before reconnecting
    await vi.advanceTimersByTimeAsync(0);
    const before = requests.length;
    await client.pollNow(); // e.g. after answering a call
    await vi.advanceTimersByTimeAsync(0);
    expect(requests.length).toBe(before + 1);
    expect(FakeSocket.opened).toHaveLength(1);
    await client.backOnline(); // the browser's `online` event
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.opened).toHaveLength(2);
    client.stop();
  });
});
