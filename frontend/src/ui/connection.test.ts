import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { FeedHealth } from "../calls/feed";
import { connectionLabel } from "./connection";

const health = (state: FeedHealth["state"], error: unknown = null, lastSuccessAt: number | null = null): FeedHealth => ({
  state,
  error,
  lastSuccessAt,
  push: "off",
});

describe("connectionLabel", () => {
  it("says Live whenever the feed is healthy, whatever the last error was", () => {
    expect(connectionLabel(health("healthy"))).toEqual(["live", "Live"]);
    expect(connectionLabel(health("degraded"))).toEqual(["degraded", "Live, reconnecting…"]);
  });

  it("tells an outage of the service from a lost network, with the last good update", () => {
    const at = new Date(2026, 11, 2, 8, 1, 0).getTime();
    const [state, text] = connectionLabel(health("down", new ApiError(503, "service_unavailable", "x"), at));
    expect(state).toBe("offline");
    expect(text).toMatch(/^Call service unavailable, retrying… Last update \S+/);
    expect(connectionLabel(health("down", new ApiError(0, "network", "x")))[1]).toBe("Offline, retrying…");
  });
});
