/**
 * The Web Audio graph of a call. Three inputs (caller, AI voice, agent mic) on fixed buses, three
 * outputs (to the caller = meeting input, to the AI = Realtime input, to the agent = <audio>),
 * one GainNode per route, driven by the mixer state machine.
 */

import type { MixerGains } from "./mixer";

export type BridgeInput = "caller" | "ai" | "mic";

/** How quickly a gain change lands (time constant, seconds): ~15 ms to 95%, fast and click-free. */
const GAIN_TIME_CONSTANT = 0.005;

interface AttachedSource {
  stream: MediaStream;
  node: MediaStreamAudioSourceNode;
  /** Muted element that keeps a remote WebRTC stream flowing into Web Audio (Chromium needs one). */
  sink: HTMLAudioElement | null;
}

export class AudioBridge {
  private readonly buses: Record<BridgeInput, GainNode>;
  private readonly meters: Record<BridgeInput, AnalyserNode>;
  private readonly routes: Record<keyof MixerGains, GainNode>;
  private readonly toCaller: MediaStreamAudioDestinationNode;
  private readonly toAi: MediaStreamAudioDestinationNode;
  private readonly toAgent: MediaStreamAudioDestinationNode;
  private readonly sources: Partial<Record<BridgeInput, AttachedSource>> = {};
  private readonly meterBuffer: Float32Array<ArrayBuffer>;
  private closed = false;

  /**
   * @param context created in the click that answered the call, so it starts running.
   * @param monitor the <audio> element the agent listens through: audio played by a media element
   *   is what Chromium's echo canceller subtracts from the microphone.
   */
  constructor(
    readonly context: AudioContext,
    private readonly monitor: HTMLAudioElement,
  ) {
    const bus = () => context.createGain();
    this.buses = { caller: bus(), ai: bus(), mic: bus() };
    this.toCaller = context.createMediaStreamDestination();
    this.toAi = context.createMediaStreamDestination();
    this.toAgent = context.createMediaStreamDestination();
    for (const destination of [this.toCaller, this.toAi, this.toAgent]) destination.channelCount = 1;

    const route = (from: GainNode, to: AudioNode): GainNode => {
      const gain = context.createGain();
      gain.gain.value = 0;
      from.connect(gain).connect(to);
      return gain;
    };
    this.routes = {
      callerToAi: route(this.buses.caller, this.toAi),
      callerToAgent: route(this.buses.caller, this.toAgent),
      aiToCaller: route(this.buses.ai, this.toCaller),
      aiToAgent: route(this.buses.ai, this.toAgent),
      micToCaller: route(this.buses.mic, this.toCaller),
      micToAi: route(this.buses.mic, this.toAi),
    };

    const meter = (input: BridgeInput) => {
      const analyser = context.createAnalyser();
      analyser.fftSize = 1024;
      this.buses[input].connect(analyser);
      return analyser;
    };
    this.meters = { caller: meter("caller"), ai: meter("ai"), mic: meter("mic") };
    this.meterBuffer = new Float32Array(1024);

    monitor.srcObject = this.toAgent.stream;
    void monitor.play().catch(() => undefined);
  }

  /** What the caller hears: the meeting's audio input. */
  get meetingInput(): MediaStream {
    return this.toCaller.stream;
  }

  /** What the AI hears: the Realtime session's input track. */
  get aiInput(): MediaStream {
    return this.toAi.stream;
  }

  /** Replace (or remove, with null) one input. `remote` marks a WebRTC stream from a peer. */
  setInput(input: BridgeInput, stream: MediaStream | null, remote: boolean): void {
    if (this.closed) return;
    const previous = this.sources[input];
    if (previous?.stream === stream) return;
    if (previous) detach(previous);
    delete this.sources[input];
    if (!stream || stream.getAudioTracks().length === 0) return;

    let sink: HTMLAudioElement | null = null;
    if (remote) {
      sink = new Audio();
      sink.muted = true;
      sink.srcObject = stream;
      void sink.play().catch(() => undefined);
    }
    const node = this.context.createMediaStreamSource(stream);
    node.connect(this.buses[input]);
    this.sources[input] = { stream, node, sink };
  }

  apply(gains: MixerGains): void {
    if (this.closed) return;
    const now = this.context.currentTime;
    for (const [name, node] of Object.entries(this.routes) as [keyof MixerGains, GainNode][]) {
      const target = gains[name];
      node.gain.cancelScheduledValues(now);
      node.gain.setTargetAtTime(target, now, GAIN_TIME_CONSTANT);
    }
  }

  /** RMS level 0..1 of each input, for the meters in the call view. */
  levels(): Record<BridgeInput, number> {
    const rms = (analyser: AnalyserNode): number => {
      if (this.closed) return 0;
      analyser.getFloatTimeDomainData(this.meterBuffer);
      let sum = 0;
      for (const sample of this.meterBuffer) sum += sample * sample;
      return Math.sqrt(sum / this.meterBuffer.length);
    };
    return { caller: rms(this.meters.caller), ai: rms(this.meters.ai), mic: rms(this.meters.mic) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const source of Object.values(this.sources)) if (source) detach(source);
    for (const destination of [this.toCaller, this.toAi, this.toAgent]) {
      for (const track of destination.stream.getTracks()) track.stop();
    }
    this.monitor.pause();
    this.monitor.srcObject = null;
    await this.context.close().catch(() => undefined);
  }
}

function detach(source: AttachedSource): void {
  source.node.disconnect();
  if (source.sink) {
    source.sink.pause();
    source.sink.srcObject = null;
  }
}
