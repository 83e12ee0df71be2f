import { afterEach, describe, expect, it, vi } from "vitest";
import type { ApiClient } from "../api/client";
import { beaconEnd, EndingClaim, endRequest, TRANSFER_TIMEOUT_MS, type CallKind, type EndIntent } from "./end-of-call";

describe("endRequest: the one decision of what ending a call asks of the API", () => {
  const call = (kind: CallKind) => ({ kind, callId: "c-1", meetingId: "m-1" });
  const test = { kind: "test" as const, callId: null, meetingId: "m-t" };

  it.each<[CallKind, EndIntent, string]>([
    ["inbound", "hang-up", "hangup"],
    ["inbound", "leave", "leave"],
    // Gone without choosing: the caller goes back to the queue for another agent.
    ["inbound", "abandon", "leave"],
    ["outbound", "hang-up", "hangup"],
    ["outbound", "leave", "leave"],
    // Nobody else will pick an outbound call up.
    ["outbound", "abandon", "hangup"],
  ])("%s call, %s: %s", (kind, intent, action) => {
    expect(endRequest(intent, call(kind))).toEqual({ action, callId: "c-1" });
  });

  it("a test meeting is deleted when it ends, whichever way", () => {
    expect(endRequest("hang-up", test)).toEqual({ action: "delete-meeting", meetingId: "m-t" });
    expect(endRequest("abandon", test)).toEqual({ action: "delete-meeting", meetingId: "m-t" });
    expect(endRequest("leave", test)).toBeNull();
  });

  it("asks nothing before the server made a call or meeting", () => {
    for (const intent of ["hang-up", "leave", "abandon"] as const) {
      expect(endRequest(intent, { kind: "inbound", callId: null, meetingId: null })).toBeNull();
    }
  });

  it("a closing tab sends the same request as a beacon, with ids escaped", () => {
    const sent: string[] = [];
    const api = { sendOnUnload: (method: string, path: string) => sent.push(`${method} ${path}`) } as unknown as ApiClient;
    beaconEnd(api, { action: "leave", callId: "a/b" });
    beaconEnd(api, { action: "hangup", callId: "c" });
    beaconEnd(api, { action: "delete-meeting", meetingId: "m 1" });
    expect(sent).toEqual(["POST /calls/a%2Fb/leave", "POST /calls/c/hangup", "DELETE /meetings/m%201"]);
  });
});

describe("EndingClaim: one ending at a time", () => {
  afterEach(() => void vi.useRealTimers());

  it("is taken once, and its reason names what the meeting's own end means", () => {
    const held: boolean[] = [];
    const claim = new EndingClaim((h) => held.push(h));
    expect(claim.take()).toBe(true);
    expect(claim.take()).toBe(false);
    expect(claim.reason).toBeNull();
    claim.expect("You hung up.");
    expect(claim.reason).toBe("You hung up.");
    claim.release();
    expect(held).toEqual([true, false]);
    expect(claim.take()).toBe(true);
  });

  it("a transfer times out unless the record shows it", () => {
    vi.useFakeTimers();
    const timedOut = vi.fn();
    const shown = new EndingClaim(() => undefined);
    shown.take();
    shown.awaitTransfer(timedOut);
    expect(shown.reason).toBe("Transferred.");
    shown.transferShown();
    vi.advanceTimersByTime(TRANSFER_TIMEOUT_MS * 2);
    expect(timedOut).not.toHaveBeenCalled();
    expect(shown.held).toBe(true);

    const lost = new EndingClaim(() => undefined);
    lost.take();
    lost.awaitTransfer(timedOut);
    vi.advanceTimersByTime(TRANSFER_TIMEOUT_MS);
    expect(timedOut).toHaveBeenCalledTimes(1);
  });
});
