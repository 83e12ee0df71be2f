/**
 * Who hears whom, as a pure state machine. The audio graph only applies `gainsFor(state)`.
 *
 *   caller (meeting remote audio) ──► AI, agent
 *   AI voice                      ──► caller, agent   (unless muted, or the caller is barging in)
 *   agent mic                     ──► caller          (when on), AI (only if the agent chose so)
 *
 * The AI never hears itself and the agent never hears their own mic.
 */

export interface MixerState {
  aiVoice: "on" | "muted";
  mic: "on" | "off";
  /** The agent chose to let the AI hear their microphone. */
  micToAi: boolean;
  /** False when the microphone is blocked or missing: the mic stays off. */
  micAvailable: boolean;
  /** Barge-in: the caller started talking; the AI stays silent until its next response starts. */
  callerSpeaking: boolean;
}

export interface MixerGains {
  aiToCaller: number;
  aiToAgent: number;
  micToCaller: number;
  micToAi: number;
  callerToAi: number;
  callerToAgent: number;
}

export type MixerEvent =
  | { type: "ai"; on: boolean }
  | { type: "mic"; on: boolean }
  | { type: "takeOver" }
  | { type: "handBack" }
  | { type: "micToAi"; on: boolean }
  | { type: "micAvailable"; available: boolean }
  /** input_audio_buffer.speech_started */
  | { type: "speechStarted" }
  /** response.created / output_audio_buffer.started: the AI's next turn */
  | { type: "responseStarted" }
  /** A new AI session (reconnect): nothing in flight any more. */
  | { type: "aiSessionReset" };

export const initialMixerState: MixerState = {
  aiVoice: "on",
  mic: "off",
  micToAi: false,
  micAvailable: true,
  callerSpeaking: false,
};

export function mixerReducer(state: MixerState, event: MixerEvent): MixerState {
  switch (event.type) {
    case "ai":
      return { ...state, aiVoice: event.on ? "on" : "muted" };
    case "mic":
      return { ...state, mic: event.on && state.micAvailable ? "on" : "off" };
    case "takeOver":
      // Without a microphone, muting the AI would leave the caller in dead air: refuse.
      return state.micAvailable ? { ...state, aiVoice: "muted", mic: "on" } : state;
    case "handBack":
      return { ...state, aiVoice: "on", mic: "off" };
    case "micToAi":
      return { ...state, micToAi: event.on };
    case "micAvailable":
      return { ...state, micAvailable: event.available, mic: event.available ? state.mic : "off" };
    case "speechStarted":
      return state.callerSpeaking ? state : { ...state, callerSpeaking: true };
    case "responseStarted":
    case "aiSessionReset":
      return state.callerSpeaking ? { ...state, callerSpeaking: false } : state;
  }
}

export function gainsFor(state: MixerState): MixerGains {
  const aiAudible = state.aiVoice === "on" && !state.callerSpeaking ? 1 : 0;
  const micLive = state.mic === "on" && state.micAvailable;
  return {
    aiToCaller: aiAudible,
    aiToAgent: aiAudible,
    micToCaller: micLive ? 1 : 0,
    micToAi: micLive && state.micToAi ? 1 : 0,
    callerToAi: 1,
    callerToAgent: 1,
  };
}

/** The agent has the call: the AI is muted and the agent's mic is live. */
export function isTakenOver(state: MixerState): boolean {
  return state.aiVoice === "muted" && state.mic === "on";
}

/**
 * What the AI should produce. Muted, it answers in text only: suggestions for the agent, no audio
 * the caller would not hear anyway, and no spoken turns in its history that the caller never heard.
 */
export function outputModality(state: MixerState): "audio" | "text" {
  return state.aiVoice === "on" ? "audio" : "text";
}
