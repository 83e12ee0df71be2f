/**
 * One call from the agent's side. Each concern has its own home: the meeting leg (meeting-leg.ts),
 * the AI voice (ai-voice.ts), the mixer and routes (call-audio.ts), the microphone (microphone.ts)
 * and the end-of-call choice (end-of-call.ts); this module runs them together: starting, the
 * controls, the transcript and notices, and ending it all at once.
 */

import type { ApiClient } from "../api/client";
import type { Call, JoinInfo } from "../api/types";
import { endedText } from "../calls/describe";
import { AiVoice, type AiVoiceHost, type RealtimeLink } from "./ai-voice";
import { AudioBridge } from "./audio-bridge";
import { CallAudio } from "./call-audio";
import { initialView, type CallView, type Notice } from "./call-view";
import {
  audioFailedText,
  beaconEnd,
  cancelledText,
  endedByAgent,
  EndingClaim,
  endRequest,
  sendEnd,
  type CallKind,
  type EndTarget,
} from "./end-of-call";
import { createMeetingConnection, type MeetingConnection } from "./meeting";
import { MeetingLeg } from "./meeting-leg";
import { MIC_CONSTRAINTS, MIC_TEXT, Microphone, stopTracks } from "./microphone";
import { isTakenOver, outputModality, type MixerEvent } from "./mixer";
import { RealtimeConnection, type RealtimeOptions } from "./realtime";
import { Transcript } from "./transcript";

export { TRANSFER_TIMEOUT_MS, type CallKind } from "./end-of-call";
export type { RealtimeLink } from "./ai-voice";
export type { CallPhase, CallView, Notice } from "./call-view";
export type JoinSource = () => Promise<{ joinInfo: JoinInfo; call: Call | null }>;

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

