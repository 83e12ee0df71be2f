/**
 * The meeting API's schemas, generated from docs/openapi.json by contract.ts: do not edit.
 * Refresh after the API's models change: npm --prefix frontend run api-types
 */

/** A phone call as agents see it (calls.record.CallRecord.to_view). */
export interface Call {
  id: string;
  direction: "inbound" | "outbound";
  from: string;
  to: string;
  status: "connecting" | "ringing" | "dialing" | "in_progress" | "transferring" | "ended";
  meetingId: string | null;
  /** The agent holding the call: their id (Cognito sub); compare it */
  answeredBy: string | null;
  /** The holding agent's e-mail, to show; null if unknown */
  answeredByEmail: string | null;
  createdAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  endReason: string | null;
  updatedAt: string;
}

export interface CallEnvelope {
  call: Call;
}

export interface CallList {
  calls: Call[];
  nextCursor: string | null;
}

export interface DialRequest {
  /** A valid phone number in E.164 form, in ASCII: + and digits only (calls.phone_numbers) */
  to: string;
}

export interface ErrorDetail {
  code: string;
  message: string;
}

export interface ErrorResponse {
  error: ErrorDetail;
}

export interface Health {
  status: "ok";
}

/** The call, and what amazon-chime-sdk-js needs to join its meeting. */
export interface JoinedCall {
  call: Call;
  /** The Meeting exactly as Chime SDK meetings returns it (MeetingId, MediaPlacement…) */
  meeting: Record<string, unknown>;
  /** The Attendee exactly as Chime SDK meetings returns it (AttendeeId, JoinToken…) */
  attendee: Record<string, unknown>;
}

/** A meeting and one attendee: MeetingSessionConfiguration(meeting, attendee) in amazon-chime-sdk-js. */
export interface MeetingJoin {
  /** The Meeting exactly as Chime SDK meetings returns it (MeetingId, MediaPlacement…) */
  meeting: Record<string, unknown>;
  /** The Attendee exactly as Chime SDK meetings returns it (AttendeeId, JoinToken…) */
  attendee: Record<string, unknown>;
}

export interface RealtimeSession {
  /** Ephemeral key (ek_…): Bearer for the SDP POST */
  clientSecret: string;
  /** When the key stops opening sessions (epoch s) */
  expiresAt: number;
  /** POST the SDP offer here */
  webrtcUrl: string;
  model: string;
  voice: string;
  /** The caller's words are transcribed with it; null: off */
  transcriptionModel: string | null;
}

export interface RealtimeSessionRequest {
  callId?: string | null;
}
