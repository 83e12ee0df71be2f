/**
 * The one audio-mode control, and what it says. The mode the agent picks is intent; what the panel
 * says is derived from the legs as they are (the AI session connected or not, the meeting joined,
 * the mixer's gains, the routes), so "the caller hears the AI" is never said when no AI is there.
 */

import type { CallView } from "../call/call-session";
import { gainsFor, type MixerState } from "../call/mixer";

export type AudioMode = "ai" | "agent" | "both" | "listen";

export const MODES: readonly { mode: AudioMode; label: string; hint: string }[] = [
  { mode: "ai", label: "AI talks", hint: "you listen" },
  { mode: "agent", label: "I talk", hint: "the AI suggests replies" },
  { mode: "both", label: "Both talk", hint: "three-way" },
  { mode: "listen", label: "Listen only", hint: "the caller hears silence" },
];

/** The mode the mixer is set to (intent). */
export function modeOf(mixer: MixerState): AudioMode {
  if (mixer.aiVoice === "on") return mixer.mic === "on" ? "both" : "ai";
  return mixer.mic === "on" ? "agent" : "listen";
}

/** The mixer settings that make a mode: [AI voice on, mic on, the AI hears the mic]. */
export function mixFor(mode: AudioMode): { aiVoice: boolean; mic: boolean; micToAi: boolean } {
  switch (mode) {
    case "ai":
      return { aiVoice: true, mic: false, micToAi: false };
    case "agent":
      return { aiVoice: false, mic: true, micToAi: false };
    case "both":
      return { aiVoice: true, mic: true, micToAi: true };
    case "listen":
      return { aiVoice: false, mic: false, micToAi: false };
  }
}

/** The slice of the call's view the description reads. */
export type RoutingView = Pick<CallView, "phase" | "ai" | "meeting" | "mixer" | "routes" | "kind">;

export interface RoutingDescription {
  mode: AudioMode;
  /** False once the call is over: no controls, no remedies. */
  live: boolean;
  /** The AI session is connected (its voice can reach the caller). */
  aiPresent: boolean;
  /** The agent's microphone is open (the "You" meter moves only then). */
  micLive: boolean;
  /** One line each, from the real state: what the caller hears, what the AI hears, the microphone. */
  callerHears: string;
  aiHears: string;
  mic: string;
}

export function describeRouting(view: RoutingView): RoutingDescription {
  const mixer = view.mixer;
  const mode = modeOf(mixer);
  const party = view.kind === "test" ? "the meeting" : view.kind === "outbound" ? "the callee" : "the caller";
  const Party = party.charAt(0).toUpperCase() + party.slice(1);
  const aiPresent = view.ai === "connected";
  const micLive = mixer.mic === "on" && mixer.micAvailable;
  if (view.phase === "ended") {
    return {
      mode,
      live: false,
      aiPresent: false,
      micLive: false,
      callerHears: "The call is over.",
      aiHears: "The AI session is closed.",
      mic: "Your microphone is off.",
    };
  }
  const mic = !mixer.micAvailable
    ? "Your microphone is unavailable."
    : micLive
      ? "Your microphone is on."
      : "Your microphone is off.";
  if (view.phase === "starting" || view.meeting === "connecting" || view.meeting === "left") {
    return { mode, live: true, aiPresent, micLive, callerHears: `Connecting the call audio: ${party} hears nothing yet.`, aiHears: aiSentence(view, aiPresent, micLive), mic };
  }
  const gains = gainsFor(mixer);
  // The caller's leg carries the AI only while its session is connected and its gain is up (or the
  // leg sends the AI's own track directly).
  const aiAudible = aiPresent && (view.routes.toCaller === "direct" || gains.aiToCaller > 0);
  const voices = [aiAudible ? "the AI" : null, micLive ? "you" : null].filter(Boolean);
  let callerHears = voices.length ? `${Party} hears ${voices.join(" and ")}.` : `${Party} hears silence.`;
  if (!aiPresent && mixer.aiVoice === "on") callerHears += ` No AI session${view.ai === "failed" ? " (it failed)" : view.ai === "closed" ? "" : " yet"}.`;
  else if (aiPresent && mixer.aiVoice === "on" && mixer.callerSpeaking) callerHears = `${Party} is talking; the AI waits. ${micLive ? `${Party} hears you.` : ""}`.trim();
  return { mode, live: true, aiPresent, micLive, callerHears, aiHears: aiSentence(view, aiPresent, micLive), mic };
}

function aiSentence(view: RoutingView, aiPresent: boolean, micLive: boolean): string {
  if (!aiPresent) return view.ai === "connecting" || view.ai === "reconnecting" ? "The AI is connecting." : "No AI session: nothing is sent to an AI.";
  const hearsYou = micLive && view.mixer.micToAi;
  const who = view.kind === "test" ? "the meeting" : "the caller";
  const hears = hearsYou ? `The AI hears ${who} and you.` : `The AI hears ${who}, not you.`;
  return view.mixer.aiVoice === "on" ? hears : `${hears} It answers in text, as suggestions.`;
}

/** What the panel needs to switch modes (CallSession's controls). */
export interface ModeControls {
  setAiVoice(on: boolean): void;
  setMic(on: boolean): void;
  setMicToAi(on: boolean): void;
  takeOver(): void;
  handBack(): void;
  readonly view: Pick<CallView, "mixer">;
}

/**
 * Apply a mode through the session's controls, in an order where every leg switches once: "the AI
 * hears me" is set while the mic is still closed (nothing is sent until the mic opens), so opening
 * it moves both legs onto the mix in one step. Without a microphone the session refuses "I talk"
 * (and "Both talk" opens no mic) and says so, rather than leaving the caller in silence.
 */
export function applyMode(session: ModeControls, mode: AudioMode): void {
  const want = mixFor(mode);
  if (mode === "agent") {
    session.setMicToAi(false);
    session.takeOver();
    return;
  }
  if (mode === "ai") {
    session.handBack();
    session.setMicToAi(false);
    return;
  }
  session.setMicToAi(want.micToAi);
  if (!want.mic) session.setMic(false);
  session.setAiVoice(want.aiVoice);
  if (want.mic) session.setMic(true);
}
