/**
 * Shapes of the meeting API (camelCase JSON). The contract is schemas.gen.ts, generated from
 * docs/openapi.json; this module only names it for the client and narrows what the contract leaves
 * open, each narrowing checked below to stay within the contract.
 */

import type * as Contract from "./schemas.gen";

export type CallDirection = Contract.Call["direction"];
export type CallStatus = Contract.Call["status"];

/**
 * What calls.record.EndReason writes. The contract types `endReason` as any string (the API's
 * models.Call declares `str | None`); once it declares the enum, this narrowing can go.
 */
export type EndReason =
  | "caller_hung_up"
  | "agent_hung_up"
  | "no_answer"
  | "busy"
  | "failed"
  | "timeout"
  | "transferred"
  | "error";

export type Call = Omit<Contract.Call, "endReason"> & { endReason: EndReason | null };

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

export interface JoinInfo extends Contract.MeetingJoin {
  meeting: ChimeMeeting;
  attendee: ChimeAttendee;
}

export interface CallWithJoinInfo extends JoinInfo {
  call: Call;
}

export type CallPage = Omit<Contract.CallList, "calls"> & { calls: Call[] };

export type RealtimeSessionInfo = Contract.RealtimeSession;

// Each narrowing stays within the contract: `tsc` fails here if the API's models drift from it.
type Within<Narrow extends Wide, Wide> = Narrow;
export type ContractChecks = [
  Within<Call, Contract.Call>,
  Within<EndReason, NonNullable<Contract.Call["endReason"]>>,
  Within<CallWithJoinInfo, Contract.JoinedCall>,
  Within<CallPage, Contract.CallList>,
];
