/** Words for call states and end reasons, shared by the call list and the call view. */

import type { Call, CallStatus, EndReason } from "../api/types";

const STATUS_LABEL: Record<CallStatus, string> = {
  connecting: "Connecting",
  ringing: "Waiting",
  dialing: "Dialing",
  in_progress: "In progress",
  transferring: "Transferring",
  ended: "Ended",
};

/** Outbound "ringing" is the far end ringing; inbound "ringing" is a caller waiting for an agent. */
export function statusLabel(call: Call): string {
  return call.status === "ringing" && call.direction === "outbound" ? "Ringing" : STATUS_LABEL[call.status];
}

export const END_LABEL: Record<EndReason, string> = {
  caller_hung_up: "Caller hung up",
  agent_hung_up: "Agent hung up",
  no_answer: "No answer",
  busy: "Busy",
  failed: "Failed",
  timeout: "Timed out",
  transferred: "Transferred",
  error: "Ended with an error",
};

export function endedText(call: Call): string {
  return call.endReason ? `${END_LABEL[call.endReason]}.` : "The call ended.";
}

/** The number on the other end of the call, from the agent's point of view. */
export function remoteParty(call: Call): string {
  return call.direction === "inbound" ? call.from : call.to;
}

/**
 * Whether `agent` holds the call. The API names the holder by Cognito `sub`; calls stored before it did
 * name them by e-mail, so those still match on it (a sub never contains "@").
 */
export function isAnsweredBy(call: Pick<Call, "answeredBy">, agent: { sub: string; email: string | null } | null): boolean {
  if (!agent || !call.answeredBy) return false;
  return call.answeredBy === agent.sub || (call.answeredBy.includes("@") && call.answeredBy === agent.email);
}

/** Who answered, as agents know each other: "you", a colleague's e-mail, or "another agent"; null if nobody. */
export function answeredByLabel(call: Call, mine: boolean): string | null {
  if (!call.answeredBy) return null;
  return mine ? "you" : (call.answeredByEmail ?? "another agent");
}
