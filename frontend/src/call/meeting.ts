/**
 * The meeting leg behind a small interface: the real one is amazon-chime-sdk-js (loaded only when a
 * call starts); browser tests inject a fake at exactly this boundary (see tests/browser).
 */

import type { JoinInfo } from "../api/types";

export type MeetingConnectionState = "connecting" | "connected" | "reconnecting" | "poor";

/** Why the meeting leg ended on its own (not through `leave()`). */
export type MeetingEndReason = "meeting_ended" | "removed" | "joined_elsewhere" | "failed";

export interface MeetingHandlers {
  /** The meeting's remote audio (the caller). May fire again if the SDK replaces the stream. */
  remoteAudio(stream: MediaStream): void;
  connection(state: MeetingConnectionState): void;
  ended(reason: MeetingEndReason, detail: string): void;
}

export interface MeetingConnection {
  /** Join with `input` as the meeting's audio input (what the caller hears); resolves when audio is up. */
  join(info: JoinInfo, input: MediaStream, handlers: MeetingHandlers): Promise<void>;
  setAudioInput(stream: MediaStream): Promise<void>;
  leave(): Promise<void>;
}

export type MeetingConnectionFactory = () => MeetingConnection | Promise<MeetingConnection>;

declare global {
  // Test seam: set before the app loads (Playwright add_init_script); never set in production.
  var __calldeskMeetingFactory: MeetingConnectionFactory | undefined;
}

export async function createMeetingConnection(): Promise<MeetingConnection> {
  const injected = globalThis.__calldeskMeetingFactory;
  if (typeof injected === "function") return injected();
  const { ChimeMeetingConnection } = await import("./chime-meeting");
  return new ChimeMeetingConnection();
}
