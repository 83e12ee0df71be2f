/** MeetingConnection with amazon-chime-sdk-js. Its own chunk: loaded only when a call starts. */

import {
  ConsoleLogger,
  DefaultDeviceController,
  DefaultMeetingSession,
  LogLevel,
  MeetingSessionConfiguration,
  MeetingSessionStatusCode,
  type AudioMixObserver,
  type AudioVideoObserver,
  type DeviceChangeObserver,
  type MeetingSessionStatus,
} from "amazon-chime-sdk-js";
import type { JoinInfo } from "../api/types";
import { withTimeout } from "../lib/async";
import type { MeetingConnection, MeetingEndReason, MeetingHandlers } from "./meeting";

const JOIN_TIMEOUT_MS = 20_000;
const LEAVE_TIMEOUT_MS = 3_000;

export class ChimeMeetingConnection implements MeetingConnection {
  private session: DefaultMeetingSession | null = null;
  private deviceController: DefaultDeviceController | null = null;
  private observer: AudioVideoObserver | null = null;
  private mixObserver: AudioMixObserver | null = null;
  private deviceObserver: DeviceChangeObserver | null = null;
  /** What the client asked the meeting to send (the SDK gets clones of it). */
  private input: MediaStream | null = null;
  private stopped: Promise<void> | null = null;
  private leaving = false;

  async join(info: JoinInfo, input: MediaStream, handlers: MeetingHandlers): Promise<void> {
    const logger = new ConsoleLogger("chime", LogLevel.WARN);
    const deviceController = new DefaultDeviceController(logger);
    const session = new DefaultMeetingSession(new MeetingSessionConfiguration(info.meeting, info.attendee), logger, deviceController);
    this.session = session;
    this.deviceController = deviceController;
    const audioVideo = session.audioVideo;

    this.mixObserver = {
      meetingAudioStreamBecameActive: (stream) => handlers.remoteAudio(stream),
      meetingAudioStreamBecameInactive: () => undefined,
    };
    audioVideo.addAudioMixObserver(this.mixObserver);
    // When an input's track ends (the AI's peer closed under it, say), the SDK falls back to an
    // empty device, possibly after a switch we queued since: put back what we asked for last.
    this.deviceObserver = { audioInputStreamEnded: () => void this.restoreInput() };
    audioVideo.addDeviceChangeObserver(this.deviceObserver);

    let markStopped: () => void = () => undefined;
    this.stopped = new Promise((resolve) => (markStopped = resolve));
    const started = new Promise<void>((resolve, reject) => {
      this.observer = {
        audioVideoDidStartConnecting: (reconnecting) => handlers.connection(reconnecting ? "reconnecting" : "connecting"),
        audioVideoDidStart: () => {
          handlers.connection("connected");
          resolve();
        },
        connectionDidBecomePoor: () => handlers.connection("poor"),
        connectionDidBecomeGood: () => handlers.connection("connected"),
        audioVideoDidStop: (status) => {
          markStopped();
          const { reason, detail } = describeStop(status);
          reject(new Error(detail));
          if (!this.leaving) handlers.ended(reason, detail);
        },
      };
      audioVideo.addObserver(this.observer);
    });

    // The SDK plays the meeting mix into this element; muted, because the agent hears the caller
    // through the bridge's monitor. Binding it also keeps the remote stream flowing into Web Audio.
    const sink = new Audio();
    sink.muted = true;
    try {
      this.input = input;
      await audioVideo.startAudioInput(ownCopy(input));
      await audioVideo.bindAudioElement(sink);
      audioVideo.start();
      await withTimeout(started, JOIN_TIMEOUT_MS, "Timed out connecting the call audio.");
    } catch (error) {
      this.leaving = true;
      audioVideo.stop();
      throw error;
    }
    const current = await audioVideo.getCurrentMeetingAudioStream();
    if (current) handlers.remoteAudio(current);
  }

  /** Swaps the track on the meeting's audio sender (the SDK's replaceLocalAudio: replaceTrack, no renegotiation). */
  async setAudioInput(stream: MediaStream): Promise<void> {
    if (!this.session) return;
    this.input = stream;
    await this.session.audioVideo.startAudioInput(ownCopy(stream));
  }

  private async restoreInput(): Promise<void> {
    const input = this.input;
    if (!this.session || this.leaving || !input) return;
    if (!input.getAudioTracks().every((track) => track.readyState === "live")) return;
    await this.session.audioVideo.startAudioInput(ownCopy(input)).catch(() => undefined);
  }

  async leave(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = null;
    this.leaving = true;
    const audioVideo = session.audioVideo;
    audioVideo.stop();
    if (this.stopped) await withTimeout(this.stopped, LEAVE_TIMEOUT_MS, "leave").catch(() => undefined);
    await audioVideo.stopAudioInput().catch(() => undefined);
    audioVideo.unbindAudioElement();
    if (this.observer) audioVideo.removeObserver(this.observer);
    if (this.mixObserver) audioVideo.removeAudioMixObserver(this.mixObserver);
    if (this.deviceObserver) audioVideo.removeDeviceChangeObserver(this.deviceObserver);
    // Without these the SDK keeps each call's CSP monitor, loggers and device listeners alive.
    const deviceController = this.deviceController;
    this.deviceController = null;
    await Promise.allSettled([
      session.destroy().catch(() => undefined),
      deviceController?.destroy().catch(() => undefined),
    ]);
  }
}

/**
 * The SDK owns the stream it is given: choosing the next input, or stopping input on leave, stops
 * every track of the previous one (DefaultDeviceController.chooseInputIntrinsicDevice). Our inputs
 * are the AI's and the graph's live tracks, switched back and forth, so it gets clones: same source,
 * no added delay, and stopping a clone leaves the original playing.
 */
function ownCopy(stream: MediaStream): MediaStream {
  return new MediaStream(stream.getAudioTracks().map((track) => track.clone()));
}

function describeStop(status: MeetingSessionStatus): { reason: MeetingEndReason; detail: string } {
  const code = status.statusCode();
  switch (code) {
    case MeetingSessionStatusCode.MeetingEnded:
      return { reason: "meeting_ended", detail: "The call's meeting has ended." };
    case MeetingSessionStatusCode.AudioAttendeeRemoved:
      return { reason: "removed", detail: "You were removed from the call." };
    case MeetingSessionStatusCode.AudioJoinedFromAnotherDevice:
      return { reason: "joined_elsewhere", detail: "This call was opened in another tab or device." };
    default:
      return { reason: "failed", detail: `Call audio stopped (${MeetingSessionStatusCode[code] ?? code}).` };
  }
}
