/** The agent's microphone for one call: opened, replaced on retry, lost mid-call, stopped at the end. */

export interface MicrophoneHost {
  /** A microphone is open (replacing any before it). */
  opened(stream: MediaStream): void;
  /** The browser refused or found none: say so in the agent's terms. */
  refused(text: string): void;
  /** The open microphone stopped (unplugged, or permission revoked mid-call). */
  lost(): void;
}

export const MIC_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/** What the agent is told when the microphone is missing. */
export const MIC_TEXT = {
  unavailable: "Your microphone is not available. Allow it for this site, then press Retry microphone.",
  cannotTakeOver:
    "You can't take over without a microphone; the AI stays on. Allow or plug in a microphone, then press Retry microphone.",
  lost: (handedBack: boolean) =>
    `Your microphone stopped (unplugged, or access was withdrawn).${handedBack ? " The AI has the call again." : ""} Reconnect it, then press Retry microphone.`,
};

export class Microphone {
  private stream: MediaStream | null = null;
  private closed = false;

  constructor(private readonly host: MicrophoneHost) {}

  async open(request: Promise<MediaStream>): Promise<void> {
    let stream: MediaStream;
    try {
      stream = await request;
    } catch (error) {
      this.host.refused(micProblem(error));
      return;
    }
    if (this.closed) {
      stopTracks(stream);
      return;
    }
    stopTracks(this.stream);
    this.stream = stream;
    this.host.opened(stream);
    // Unplugged, or permission revoked mid-call: the browser ends the track.
    for (const track of stream.getAudioTracks()) {
      track.addEventListener("ended", () => this.ended(stream), { once: true });
    }
  }

  close(): void {
    this.closed = true;
    stopTracks(this.stream);
  }

  private ended(stream: MediaStream): void {
    if (this.closed || this.stream !== stream) return;
    this.stream = null;
    stopTracks(stream);
    this.host.lost();
  }
}

export function stopTracks(stream: MediaStream | null | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
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
  return `Couldn't open the microphone (${name || (error instanceof Error ? error.message : String(error))}).`;
}
