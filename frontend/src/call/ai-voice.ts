/**
 * The AI's side of one call: its realtime session from first connect through reconnects to close,
 * configuring each new session, the inbound greeting, and what the AI has in flight (a response
 * being generated, audio still playing) so muting it stops what the caller would still hear.
 */

import type { RealtimeSessionInfo } from "../api/types";
import type { MixerEvent } from "./mixer";
import type { RealtimeError, RealtimeOptions, RealtimeState } from "./realtime";
import type { ServerEvent } from "./transcript";

/** What a session needs from the AI connection (RealtimeConnection; a fake in unit tests). */
export interface RealtimeLink {
  connect(): Promise<void>;
  retry(): void;
  send(event: Record<string, unknown>): boolean;
  /** What the model hears from now on (swapped on the live sender). */
  setInput(stream: MediaStream): Promise<void>;
  close(): void;
}

export type Modality = "audio" | "text";

/** What the AI voice asks of the call around it. */
export interface AiVoiceHost {
  mint(): Promise<RealtimeSessionInfo>;
  /** What the AI should hear now; `connected` hands over the live link for later switches. */
  input(): MediaStream;
  connected(input: MediaStream, link: RealtimeLink): void;
  /** The model's voice (null: that attempt's peer is gone). */
  track(stream: MediaStream | null): void;
  /** Every server event, after the AI voice has read it (the transcript reads them too). */
  event(event: ServerEvent): void;
  mixer(event: MixerEvent): void;
  /** The connection's state, after the AI voice has read it. */
  state(state: RealtimeState): void;
  /** What the AI should produce now (audio unless muted). */
  modality(): Modality;
  /** The caller can hear a greeting now: the call is live, its meeting leg joined, the AI not muted. */
  canGreet(): boolean;
  notify(level: "error", text: string, action?: "retry-ai"): void;
  dismiss(action: "retry-ai"): void;
}

/**
 * An inbound caller has been waiting: the AI opens (its instructions say how), once, when both the
 * meeting leg and the AI are up. Outbound and test calls are not greeted; nor is a reconnect.
 */
type Greeting = "not-due" | "waiting" | "sent";

export class AiVoice {
  private link: RealtimeLink | null = null;
  /**
   * What the AI has in flight. `playing` is its WebRTC output buffer (output_audio_buffer.started
   * until .stopped/.cleared); it outlives `responding` (response.created until response.done): the
   * audio is generated faster than it plays.
   */
  private readonly output = { responding: false, playing: false };
  private greeting: Greeting;
  /** The events channel is open and this session configured; false from any other state on. */
  private configured = false;
  private closed = false;

  constructor(
    greet: boolean,
    private readonly create: (options: RealtimeOptions) => RealtimeLink,
    private readonly host: AiVoiceHost,
  ) {
    this.greeting = greet ? "waiting" : "not-due";
  }

  /** The AI's voice is playing. */
  get playing(): boolean {
    return this.output.playing;
  }

  async start(): Promise<void> {
    if (this.closed) return;
    const input = this.host.input();
    const link = this.create({
      mint: () => this.host.mint(),
      input,
      handlers: {
        track: (stream) => this.host.track(stream),
        event: (event) => this.onEvent(event),
        open: (info, reconnect) => this.configure(info, reconnect),
        state: (state, error) => this.onState(state, error),
      },
    });
    this.link = link;
    this.host.connected(input, link);
    await link.connect().catch(() => undefined);
  }

  retry(): void {
    if (this.link) this.link.retry();
    else void this.start();
  }

  close(): void {
    this.closed = true;
    this.link?.close();
  }

  /** Greet if it is due and both legs are up now (call again when either comes up). */
  maybeGreet(): void {
    if (this.greeting !== "waiting" || !this.configured || !this.host.canGreet()) return;
    this.greeting = "sent";
    this.link?.send({ type: "response.create" });
  }

  /**
   * Muted, the AI answers in text only. A spoken answer mid-way or still playing is stopped, or the
   * caller hears the rest of it when the AI is unmuted: cancel only a response still being
   * generated (else the server answers response_cancel_not_active); clear whatever audio is queued.
   */
  setModality(modality: Modality): void {
    if (modality === "text") {
      if (this.output.responding) this.link?.send({ type: "response.cancel" });
      if (this.output.responding || this.output.playing) {
        this.link?.send({ type: "output_audio_buffer.clear" });
        this.output.playing = false;
      }
    }
    this.link?.send({ type: "session.update", session: { type: "realtime", output_modalities: [modality] } });
  }

  private configure(info: RealtimeSessionInfo, reconnect: boolean): void {
    this.output.responding = false;
    this.output.playing = false;
    this.host.mixer({ type: "aiSessionReset" });
    const input: Record<string, unknown> = {
      turn_detection: { type: "server_vad", create_response: true, interrupt_response: true },
    };
    // Azure wants the transcription *deployment* name, which only the API knows; null means the
    // operator turned transcription off, so the session keeps what the API minted.
    if (info.transcriptionModel) input.transcription = { model: info.transcriptionModel };
    this.link?.send({
      type: "session.update",
      session: { type: "realtime", output_modalities: [this.host.modality()], audio: { input } },
    });
    this.configured = true;
    // Not on reconnects: the conversation is already under way.
    if (reconnect && this.greeting === "waiting") this.greeting = "sent";
    this.maybeGreet();
  }

  private onEvent(event: ServerEvent): void {
    switch (event.type) {
      case "input_audio_buffer.speech_started":
        // Barge-in: the server cancels its response; silence what is already on the way at once.
        this.host.mixer({ type: "speechStarted" });
        break;
      case "response.created":
        this.output.responding = true;
        this.host.mixer({ type: "responseStarted" });
        break;
      case "output_audio_buffer.started":
        this.output.playing = true;
        this.host.mixer({ type: "responseStarted" });
        break;
      case "output_audio_buffer.stopped":
      case "output_audio_buffer.cleared":
        this.output.playing = false;
        break;
      case "response.done":
        this.output.responding = false;
        break;
      case "error": {
        const error = event.error as { message?: unknown; code?: unknown } | undefined;
        if (error?.code !== "response_cancel_not_active") {
          this.host.notify("error", `AI error: ${typeof error?.message === "string" ? error.message : "unknown"}`);
        }
        break;
      }
    }
    this.host.event(event);
  }

  private onState(state: RealtimeState, error?: RealtimeError): void {
    if (this.closed && state !== "closed") return;
    if (state !== "connected") this.configured = false;
    if (state === "reconnecting") this.host.mixer({ type: "aiSessionReset" });
    if (state === "connected") this.host.dismiss("retry-ai");
    if (state === "failed") {
      const text = error?.message ?? "The AI connection failed.";
      this.host.notify("error", `${text} The call continues; you can take over.`, "retry-ai");
    }
    this.host.state(state);
  }
}
