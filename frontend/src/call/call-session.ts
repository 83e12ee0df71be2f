/**
 * One call from the agent's side: the meeting leg, the AI session and the audio bridge between
 * them, the controls, the transcript, and ending it all together.
 */

import type { ApiClient } from "../api/client";
import type { Call, JoinInfo, RealtimeSessionInfo } from "../api/types";
import { endedText } from "../calls/describe";
import { AudioBridge } from "./audio-bridge";
import { createMeetingConnection, type MeetingConnection, type MeetingConnectionState } from "./meeting";
import { gainsFor, initialMixerState, isTakenOver, mixerReducer, outputModality, type MixerEvent, type MixerState } from "./mixer";
import { RealtimeConnection, type RealtimeError, type RealtimeOptions, type RealtimeState } from "./realtime";
import { LegSwitch, routesFor, type LegRoutes } from "./routing";
import { Transcript, type ServerEvent, type TranscriptEntry } from "./transcript";

export type CallKind = "inbound" | "outbound" | "test";
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

export type JoinSource = () => Promise<{ joinInfo: JoinInfo; call: Call | null }>;

/** What a session needs from the AI connection (RealtimeConnection; a fake in unit tests). */
export interface RealtimeLink {
  connect(): Promise<void>;
  retry(): void;
  send(event: Record<string, unknown>): boolean;
  /** What the model hears from now on (swapped on the live sender). */
  setInput(stream: MediaStream): Promise<void>;
  close(): void;
}

/** The browser-facing pieces a session is built from; the defaults are the real ones. */
export interface CallSessionDeps {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  createMeeting(): Promise<MeetingConnection>;
  createRealtime(options: RealtimeOptions): RealtimeLink;
  createBridge(context: AudioContext, monitor: HTMLAudioElement): AudioBridge;
}

const defaultDeps: CallSessionDeps = {
  getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
  createMeeting: createMeetingConnection,
  createRealtime: (options) => new RealtimeConnection(options),
  createBridge: (context, monitor) => new AudioBridge(context, monitor),
};

/**
 * A transfer the API accepted (202) is carried out by the SMA Lambda, which records it as
 * `transferring` (or `ended`). If the record shows neither this long after, the transfer did not
 * happen and the call is still the agent's: give the end controls back.
 */
export const TRANSFER_TIMEOUT_MS = 20_000;

