/** What the UI reads of a call session: one immutable view, replaced on every change. */

import type { Call } from "../api/types";
import type { CallKind } from "./end-of-call";
import type { MeetingConnectionState } from "./meeting";
import type { MixerState } from "./mixer";
import type { RealtimeState } from "./realtime";
import type { LegRoutes } from "./routing";
import type { CallAudio } from "./call-audio";
import type { TranscriptEntry } from "./transcript";

export type CallPhase = "starting" | "live" | "ended";

export interface Notice {
  id: string;
  level: "error" | "warning" | "info";
  text: string;
  action?: "retry-ai" | "retry-mic";
}

export interface CallView {
  kind: CallKind;
  call: Call | null;
  /** The number on the other end, or null for a test meeting. */
  remoteNumber: string | null;
  phase: CallPhase;
  /** Hang up, Return to queue or Transfer is in flight: the end controls are disabled. */
  ending: boolean;
  meeting: MeetingConnectionState | "left";
  ai: RealtimeState;
  mixer: MixerState;
  /** Whether each outgoing leg carries its one source directly or the mixed graph output. */
  routes: LegRoutes;
  transcript: readonly TranscriptEntry[];
  notices: readonly Notice[];
  endedReason: string | null;
  startedAt: number;
  endedAt: number | null;
  audio: { sampleRate: number; baseLatency: number; outputLatency: number };
}

/** A call about to start: nothing connected yet. */
export function initialView(
  kind: CallKind,
  remoteNumber: string | null,
  context: AudioContext,
  audio: Pick<CallAudio, "mixer" | "routes">,
  transcript: readonly TranscriptEntry[],
): CallView {
  return {
    kind,
    call: null,
    remoteNumber,
    phase: "starting",
    ending: false,
    meeting: "connecting",
    ai: "connecting",
    mixer: audio.mixer,
    routes: audio.routes,
    transcript,
    notices: [],
    endedReason: null,
    startedAt: Date.now(),
    endedAt: null,
    audio: { sampleRate: context.sampleRate, baseLatency: context.baseLatency ?? 0, outputLatency: 0 },
  };
}
