import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ApiClient, CallListResult } from "../api/client";
import { CallPoller } from "./poller";

describe("CallPoller", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("sends back the last ETag, hands on only changed lists, reports every answer, and backs off on errors", async () => {
    const etags: Array<string | null | undefined> = [];
    const results: Array<CallListResult | Error> = [
      { notModified: false, page: { calls: [], nextCursor: null }, etag: '"1"' },
      { notModified: true },
      new Error("down"),
      { notModified: true },
    ];
    const api = {
      listCalls: async (options: { etag?: string | null }) => {
        etags.push(options.etag);
        const next = results.shift();
        if (next instanceof Error) throw next;
        return next as CallListResult;
      },
    } as unknown as Pick<ApiClient, "listCalls">;
    const changes: number[] = [];
    const answers: Array<string> = [];
    const poller = new CallPoller(
      api,
      { calls: (calls) => changes.push(calls.length), answered: (a) => answers.push(a.ok ? (a.changed ? "200" : "304") : "error") },
      1000,
    );

    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(answers).toEqual(["200", "304", "error"]);
    // After one failure the next poll waits twice as long.
    await vi.advanceTimersByTimeAsync(1000);
    expect(etags).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(etags).toEqual([null, '"1"', '"1"', '"1"']);
    expect(changes).toEqual([0]);
    // Every answer is reported, a 304 after an error too: that is what clears the alarm.
    expect(answers).toEqual(["200", "304", "error", "304"]);
    poller.stop();
  });
});

describe("CallPoller.pollNow({ fresh: true })", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("polls once more after a poll already in flight, since that one was sent too early", async () => {
    const gates: Array<() => void> = [];
    const api = {
      listCalls: () =>
        new Promise<CallListResult>((resolve) =>
          gates.push(() => resolve({ notModified: false, page: { calls: [], nextCursor: null }, etag: `"${gates.length}"` })),
        ),
    } as unknown as Pick<ApiClient, "listCalls">;
    const poller = new CallPoller(api, { calls: () => undefined, answered: () => undefined }, 30_000);
    poller.start();
    expect(gates).toHaveLength(1);
    // Subscribed while that poll is out: changes published in between may not be in its answer.
    let freshDone = false;
    const fresh = poller.pollNow({ fresh: true }).then(() => (freshDone = true));
    void poller.pollNow({ fresh: true }); // a second asker shares the same follow-up poll
    void poller.pollNow(); // a plain one shares whatever is in flight
    gates[0]?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(gates).toHaveLength(2);
    expect(freshDone).toBe(false);
    gates[1]?.();
    await fresh;
    await vi.advanceTimersByTimeAsync(0);
    expect(gates).toHaveLength(2); // then back to the 30 s beat
    poller.stop();
  });

  it("is a plain poll when none is in flight", async () => {
    let requests = 0;
    const api = {
      listCalls: async (): Promise<CallListResult> => {
        requests++;
        return { notModified: true };
      },
    } as unknown as Pick<ApiClient, "listCalls">;
    const poller = new CallPoller(api, { calls: () => undefined, answered: () => undefined }, 30_000);
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    await poller.pollNow({ fresh: true });
    expect(requests).toBe(2);
    poller.stop();
  });
});
