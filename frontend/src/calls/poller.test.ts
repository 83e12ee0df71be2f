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