export class CallSession {
  readonly bridge: AudioBridge;
  private readonly deps: CallSessionDeps;
  private readonly audio: CallAudio;
  private readonly voice: AiVoice;
  private readonly leg = new MeetingLeg();
  private readonly mic: Microphone;
  private readonly transcript = new Transcript();
  private readonly listeners = new Set<(view: CallView) => void>();
  private noticeSeq = 0;
  private joinedMeetingId: string | null = null;
  private readonly ending = new EndingClaim((held) => this.update({ ending: held }));
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
    this.audio = new CallAudio(
      this.bridge,
      () => ({ connected: this.state.ai === "connected", speaking: this.voice.playing }),
      (routes) => this.update({ routes }),
    );
    this.voice = new AiVoice(kind === "inbound", this.deps.createRealtime, this.aiHost());
    this.mic = new Microphone({
      opened: (stream) => {
        this.audio.setMic(stream);
        this.dispatch({ type: "micAvailable", available: true });
      },
      refused: (text) => {
        this.dispatch({ type: "micAvailable", available: false });
        this.notify("warning", text, "retry-mic");
      },
      lost: () => this.micLost(),
    });
    this.state = initialView(kind, remoteNumber, context, this.audio, this.transcript.entries);
    this.audio.route();
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
      const made = { kind: this.kind, callId: joined.call?.id ?? null, meetingId: joined.joinInfo.meeting.MeetingId };
      await this.giveUp(made);
      return;
    }
    this.joinedMeetingId = joined.joinInfo.meeting.MeetingId;
    this.update({ call: joined.call, phase: "live" });

    void this.voice.start();
    void this.mic.open(micRequest);
    await this.joinMeeting(meetingLoad, joined.joinInfo);
  }

  // ---- controls ----

  setAiVoice(on: boolean): void {
    this.dispatch({ type: "ai", on });
  }

  setMic(on: boolean): void {
    if (on && !this.audio.mixer.micAvailable) this.notify("warning", MIC_TEXT.unavailable, "retry-mic");
    this.dispatch({ type: "mic", on });
  }

  /** Refused without a microphone (the AI stays on rather than leaving the caller in silence). */
  takeOver(): void {
    if (!this.audio.mixer.micAvailable) {
      this.notify("warning", MIC_TEXT.cannotTakeOver, "retry-mic");
      return;
    }
    this.dispatch({ type: "takeOver" });
  }

  handBack(): void {
    this.dispatch({ type: "handBack" });
  }

  setMicToAi(on: boolean): void {
    this.dispatch({ type: "micToAi", on });
  }

  retryAi(): void {
    this.dismiss("retry-ai");
    this.voice.retry();
  }

  retryMic(): void {
    this.dismiss("retry-mic");
    void this.mic.open(this.deps.getUserMedia({ audio: MIC_CONSTRAINTS }));
  }

  dismissNotice(id: string): void {
    this.update({ notices: this.state.notices.filter((notice) => notice.id !== id) });
  }

  /** End the call for everyone (or delete the test meeting), then tear everything down. */
  hangUp(): Promise<void> {
    return this.endByAgent("hang-up");
  }

  /** Leave without hanging up: the caller stays and another agent can answer. */
  leave(): Promise<void> {
    return this.endByAgent("leave");
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
      this.ending.release();
      throw error;
    }
    // Ended (page closed, meeting gone) while the request was in flight: nothing left to wait for.
    if (this.view.phase === "ended") return;
    this.notify("info", `Transferring to ${to}…`);
    const noticeId = this.state.notices.at(-1)?.id;
    this.ending.awaitTransfer(() => this.transferTimedOut(noticeId));
    this.callUpdated(call);
  }

  /** The call list saw this call change (status, or ended elsewhere). */
  callUpdated(call: Call): void {
    if (call.id !== this.callId || this.state.phase === "ended") return;
    if (call.status === "transferring" || call.status === "ended") this.ending.transferShown();
    this.update({ call });
    if (call.status === "ended") void this.finish(endedText(call));
  }

  /** `pagehide`: nothing can be awaited; tell the API as far as a closing tab can. */
  sendOnUnload(): void {
    if (this.state.phase === "ended") return;
    const request = endRequest("abandon", this.target());
    if (request) beaconEnd(this.api, request);
    void this.finish("The page was closed.");
  }

  /** Tear down meeting leg, AI session, mic and audio graph. Idempotent. */
  async finish(reason: string | null): Promise<void> {
    if (this.state.phase === "ended" && this.state.endedAt) return;
    this.ending.stop();
    this.update({ phase: "ended", endedReason: reason, endedAt: Date.now(), meeting: "left" });
    this.audio.stop();
    this.voice.close();
    this.mic.close();
    await Promise.allSettled([this.leg.leave(), this.bridge.close()]);
  }

  // ---- internals ----

  private target(): EndTarget {
    return { kind: this.kind, callId: this.callId, meetingId: this.joinedMeetingId };
  }

  /** Claim the end of the call for one action (hang up, leave, transfer), synchronously. */
  private beginEnding(): boolean {
    return this.state.phase !== "ended" && this.ending.take();
  }

  private async endByAgent(intent: "hang-up" | "leave"): Promise<void> {
    if (!this.beginEnding()) return;
    // Nothing to tell the server yet: `start()` gives back whatever arrives after this.
    if (this.state.phase === "starting") return this.finish(cancelledText(this.kind));
    const reason = endedByAgent(intent, this.kind);
    this.ending.expect(reason);
    const request = endRequest(intent, this.target());
    try {
      if (request) await sendEnd(this.api, request);
    } catch (error) {
      const what = intent === "leave" ? "Leaving" : "Hang-up";
      this.notify("error", `${what} may not have reached the server: ${messageOf(error)}`);
    }
    await this.finish(reason);
  }

  /** Give back a call or meeting the agent cannot stay in; best effort (the server's own timeouts end an abandoned call). */
  private async giveUp(target: EndTarget): Promise<ReturnType<typeof endRequest>> {
    const request = endRequest("abandon", target);
    if (request) await sendEnd(this.api, request).catch(() => undefined);
    return request;
  }

  private transferTimedOut(noticeId: string | undefined): void {
    if (this.state.phase === "ended") return;
    // Neither transferring nor ended: the SMA Lambda never carried it out. The call goes on.
    this.ending.release();
    this.dismissNotice(noticeId ?? "");
    this.notify("warning", "The transfer did not go through; the call is still yours.");
  }

  private async joinMeeting(load: Promise<MeetingConnection>, joinInfo: JoinInfo): Promise<void> {
    try {
      const joined = await this.leg.join(load, joinInfo, this.audio, {
        remoteAudio: (stream) => this.audio.setSource("caller", stream),
        connection: (state) => {
          if (this.state.phase !== "ended") this.update({ meeting: state });
        },
        ended: (_reason, detail) => void this.meetingEnded(detail),
      });
      if (!joined) return;
      this.update({ audio: { ...this.state.audio, outputLatency: this.bridge.context.outputLatency ?? 0 } });
      this.voice.maybeGreet();
    } catch (error) {
      if (this.state.phase === "ended") return;
      this.notify("error", `Couldn't connect the call audio: ${messageOf(error)}`);
      // Rather than leave the caller alone: an inbound call goes back to the queue; an outbound
      // one, which nobody else will pick up, is ended; a test meeting is deleted.
      const request = await this.giveUp(this.target());
      await this.finish(audioFailedText(request));
    }
  }

  /** The meeting leg ended under us: say why in the call's terms when the API knows. */
  private async meetingEnded(detail: string): Promise<void> {
    const own = this.ending.reason;
    if (own) return this.finish(own);
    const callId = this.callId;
    if (callId) {
      const call = await this.api.getCall(callId).catch(() => null);
      if (call?.status === "ended") return this.finish(endedText(call));
      if (call?.status === "transferring") return this.finish("Transferred.");
    }
    return this.finish(detail);
  }

  private micLost(): void {
    this.audio.setMic(null);
    // The agent had the call: give it back to the AI rather than leave the caller in silence.
    const handBack = isTakenOver(this.audio.mixer);
    if (handBack) this.dispatch({ type: "handBack" });
    this.dispatch({ type: "micAvailable", available: false });
    this.notify("warning", MIC_TEXT.lost(handBack), "retry-mic");
  }

  private aiHost(): AiVoiceHost {
    return {
      mint: () => this.api.createRealtimeSession(this.callId ?? undefined),
      input: () => this.audio.toAiInput,
      connected: (input, link) => this.audio.connectAi(input, (stream) => link.setInput(stream)),
      track: (stream) => this.audio.setSource("ai", stream),
      event: (event) => {
        if (this.transcript.apply(event)) this.update({ transcript: this.transcript.entries });
        // The AI fell silent: a leg waiting to go back to direct can switch now, without a skip.
        if (event.type === "output_audio_buffer.stopped" || event.type === "output_audio_buffer.cleared") this.audio.route();
      },
      mixer: (event) => this.dispatch(event),
      state: (state) => {
        this.update({ ai: state });
        this.audio.route();
      },
      modality: () => outputModality(this.audio.mixer),
      canGreet: () => this.state.phase === "live" && this.leg.joined && this.audio.mixer.aiVoice === "on",
      notify: (level, text, action) => this.notify(level, text, action),
      dismiss: (action) => this.dismiss(action),
    };
  }

  /** The mixer changed: the graph's gains first, then the AI's output, then the legs' routes. */
  private dispatch(event: MixerEvent): void {
    const change = this.audio.mix(event);
    if (!change) return;
    const modality = outputModality(change.after);
    if (modality !== outputModality(change.before)) this.voice.setModality(modality);
    this.update({ mixer: change.after });
    this.audio.route();
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
