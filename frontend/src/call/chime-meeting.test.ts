import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AudioVideoObserver, DeviceChangeObserver } from "amazon-chime-sdk-js";
import type { JoinInfo } from "../api/types";

const destroyed: string[] = [];
/** The streams the SDK was given as audio input, in order. */
const sdkInputs: MediaStream[] = [];
const deviceObservers: DeviceChangeObserver[] = [];

vi.mock("amazon-chime-sdk-js", () => {
  class FakeAudioVideo {
    private observers: AudioVideoObserver[] = [];
    addAudioMixObserver(): void {}
    addDeviceChangeObserver(observer: DeviceChangeObserver): void {
      deviceObservers.push(observer);
    }
    removeDeviceChangeObserver(observer: DeviceChangeObserver): void {
      deviceObservers.splice(deviceObservers.indexOf(observer), 1);
    }
    removeAudioMixObserver(): void {}
    addObserver(observer: AudioVideoObserver): void {
      this.observers.push(observer);
    }
    removeObserver(): void {}
    // As DefaultDeviceController does: choosing a new input stops every track of the previous one.
    async startAudioInput(stream: MediaStream): Promise<void> {
      for (const track of sdkInputs.at(-1)?.getTracks() ?? []) track.stop();
      sdkInputs.push(stream);
    }
    async stopAudioInput(): Promise<void> {
      for (const track of sdkInputs.at(-1)?.getTracks() ?? []) track.stop();
    }
    async bindAudioElement(): Promise<void> {}
    unbindAudioElement(): void {}
    start(): void {
      for (const observer of this.observers) observer.audioVideoDidStart?.();
    }
    stop(): void {
      for (const observer of this.observers) observer.audioVideoDidStop?.({ statusCode: () => 1 } as never);
    }
    async getCurrentMeetingAudioStream(): Promise<null> {
      return null;
    }
  }
  return {
    ConsoleLogger: class {},
    LogLevel: { WARN: 3 },
    MeetingSessionConfiguration: class {},
    MeetingSessionStatusCode: { 1: "Left", MeetingEnded: 2, AudioAttendeeRemoved: 3, AudioJoinedFromAnotherDevice: 4 },
    DefaultDeviceController: class {
      async destroy(): Promise<void> {
        destroyed.push("deviceController");
      }
    },
    DefaultMeetingSession: class {
      audioVideo = new FakeAudioVideo();
      async destroy(): Promise<void> {
        destroyed.push("session");
        throw new Error("already destroyed");
      }
    },
  };
});

const info = {
  meeting: { MeetingId: "m", MediaPlacement: { AudioHostUrl: "a", SignalingUrl: "s" } },
  attendee: { AttendeeId: "a", JoinToken: "t" },
} as JoinInfo;

class FakeTrack {
  stopped = false;
  readyState: "live" | "ended" = "live";
  constructor(readonly source: string) {}
  clone(): FakeTrack {
    return new FakeTrack(this.source);
  }
  stop(): void {
    this.stopped = true;
    this.readyState = "ended";
  }
}

class FakeMediaStream {
  constructor(private readonly tracks: FakeTrack[]) {}
  getTracks(): FakeTrack[] {
    return this.tracks;
  }
  getAudioTracks(): FakeTrack[] {
    return this.tracks;
  }
}

const streamOf = (source: string) => new FakeMediaStream([new FakeTrack(source)]) as unknown as MediaStream;
const trackOf = (stream: MediaStream) => stream.getAudioTracks()[0] as unknown as FakeTrack;

beforeEach(() => {
  destroyed.length = 0;
  sdkInputs.length = 0;
  deviceObservers.length = 0;
  vi.stubGlobal("Audio", class {});
  vi.stubGlobal("MediaStream", FakeMediaStream);
});
afterEach(() => void vi.unstubAllGlobals());

describe("ChimeMeetingConnection.leave", () => {
  it("destroys the meeting session and device controller (their loggers and monitors), even if one throws", async () => {
    const { ChimeMeetingConnection } = await import("./chime-meeting");
    const meeting = new ChimeMeetingConnection();
    const handlers = { remoteAudio: vi.fn(), connection: vi.fn(), ended: vi.fn() };
    await meeting.join(info, streamOf("graph"), handlers);
    await meeting.leave();
    expect(destroyed.sort()).toEqual(["deviceController", "session"]);
    expect(handlers.ended).not.toHaveBeenCalled();
  });
});

describe("ChimeMeetingConnection audio input", () => {
  it("switching inputs back and forth never stops the client's own tracks (the SDK stops what it is given)", async () => {
    const { ChimeMeetingConnection } = await import("./chime-meeting");
    const meeting = new ChimeMeetingConnection();
    const [graph, ai] = [streamOf("graph"), streamOf("ai")];
    await meeting.join(info, graph, { remoteAudio: vi.fn(), connection: vi.fn(), ended: vi.fn() });
    await meeting.setAudioInput(ai);
    await meeting.setAudioInput(graph);
    await meeting.setAudioInput(ai);
    await meeting.leave();

    expect(sdkInputs.map((stream) => trackOf(stream).source)).toEqual(["graph", "ai", "graph", "ai"]);
    expect(sdkInputs.every((stream) => trackOf(stream).stopped)).toBe(true);
    expect([trackOf(graph).stopped, trackOf(ai).stopped]).toEqual([false, false]);
  });
});

describe("ChimeMeetingConnection when an input's track ends", () => {
  /** As DefaultDeviceController.handleDeviceStreamEnded: an empty device, then the observers. */
  const sdkFallsBack = async () => {
    sdkInputs.push(streamOf("empty device"));
    for (const observer of [...deviceObservers]) observer.audioInputStreamEnded?.("x");
    await new Promise((resolve) => setTimeout(resolve, 0));
  };

  it("puts back the input asked for last if it is live, and nothing once it has ended too", async () => {
    const { ChimeMeetingConnection } = await import("./chime-meeting");
    const meeting = new ChimeMeetingConnection();
    const [graph, ai] = [streamOf("graph"), streamOf("ai")];
    await meeting.join(info, ai, { remoteAudio: vi.fn(), connection: vi.fn(), ended: vi.fn() });
    await meeting.setAudioInput(graph);
    // The AI's peer closed: its clone ended and the SDK's fallback landed after our switch.
    await sdkFallsBack();
    expect(sdkInputs.map((stream) => trackOf(stream).source)).toEqual(["ai", "graph", "empty device", "graph"]);

    trackOf(graph).stop();
    await sdkFallsBack();
    expect(sdkInputs.at(-1) && trackOf(sdkInputs.at(-1) as MediaStream).source).toBe("empty device");
    await meeting.leave();
    expect(deviceObservers).toEqual([]);
  });
});
