import { describe, expect, it } from "vitest";
import type { Call } from "../api/types";
import { answeredByLabel, endedText, isAnsweredBy, remoteParty, statusLabel } from "./describe";

const call = (patch: Partial<Call>): Call => ({
  id: "c1",
  direction: "inbound",
  from: "+15555550100",
  to: "+15555550199",
  status: "ringing",
  meetingId: null,
  answeredBy: null,
  answeredByEmail: null,
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

  it("knows the agent by sub, and by e-mail on calls stored before agents were keyed by sub", () => {
    const me = { sub: "3c1f-sub", email: "ana@example.com" };
    expect(isAnsweredBy(call({ answeredBy: "3c1f-sub", answeredByEmail: "ana@example.com" }), me)).toBe(true);
    expect(isAnsweredBy(call({ answeredBy: "3c1f-sub", answeredByEmail: "old@example.com" }), me)).toBe(true);
    expect(isAnsweredBy(call({ answeredBy: "ana@example.com", answeredByEmail: "ana@example.com" }), me)).toBe(true);
    // A colleague whose display e-mail happens to match is still someone else: the sub decides.
    expect(isAnsweredBy(call({ answeredBy: "9b7e-sub", answeredByEmail: "ana@example.com" }), me)).toBe(false);
    expect(isAnsweredBy(call({}), me)).toBe(false);
    expect(isAnsweredBy(call({ answeredBy: "3c1f-sub" }), null)).toBe(false);
  });

  it("shows who answered as 'you' or by e-mail, never by sub", () => {
    expect(answeredByLabel(call({}), false)).toBeNull();
    expect(answeredByLabel(call({ answeredBy: "3c1f-sub", answeredByEmail: "ana@example.com" }), true)).toBe("you");
    expect(answeredByLabel(call({ answeredBy: "9b7e-sub", answeredByEmail: "bob@example.com" }), false)).toBe(
      "bob@example.com",
    );
    expect(answeredByLabel(call({ answeredBy: "9b7e-sub" }), false)).toBe("another agent");
  });
});
