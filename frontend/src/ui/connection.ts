/** The header's connection status, in words, from the call feed's health (never from the last list alone). */

import { ApiError } from "../api/client";
import type { FeedHealth } from "../calls/feed";
import { formatWhen } from "./format";

/** The connection pill: `data-state` (its colour) and its words, from the feed's health. */
export function connectionLabel(health: FeedHealth): [state: string, text: string] {
  switch (health.state) {
    case "connecting":
      return ["connecting", "Connecting…"];
    case "healthy":
      return ["live", "Live"];
    case "degraded":
      return ["degraded", "Live, reconnecting…"];
    case "down": {
      const offline = health.error instanceof ApiError && health.error.status === 0;
      const since = health.lastSuccessAt === null ? "" : ` Last update ${formatWhen(new Date(health.lastSuccessAt).toISOString())}.`;
      return ["offline", `${offline ? "Offline" : "Call service unavailable"}, retrying…${since}`];
    }
  }
}
