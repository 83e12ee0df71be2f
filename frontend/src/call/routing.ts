/**
 * Which track each outgoing leg carries, decided in one place from the real state of the legs.
 *
 * Chromium's MediaStream → Web Audio → MediaStream crossing adds a buffer of its own (about 20 ms,
 * measured by bench/web_client.py; latencyHint does not change it), so a route that needs no mixing skips the graph: the AI's remote track goes straight
 * into the meeting (the caller hears the AI alone) and the caller's remote track straight to Azure
 * (the AI hears the caller alone). The graph keeps running for the agent's monitor and meters, so
 * switching to it is only a track swap on the sender (RTCRtpSender.replaceTrack: no renegotiation).
 */

import type { MixerGains } from "./mixer";

/** direct: the source's own track, untouched; mixed: the Web Audio graph's output. */
export type RouteMode = "direct" | "mixed";

export interface LegRoutes {
  /** What the meeting input (the caller's ear) carries. */
  toCaller: RouteMode;
  /** What Azure's input (the AI's ear) carries. */
  toAi: RouteMode;
}

/** Which remote tracks are live right now. */
export interface LiveSources {
  /** The AI's voice: its session is connected and its peer delivered a track. */
  ai: boolean;
  /** The caller (the meeting delivered its remote audio). */
  caller: boolean;
  /** The AI's voice is playing (output_audio_buffer.started until .stopped or .cleared). */
  aiSpeaking: boolean;
}

/**
 * Direct only when the leg carries exactly one live source at unity gain; anything else (the agent's
 * mic mixed in, the AI muted, taken over or barged in on, a source missing) needs the graph, whose
 * gain ramps fade rather than cut.
 *
 * The graph's output lags the direct track by its crossing (~20 ms), so a switch mid-voice repeats
 * (to the graph) or skips (back) that much. Going to the graph cannot wait (the agent is speaking
 * up, or the AI is being cut anyway); coming back can: the caller's leg returns to direct only
 * while the AI is silent. (The AI's leg switches at once: its voice detection shrugs off 20 ms.)
 */
export function routesFor(gains: MixerGains, live: LiveSources, current?: LegRoutes): LegRoutes {
  const alone = (present: boolean, gain: number, others: number[]) =>
    present && gain === 1 && others.every((other) => other === 0);
  const toCaller = alone(live.ai, gains.aiToCaller, [gains.micToCaller]) ? "direct" : "mixed";
  return {
    toCaller: toCaller === "direct" && current?.toCaller === "mixed" && live.aiSpeaking ? "mixed" : toCaller,
    toAi: alone(live.caller, gains.callerToAi, [gains.micToAi]) ? "direct" : "mixed",
  };
}

/**
 * One outgoing leg's track, switched in order: the latest selection wins, a switch never overtakes
 * the one before it, and nothing is sent to the leg before it is connected.
 */
export class LegSwitch {
  private wanted: MediaStream | null = null;
  private applied: MediaStream | null = null;
  /** The last selection the leg refused: not tried again until something else is selected. */
  private refused: MediaStream | null = null;
  private sink: ((stream: MediaStream) => Promise<void>) | null = null;
  private queue: Promise<void> = Promise.resolve();

  /**
   * @param onError a switch the leg refused: the leg keeps what it had, and the next selection
   *   tries again.
   */
  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  /** The track this leg should carry now. */
  get selected(): MediaStream | null {
    return this.wanted;
  }

  select(stream: MediaStream): void {
    if (stream !== this.wanted) this.refused = null;
    this.wanted = stream;
    this.flush();
  }

  /** The leg is up carrying `carrying`; later switches go through `sink`. */
  connect(carrying: MediaStream, sink: (stream: MediaStream) => Promise<void>): void {
    this.applied = carrying;
    this.sink = sink;
    this.flush();
  }

  disconnect(): void {
    this.sink = null;
    this.applied = null;
  }

  /** Resolves once every switch asked for so far has landed or been refused. */
  settled(): Promise<void> {
    return this.queue;
  }

  private flush(): void {
    this.queue = this.queue.then(async () => {
      while (this.sink && this.wanted && this.wanted !== this.applied && this.wanted !== this.refused) {
        const stream = this.wanted;
        try {
          await this.sink(stream);
          this.applied = stream;
        } catch (error) {
          this.refused = stream;
          this.onError(error);
          return;
        }
      }
    });
  }
}
