/**
 * One call's mixer and routes: the mixer state the graph's gains follow, the remote tracks the legs
 * delivered, and what each outgoing leg (the caller's ear, the AI's ear) carries.
 */

import type { AudioBridge } from "./audio-bridge";
import { gainsFor, initialMixerState, mixerReducer, type MixerEvent, type MixerState } from "./mixer";
import { LegSwitch, routesFor, type LegRoutes } from "./routing";

/** What routing needs to know of the AI leg, read when it decides. */
export interface AiLegState {
  /** Its session is connected: only then is its voice live. */
  connected: boolean;
  /** Its voice is playing (output_audio_buffer.started until .stopped or .cleared). */
  speaking: boolean;
}

export interface MixerChange {
  before: MixerState;
  after: MixerState;
}

export class CallAudio {
  private mixerState: MixerState = initialMixerState;
  private legRoutes: LegRoutes;
  /** The remote tracks as the legs delivered them: the direct routes' sources. */
  private readonly sources: { ai: MediaStream | null; caller: MediaStream | null } = { ai: null, caller: null };
  /** What the meeting input (the caller's ear) and Azure's input (the AI's ear) carry. */
  private readonly toCaller: LegSwitch;
  private readonly toAi: LegSwitch;
  private stopped = false;

  constructor(
    readonly bridge: AudioBridge,
    private readonly aiLeg: () => AiLegState,
    private readonly routesChanged: (routes: LegRoutes) => void,
  ) {
    bridge.apply(gainsFor(initialMixerState));
    const switchFailed = (error: unknown) => console.warn("audio route switch refused", error);
    this.toCaller = new LegSwitch(switchFailed);
    this.toAi = new LegSwitch(switchFailed);
    this.legRoutes = routesFor(gainsFor(initialMixerState), { ai: false, caller: false, aiSpeaking: false });
  }

  get mixer(): MixerState {
    return this.mixerState;
  }

  get routes(): LegRoutes {
    return this.legRoutes;
  }

  /** What the caller's leg should carry now: join the meeting with it. */
  get toCallerInput(): MediaStream {
    return this.toCaller.selected ?? this.bridge.meetingInput;
  }

  /** What the AI's leg should carry now: connect Azure with it. */
  get toAiInput(): MediaStream {
    return this.toAi.selected ?? this.bridge.aiInput;
  }

  /** The meeting leg is up carrying `carrying`; routes chosen meanwhile land now, and later through `sink`. */
  connectCaller(carrying: MediaStream, sink: (stream: MediaStream) => Promise<void>): void {
    this.toCaller.connect(carrying, sink);
  }

  connectAi(carrying: MediaStream, sink: (stream: MediaStream) => Promise<void>): void {
    this.toAi.connect(carrying, sink);
  }

  /**
   * Apply a mixer event to the graph's gains. Returns the change (null if none); the caller tells
   * the AI, then calls `route()`, so a leg switched to the graph lands on the mix as it should sound.
   */
  mix(event: MixerEvent): MixerChange | null {
    const before = this.mixerState;
    const after = mixerReducer(before, event);
    if (after === before) return null;
    this.bridge.apply(gainsFor(after));
    this.mixerState = after;
    return { before, after };
  }

  /** A remote leg delivered (or, with null, lost) its audio: into the graph, and maybe direct. */
  setSource(input: "ai" | "caller", stream: MediaStream | null): void {
    if (this.stopped) return;
    this.bridge.setInput(input, stream, true);
    this.sources[input] = stream && stream.getAudioTracks().length > 0 ? stream : null;
    this.route();
  }

  /** The agent's microphone into the graph (null: gone); the mixer's gains decide who hears it. */
  setMic(stream: MediaStream | null): void {
    this.bridge.setInput("mic", stream, false);
  }

  /**
   * The one place that decides what each outgoing leg carries, from the real state of the legs:
   * the AI's voice is live only while its session is connected; the mixer says who is mixed in.
   */
  route(): void {
    if (this.stopped) return;
    const aiLeg = this.aiLeg();
    const ai = aiLeg.connected ? this.sources.ai : null;
    const caller = this.sources.caller;
    const live = { ai: ai !== null, caller: caller !== null, aiSpeaking: aiLeg.speaking };
    const routes = routesFor(gainsFor(this.mixerState), live, this.legRoutes);
    this.toCaller.select(routes.toCaller === "direct" && ai ? ai : this.bridge.meetingInput);
    this.toAi.select(routes.toAi === "direct" && caller ? caller : this.bridge.aiInput);
    if (routes.toCaller !== this.legRoutes.toCaller || routes.toAi !== this.legRoutes.toAi) {
      this.legRoutes = routes;
      this.routesChanged(routes);
    }
  }

  /** The call ended: switch nothing more, from now on (the session closes the graph itself). */
  stop(): void {
    this.stopped = true;
    this.toCaller.disconnect();
    this.toAi.disconnect();
  }
}
