import { describe, expect, it } from "vitest";
import type { Call } from "../api/types";
import { endedText, remoteParty, statusLabel } from "./describe";

const call = (patch: Partial<Call>): Call => ({
  id: "c1",
  direction: "inbound",
  from: "+15555550100",
  to: "+15555550199",
  status: "ringing",
  meetingId: null,
  answeredBy: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  answeredAt: null,
  endedAt: null,
  endReason: null,
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...patch,
});

describe("call words", () => {
  it("reads ringing from the agent's side: a caller waiting, or the far end ringing", () => {
    expect(statusLabel(call({}))).toBe("Waiting");
    expect(statusLabel(call({ direction: "outbound" }))).toBe("Ringing");
    expect(statusLabel(call({ status: "in_progress" }))).toBe("In progress");
  });

  it("names the other party and why the call ended", () => {
    expect(remoteParty(call({}))).toBe("+15555550100");
    expect(remoteParty(call({ direction: "outbound" }))).toBe("+15555550199");
    expect(endedText(call({ status: "ended", endReason: "transferred" }))).toBe("Transferred.");
    expect(endedText(call({ status: "ended" }))).toBe("The call ended.");
  });
});
