/** Shapes of the meeting API (camelCase JSON), as the backend contract defines them. */

export type CallDirection = "inbound" | "outbound";
export type CallStatus = "connecting" | "ringing" | "dialing" | "in_progress" | "transferring" | "ended";
export type EndReason =
  | "caller_hung_up"
  | "agent_hung_up"
  | "no_answer"
  | "busy"
  | "failed"
  | "timeout"
  | "transferred"
  | "error";

export interface Call {
  id: string;
  direction: CallDirection;
  from: string;
  to: string;
  status: CallStatus;
  meetingId: string | null;
  /** The agent holding the call: their Cognito `sub` (an e-mail on calls stored before). Compare, don't show. */
  answeredBy: string | null;
  /** The holding agent's e-mail, to show. */
  answeredByEmail: string | null;
  createdAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  endReason: EndReason | null;
  updatedAt: string;
}

/**
 * Chime SDK Meetings API `Meeting` / `Attendee` objects, passed untouched to
 * `new MeetingSessionConfiguration(meeting, attendee)`; only what the client reads is typed.
 */
export interface ChimeMeeting {
  MeetingId: string;
  MediaRegion?: string;
  MediaPlacement: {
    AudioHostUrl: string;
    SignalingUrl: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ChimeAttendee {
  AttendeeId: string;
  ExternalUserId?: string;
  JoinToken: string;
  [key: string]: unknown;
}

export interface JoinInfo {
  meeting: ChimeMeeting;
  attendee: ChimeAttendee;
}

export interface CallWithJoinInfo extends JoinInfo {
  call: Call;
}

export interface CallPage {
  calls: Call[];
  nextCursor: string | null;
}

export interface RealtimeSessionInfo {
  clientSecret: string;
  /** Epoch seconds. */
  expiresAt: number;
  webrtcUrl: string;
  model: string;
  voice: string;
  /** The transcription deployment (Azure wants a deployment name, not a model id); null when off. */
  transcriptionModel?: string | null;
}