const MIC_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export class CallSession {
  readonly bridge: AudioBridge;
  private meeting: MeetingConnection | null = null;
  private realtime: RealtimeLink | null = null;
  private readonly deps: CallSessionDeps;
  private micStream: MediaStream | null = null;
  /** The remote tracks as the legs delivered them: the direct routes' sources. */
  private aiStream: MediaStream | null = null;
  private callerStream: MediaStream | null = null;
  /** What the meeting input (the caller's ear) and Azure's input (the AI's ear) carry. */
  private readonly toCaller: LegSwitch;
  private readonly toAi: LegSwitch;
  private readonly transcript = new Transcript();
  private readonly listeners = new Set<(view: CallView) => void>();
  private responseActive = false;
  /**
   * The AI's WebRTC output buffer is playing (output_audio_buffer.started until .stopped/.cleared).
   * It outlives response.done: the audio is generated faster than it plays.
   */
  private audioPlaying = false;
  private greeted = false;
  /** The caller's meeting leg is connected (join resolved): a greeting now reaches them. */
  private meetingJoined = false;
  /** The AI's events channel is open and the session configured. */
  private aiReady = false;
  private noticeSeq = 0;
  private joinedMeetingId: string | null = null;
  /** Set while this agent is ending the call, so the meeting's own "ended" reads as their action. */
  private localEnd: string | null = null;
  /** Running while an accepted transfer waits for the call record to show it (TRANSFER_TIMEOUT_MS). */
  private transferTimer: ReturnType<typeof setTimeout> | undefined;
  private transferNoticeId: string | undefined;
  private state: CallView;

  /**
   * @param context created inside the click that answers or places the call (before any await), so
   *   the browser lets it run; `latencyHint: "interactive"`.
   */
  constructor(
    private readonly api: ApiClient,
    readonly kind: CallKind,
    monitor: HTMLAudioElement,
    remoteNumber: string | null,
    context: AudioContext,
    deps: Partial<CallSessionDeps> = {},
  ) {
    this.deps = { ...defaultDeps, ...deps };
    this.bridge = this.deps.createBridge(context, monitor);
    this.bridge.apply(gainsFor(initialMixerState));
    const switchFailed = (error: unknown) => console.warn("audio route switch refused", error);
    this.toCaller = new LegSwitch(switchFailed);
    this.toAi = new LegSwitch(switchFailed);
    const routes = routesFor(gainsFor(initialMixerState), { ai: false, caller: false, aiSpeaking: false });
    this.state = {
      kind,
      call: null,
      remoteNumber,
      phase: "starting",
      ending: false,
      meeting: "connecting",
      ai: "connecting",
      mixer: initialMixerState,
      routes,
      transcript: this.transcript.entries,
      notices: [],
      endedReason: null,
      startedAt: Date.now(),
      endedAt: null,
      audio: { sampleRate: context.sampleRate, baseLatency: context.baseLatency ?? 0, outputLatency: 0 },
    };
    this.route();
  }

  get view(): CallView {
    return this.state;
  }

  get callId(): string | null {
    return this.state.call?.id ?? null;
  }

  subscribe(listener: (view: CallView) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  /**
   * Get join info (answer / place / test meeting), then bring up the meeting leg, the AI and the mic
   * together. Rejects only if `obtainJoin` fails (the call was taken, say): nothing is left running.
   */
  async start(obtainJoin: JoinSource): Promise<void> {
    const micRequest = this.deps.getUserMedia({ audio: MIC_CONSTRAINTS });
    micRequest.catch(() => undefined);
    const meetingLoad = this.deps.createMeeting();
    meetingLoad.catch(() => undefined);

    let joined: Awaited<ReturnType<JoinSource>>;
    try {
      joined = await obtainJoin();
    } catch (error) {
      void this.finish(null);
      void micRequest.then(stopTracks, () => undefined);
      throw error;
    }
    if (this.state.phase === "ended") {
      // Ended (hang-up, return to queue, page closed) while the server was still answering or
      // creating: give back what it made for us, and start nothing on the closed audio graph.
      void micRequest.then(stopTracks, () => undefined);
      await this.release(joined.call?.id ?? null, joined.joinInfo.meeting.MeetingId);
      return;
    }
    this.joinedMeetingId = joined.joinInfo.meeting.MeetingId;
    this.update({ call: joined.call, phase: "live" });

    void this.startAi();
    void this.startMic(micRequest);
    await this.startMeeting(meetingLoad, joined.joinInfo);
  }

  // ---- controls ----

  setAiVoice(on: boolean): void {
    this.dispatch({ type: "ai", on });
  }

  setMic(on: boolean): void {
    if (on && !this.state.mixer.micAvailable) this.notifyMicUnavailable();
    this.dispatch({ type: "mic", on });
  }

  /** Refused without a microphone (the AI stays on rather than leaving the caller in silence). */
  takeOver(): void {
    if (!this.state.mixer.micAvailable) {
      this.notify(
        "warning",
        "You can't take over without a microphone; the AI stays on. Allow or plug in a microphone, then press Retry microphone.",
        "retry-mic",
      );
      return;
    }
    this.dispatch({ type: "takeOver" });
  }

  private notifyMicUnavailable(): void {
    this.notify("warning", "Your microphone is not available. Allow it for this site, then press Retry microphone.", "retry-mic");
  }

  handBack(): void {
    this.dispatch({ type: "handBack" });
  }

  setMicToAi(on: boolean): void {
    this.dispatch({ type: "micToAi", on });
  }

  retryAi(): void {
    this.dismiss("retry-ai");
    if (this.realtime) this.realtime.retry();
    else void this.startAi();
  }

  retryMic(): void {
    this.dismiss("retry-mic");
    void this.startMic(this.deps.getUserMedia({ audio: MIC_CONSTRAINTS }));
  }

  dismissNotice(id: string): void {
    this.update({ notices: this.state.notices.filter((notice) => notice.id !== id) });
  }

  /**
   * Claim the end of the call for one action (hang up, leave, transfer), synchronously, so a
   * double click or a second button cannot send a second, contradicting request.
   */
  private beginEnding(): boolean {
    if (this.state.phase === "ended" || this.state.ending) return false;
    this.update({ ending: true });
    return true;
  }

  /** End the call for everyone (or delete the test meeting), then tear everything down. */
  async hangUp(): Promise<void> {
    if (!this.beginEnding()) return;
    if (this.state.phase === "starting") return this.cancelStart();
    const reason = this.kind === "test" ? "Test ended." : "You hung up.";
    // Hanging up ends the meeting too; when the meeting leg reports that, it is this hang-up.
    this.localEnd = reason;
    const callId = this.callId;
    try {
      if (callId) await this.api.hangup(callId);
      else if (this.joinedMeetingId) await this.api.deleteMeeting(this.joinedMeetingId);
    } catch (error) {
      this.notify("error", `Hang-up may not have reached the server: ${messageOf(error)}`);
    }
    await this.finish(reason);
  }

  /** Leave without hanging up: the caller stays and another agent can answer. */
  async leave(): Promise<void> {
    if (!this.beginEnding()) return;
    if (this.state.phase === "starting") return this.cancelStart();
    const reason = "You left the call; it is back in the queue.";
    // The API deletes this agent's attendee on leave; when Chime reports that, it is this leave.
    this.localEnd = reason;
    const callId = this.callId;
    try {
      if (callId) await this.api.leave(callId);
    } catch (error) {
      this.notify("error", `Leaving may not have reached the server: ${messageOf(error)}`);
    }
    await this.finish(reason);
  }

  async transfer(to: string): Promise<void> {
    const callId = this.callId;
    if (!callId || this.state.phase !== "live") return;
    if (!this.beginEnding()) return;
    let call: Call;
    try {
      call = await this.api.transfer(callId, to);
    } catch (error) {
      // Refused (bad number, busy): the call goes on and the agent may try again or hang up.
      this.update({ ending: false });
      throw error;
    }
    // Ended (page closed, meeting gone) while the request was in flight: nothing left to wait for.
    if (this.view.phase === "ended") return;
    this.localEnd = "Transferred.";
    this.notify("info", `Transferring to ${to}…`);
    this.transferNoticeId = this.state.notices.at(-1)?.id;
    this.transferTimer = setTimeout(() => this.transferTimedOut(), TRANSFER_TIMEOUT_MS);
    this.callUpdated(call);
  }

  private transferTimedOut(): void {
    this.transferTimer = undefined;
    if (this.state.phase === "ended") return;
    // Neither transferring nor ended: the SMA Lambda never carried it out. The call goes on.
    this.localEnd = null;
    const notices = this.state.notices.filter((notice) => notice.id !== this.transferNoticeId);
    this.update({ ending: false, notices });
    this.notify("warning", "The transfer did not go through; the call is still yours.");
  }

  private clearTransferTimer(): void {
    clearTimeout(this.transferTimer);
    this.transferTimer = undefined;
  }

  /** The call list saw this call change (status, or ended elsewhere). */
  callUpdated(call: Call): void {
    if (call.id !== this.callId || this.state.phase === "ended") return;
    if (call.status === "transferring" || call.status === "ended") this.clearTransferTimer();
    this.update({ call });
    if (call.status === "ended") {
      void this.finish(endedText(call));
    }
  }

  /** `pagehide`: nothing can be awaited; tell the API as far as a closing tab can. */
  sendOnUnload(): void {
    if (this.state.phase === "ended") return;
    const callId = this.callId;
    if (callId) {
      // Inbound: leave, so the caller goes back to the queue. Outbound: nobody else will pick it up.
      const action = this.kind === "outbound" ? "hangup" : "leave";
      this.api.sendOnUnload("POST", `/calls/${encodeURIComponent(callId)}/${action}`);
    } else if (this.joinedMeetingId) {
      this.api.sendOnUnload("DELETE", `/meetings/${encodeURIComponent(this.joinedMeetingId)}`);
    }
    void this.finish("The page was closed.");
  }

  /** Tear down meeting leg, AI session, mic and audio graph. Idempotent. */
  async finish(reason: string | null): Promise<void> {
    if (this.state.phase === "ended" && this.state.endedAt) return;
    this.clearTransferTimer();
    this.update({ phase: "ended", endedReason: reason, endedAt: Date.now(), meeting: "left" });
    this.toCaller.disconnect();
    this.toAi.disconnect();
    this.realtime?.close();
    stopTracks(this.micStream);
    const meeting = this.meeting;
    this.meeting = null;
    await Promise.allSettled([meeting?.leave(), this.bridge.close()]);
  }

  // ---- internals ----

  /**
   * Ended before the answer / new call / test meeting came back: nothing to tell the server yet.
   * `start()` releases whatever arrives after this.
   */
  private cancelStart(): Promise<void> {
    const reason =
      this.kind === "inbound"
        ? "Cancelled before the call connected; it stays in the queue."
        : this.kind === "outbound"
          ? "Cancelled before the call connected."
          : "Test cancelled.";
    return this.finish(reason);
  }

  /** Give back a call or meeting the server set up for a session that has already ended. */
  private async release(callId: string | null, meetingId: string): Promise<void> {
    try {
      // Inbound: the caller goes back to the queue. Outbound: nobody else will pick it up.
      if (callId && this.kind === "inbound") await this.api.leave(callId);
      else if (callId) await this.api.hangup(callId);
      else await this.api.deleteMeeting(meetingId);
    } catch {
      // Best effort: the server's own timeouts end an abandoned call.
    }
  }

  private async startMeeting(load: Promise<MeetingConnection>, joinInfo: JoinInfo): Promise<void> {
    try {
      const meeting = await load;
      if (this.state.phase === "ended") return;
      this.meeting = meeting;
      const input = this.toCaller.selected ?? this.bridge.meetingInput;
      await meeting.join(joinInfo, input, {
        remoteAudio: (stream) => this.setSource("caller", stream),
        connection: (state) => {
          if (this.state.phase !== "ended") this.update({ meeting: state });
        },
        ended: (_reason, detail) => void this.meetingEnded(detail),
      });
      if (this.view.phase === "ended") return;
      // Routes chosen while joining (the AI's voice arrived, say) land now.
      this.toCaller.connect(input, (stream) => meeting.setAudioInput(stream));
      const context = this.bridge.context;
      this.update({ audio: { ...this.state.audio, outputLatency: context.outputLatency ?? 0 } });
      this.meetingJoined = true;
      this.maybeGreet();
    } catch (error) {
      if (this.state.phase === "ended") return;
      this.notify("error", `Couldn't connect the call audio: ${messageOf(error)}`);
      // Inbound: give the call back so someone else can take it, rather than leaving the caller
      // alone. Outbound: nobody else will pick it up, so end it; a test meeting is deleted.
      const callId = this.callId;
      let outcome = "Call audio failed.";
      if (callId && this.kind === "inbound") {
        await this.api.leave(callId).catch(() => undefined);
        outcome = "Call audio failed; the call was returned to the queue.";
      } else if (callId) {
        await this.api.hangup(callId).catch(() => undefined);
        outcome = "Call audio failed; the call was ended.";
      } else if (this.joinedMeetingId) {
        await this.api.deleteMeeting(this.joinedMeetingId).catch(() => undefined);
      }
      await this.finish(outcome);
    }
  }

  /** The meeting leg ended under us: say why in the call's terms when the API knows. */
  private async meetingEnded(detail: string): Promise<void> {
    if (this.localEnd) return this.finish(this.localEnd);
    const callId = this.callId;
    if (callId) {
      const call = await this.api.getCall(callId).catch(() => null);
      if (call?.status === "ended") return this.finish(endedText(call));
      if (call?.status === "transferring") return this.finish("Transferred.");
    }
    return this.finish(detail);
  }

  private async startAi(): Promise<void> {
    if (this.state.phase === "ended") return;
    const input = this.toAi.selected ?? this.bridge.aiInput;
    const realtime = this.deps.createRealtime({
      mint: () => this.api.createRealtimeSession(this.callId ?? undefined),
      input,
      handlers: {
        track: (stream) => this.setSource("ai", stream),
        event: (event) => this.onAiEvent(event),
        open: (info, reconnect) => this.configureAi(info, reconnect),
        state: (state, error) => this.onAiState(state, error),
      },
    });
    this.realtime = realtime;
    this.toAi.connect(input, (stream) => realtime.setInput(stream));
    await realtime.connect().catch(() => undefined);
  }

  private async startMic(request: Promise<MediaStream>): Promise<void> {
    try {
      const stream = await request;
      if (this.state.phase === "ended") {
        stopTracks(stream);
        return;
      }
      stopTracks(this.micStream);
      this.micStream = stream;
      this.bridge.setInput("mic", stream, false);
      this.dispatch({ type: "micAvailable", available: true });
      // Unplugged, or permission revoked mid-call: the browser ends the track.
      for (const track of stream.getAudioTracks()) {
        track.addEventListener("ended", () => this.micLost(stream), { once: true });
      }
    } catch (error) {
      this.dispatch({ type: "micAvailable", available: false });
      this.notify("warning", micProblem(error), "retry-mic");
    }
  }

  private micLost(stream: MediaStream): void {
    if (this.state.phase === "ended" || this.micStream !== stream) return;
    this.micStream = null;
    stopTracks(stream);
    this.bridge.setInput("mic", null, false);
    // The agent had the call: give it back to the AI rather than leave the caller in silence.
    const handBack = isTakenOver(this.state.mixer);
    if (handBack) this.dispatch({ type: "handBack" });
    this.dispatch({ type: "micAvailable", available: false });
    this.notify(
      "warning",
      `Your microphone stopped (unplugged, or access was withdrawn).${handBack ? " The AI has the call again." : ""} Reconnect it, then press Retry microphone.`,
      "retry-mic",
    );
  }

  private configureAi(info: RealtimeSessionInfo, reconnect: boolean): void {
    this.responseActive = false;
    this.audioPlaying = false;
    this.dispatch({ type: "aiSessionReset" });
    const input: Record<string, unknown> = {
      turn_detection: { type: "server_vad", create_response: true, interrupt_response: true },
    };
    // Azure wants the transcription *deployment* name, which only the API knows; null means the
    // operator turned transcription off, so the session keeps what the API minted.
    if (info.transcriptionModel) input.transcription = { model: info.transcriptionModel };
    this.realtime?.send({
      type: "session.update",
      session: { type: "realtime", output_modalities: [outputModality(this.state.mixer)], audio: { input } },
    });
    this.aiReady = true;
    // Not on reconnects: the conversation is already under way.
    if (reconnect) this.greeted = true;
    this.maybeGreet();
  }

  /**
   * An inbound caller has been waiting: the AI opens (its instructions say how), but only once both
   * the meeting leg and the AI are up, or the caller misses the start of the greeting.
   */
  private maybeGreet(): void {
    if (this.greeted || this.kind !== "inbound" || this.state.phase !== "live") return;
    if (!this.meetingJoined || !this.aiReady || this.state.mixer.aiVoice !== "on") return;
    this.greeted = true;
    this.realtime?.send({ type: "response.create" });
  }

  private onAiEvent(event: ServerEvent): void {
    switch (event.type) {
      case "input_audio_buffer.speech_started":
        // Barge-in: the server cancels its response; silence what is already on the way at once.
        this.dispatch({ type: "speechStarted" });
        break;
      case "response.created":
        this.responseActive = true;
        this.dispatch({ type: "responseStarted" });
        break;
      case "output_audio_buffer.started":
        this.audioPlaying = true;
        this.dispatch({ type: "responseStarted" });
        break;
      case "output_audio_buffer.stopped":
      case "output_audio_buffer.cleared":
        this.audioPlaying = false;
        break;
      case "response.done":
        this.responseActive = false;
        break;
      case "error": {
        const error = event.error as { message?: unknown; code?: unknown } | undefined;
        if (error?.code !== "response_cancel_not_active") {
          this.notify("error", `AI error: ${typeof error?.message === "string" ? error.message : "unknown"}`);
        }
        break;
      }
    }
    if (this.transcript.apply(event)) this.update({ transcript: this.transcript.entries });
    // The AI fell silent: a leg waiting to go back to direct can switch now, without a skip.
    if (event.type === "output_audio_buffer.stopped" || event.type === "output_audio_buffer.cleared") this.route();
  }

  private onAiState(state: RealtimeState, error?: RealtimeError): void {
    if (this.state.phase === "ended" && state !== "closed") return;
    if (state !== "connected") this.aiReady = false;
    if (state === "reconnecting") this.dispatch({ type: "aiSessionReset" });
    if (state === "connected") this.dismiss("retry-ai");
    if (state === "failed") {
      const text = error?.message ?? "The AI connection failed.";
      this.notify("error", `${text} The call continues; you can take over.`, "retry-ai");
    }
    this.update({ ai: state });
    this.route();
  }

  /** A remote leg delivered (or, with null, lost) its audio: into the graph, and maybe direct. */
  private setSource(input: "ai" | "caller", stream: MediaStream | null): void {
    if (this.state.phase === "ended") return;
    this.bridge.setInput(input, stream, true);
    const live = stream && stream.getAudioTracks().length > 0 ? stream : null;
    if (input === "ai") this.aiStream = live;
    else this.callerStream = live;
    this.route();
  }

  /**
   * The one place that decides what each outgoing leg carries, from the real state of the legs:
   * the AI's voice is live only while its session is connected; the mixer says who is mixed in.
   * The graph's gains are already applied, so a switch to it lands on the mix as it should sound.
   */
  private route(): void {
    if (this.state.phase === "ended") return;
    const ai = this.state.ai === "connected" ? this.aiStream : null;
    const live = { ai: ai !== null, caller: this.callerStream !== null, aiSpeaking: this.audioPlaying };
    const routes = routesFor(gainsFor(this.state.mixer), live, this.state.routes);
    this.toCaller.select(routes.toCaller === "direct" && ai ? ai : this.bridge.meetingInput);
    this.toAi.select(routes.toAi === "direct" && this.callerStream ? this.callerStream : this.bridge.aiInput);
    if (routes.toCaller !== this.state.routes.toCaller || routes.toAi !== this.state.routes.toAi) this.update({ routes });
  }

  private dispatch(event: MixerEvent): void {
    const before = this.state.mixer;
    const after = mixerReducer(before, event);
    if (after === before) return;
    this.bridge.apply(gainsFor(after));
    if (outputModality(after) !== outputModality(before)) {
      if (outputModality(after) === "text") {
        // A spoken answer is mid-way or still playing: stop it, or the caller hears the rest of it
        // when the AI is unmuted. Cancel only a response still being generated (else the server
        // answers response_cancel_not_active); clear whatever audio is queued or playing.
        if (this.responseActive) this.realtime?.send({ type: "response.cancel" });
        if (this.responseActive || this.audioPlaying) {
          this.realtime?.send({ type: "output_audio_buffer.clear" });
          this.audioPlaying = false;
        }
      }
      this.realtime?.send({ type: "session.update", session: { type: "realtime", output_modalities: [outputModality(after)] } });
    }
    this.update({ mixer: after });
    this.route();
  }

  private notify(level: Notice["level"], text: string, action?: Notice["action"]): void {
    const kept = action ? this.state.notices.filter((notice) => notice.action !== action) : this.state.notices;
    this.update({ notices: [...kept, { id: `n${++this.noticeSeq}`, level, text, action }] });
  }

  private dismiss(action: Notice["action"]): void {
    if (this.state.notices.some((notice) => notice.action === action)) {
      this.update({ notices: this.state.notices.filter((notice) => notice.action !== action) });
    }
  }

  private update(patch: Partial<CallView>): void {
    // Once ended, always ended: a late answer or event must not bring a torn-down call back.
    if (this.state.phase === "ended" && patch.phase && patch.phase !== "ended") {
      const { phase: _ignored, ...rest } = patch;
      patch = rest;
    }
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener(this.state);
  }
}

function stopTracks(stream: MediaStream | null | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function micProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "Microphone blocked. The AI keeps talking to the caller; to speak yourself, allow the microphone for this site (address bar) and press Retry microphone.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return "No microphone found. Plug one in and press Retry microphone.";
  }
  if (name === "NotReadableError") {
    return "Your microphone is in use by another application. Close it and press Retry microphone.";
  }
  return `Couldn't open the microphone (${name || messageOf(error)}).`;
}
