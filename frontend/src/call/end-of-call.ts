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
