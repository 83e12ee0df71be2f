/**
 * The end-of-call choice, in one place: what ending a call asks of the API (leave, hang up, delete
 * the test meeting), how to send it, and how the ending reads to the agent.
 */

import type { ApiClient } from "../api/client";

export type CallKind = "inbound" | "outbound" | "test";

/**
 * - `hang-up`: the agent ends the call for everyone (or ends the test).
 * - `leave`: the agent steps out; the caller stays and another agent can answer.
 * - `abandon`: the agent is gone without choosing (page closed, call audio failed, ended before the
 *   call connected): an inbound caller goes back to the queue; an outbound call, which nobody else
 *   will pick up, is hung up; a test meeting is deleted.
 */
export type EndIntent = "hang-up" | "leave" | "abandon";

export type EndRequest =
  | { action: "hangup"; callId: string }
  | { action: "leave"; callId: string }
  | { action: "delete-meeting"; meetingId: string };

/** The call being ended: a test meeting has no call id; the meeting id is known once joined. */
export interface EndTarget {
  kind: CallKind;
  callId: string | null;
  meetingId: string | null;
}

/** The one decision: what to ask of the API, or null when there is nothing to tell it. */
export function endRequest(intent: EndIntent, target: EndTarget): EndRequest | null {
  const { kind, callId, meetingId } = target;
  if (callId) {
    const leave = intent === "leave" || (intent === "abandon" && kind === "inbound");
    return { action: leave ? "leave" : "hangup", callId };
  }
  // A test meeting: no call to leave (the UI offers Leave only on inbound calls), so only ending it
  // deletes the meeting.
  if (meetingId && intent !== "leave") return { action: "delete-meeting", meetingId };
  return null;
}

/** Send the request and wait for the answer (rejects as the API client does). */
export async function sendEnd(api: ApiClient, request: EndRequest): Promise<void> {
  switch (request.action) {
    case "hangup":
      await api.hangup(request.callId);
      return;
    case "leave":
      await api.leave(request.callId);
      return;
    case "delete-meeting":
      await api.deleteMeeting(request.meetingId);
  }
}

/** `pagehide`: nothing can be awaited; send it as far as a closing tab can. */
export function beaconEnd(api: ApiClient, request: EndRequest): void {
  if (request.action === "delete-meeting") {
    api.sendOnUnload("DELETE", `/meetings/${encodeURIComponent(request.meetingId)}`);
  } else {
    api.sendOnUnload("POST", `/calls/${encodeURIComponent(request.callId)}/${request.action}`);
  }
}

/** How the agent's own hang-up or leave reads once the call has ended. */
export function endedByAgent(intent: "hang-up" | "leave", kind: CallKind): string {
  if (intent === "leave") return "You left the call; it is back in the queue.";
  return kind === "test" ? "Test ended." : "You hung up.";
}

/** Ended before the answer / new call / test meeting came back. */
export function cancelledText(kind: CallKind): string {
  switch (kind) {
    case "inbound":
      return "Cancelled before the call connected; it stays in the queue.";
    case "outbound":
      return "Cancelled before the call connected.";
    case "test":
      return "Test cancelled.";
  }
}

/** The call audio never came up, and the call was given up as `request` says. */
export function audioFailedText(request: EndRequest | null): string {
  if (request?.action === "leave") return "Call audio failed; the call was returned to the queue.";
  if (request?.action === "hangup") return "Call audio failed; the call was ended.";
  return "Call audio failed.";
}

/**
 * A transfer the API accepted (202) is carried out by the SMA Lambda, which records it as
 * `transferring` (or `ended`). If the record shows neither this long after, the transfer did not
 * happen and the call is still the agent's: give the end controls back.
 */
export const TRANSFER_TIMEOUT_MS = 20_000;

type Claim =
  | { step: "none" }
  /** Hang up, leave or transfer requested; `reason` is how the meeting leg's own end reads meanwhile. */
  | { step: "requested"; reason: string | null }
  /** A transfer the API accepted, waiting for the call record to show it. */
  | { step: "transferring"; timer: ReturnType<typeof setTimeout> };

/**
 * This agent's own ending of the call, one at a time: a double click or a second button must not
 * send a second, contradicting request. While one is held the end controls are disabled.
 */
export class EndingClaim {
  private claim: Claim = { step: "none" };

  constructor(private readonly heldChanged: (held: boolean) => void) {}

  get held(): boolean {
    return this.claim.step !== "none";
  }

  /**
   * How the meeting leg's own end reads while this is in flight (hanging up ends the meeting; the
   * API deletes this agent's attendee on leave); null: ask the API why.
   */
  get reason(): string | null {
    if (this.claim.step === "transferring") return "Transferred.";
    return this.claim.step === "requested" ? this.claim.reason : null;
  }

  /** Claim the ending, synchronously; false if another is in flight. */
  take(): boolean {
    if (this.held) return false;
    this.set({ step: "requested", reason: null });
    return true;
  }

  /** The meeting's end that follows this request reads as `reason`. */
  expect(reason: string): void {
    this.set({ step: "requested", reason });
  }

  /** Refused, or never carried out: the call goes on and the controls come back. */
  release(): void {
    this.stop();
    this.set({ step: "none" });
  }

  /** The API accepted a transfer: `timedOut` unless the record shows it in TRANSFER_TIMEOUT_MS. */
  awaitTransfer(timedOut: () => void): void {
    this.set({ step: "transferring", timer: setTimeout(timedOut, TRANSFER_TIMEOUT_MS) });
  }

  /** The record shows the transfer (or the end): it happened; the controls stay disabled. */
  transferShown(): void {
    if (this.claim.step !== "transferring") return;
    this.stop();
    this.set({ step: "requested", reason: "Transferred." });
  }

  /** The call ended: no timer outlives it. */
  stop(): void {
    if (this.claim.step === "transferring") clearTimeout(this.claim.timer);
  }

  private set(claim: Claim): void {
    const wasHeld = this.held;
    this.claim = claim;
    if (this.held !== wasHeld) this.heldChanged(this.held);
  }
}
