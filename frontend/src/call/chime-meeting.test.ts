import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AudioVideoObserver } from "amazon-chime-sdk-js";
import type { JoinInfo } from "../api/types";

const destroyed: string[] = [];

vi.mock("amazon-chime-sdk-js", () => {
  class FakeAudioVideo {
    private observers: AudioVideoObserver[] = [];
    addAudioMixObserver(): void {}
    removeAudioMixObserver(): void {}
    addObserver(observer: AudioVideoObserver): void {
      this.observers.push(observer);
    }
    removeObserver(): void {}
    async startAudioInput(): Promise<void> {}
    async stopAudioInput(): Promise<void> {}
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

beforeEach(() => {
  destroyed.length = 0;
  vi.stubGlobal("Audio", class {});
});
afterEach(() => void vi.unstubAllGlobals());

describe("ChimeMeetingConnection.leave", () => {
  it("destroys the meeting session and device controller (their loggers and monitors), even if one throws", async () => {
    const { ChimeMeetingConnection } = await import("./chime-meeting");
    const meeting = new ChimeMeetingConnection();
    const handlers = { remoteAudio: vi.fn(), connection: vi.fn(), ended: vi.fn() };
    await meeting.join(info, {} as MediaStream, handlers);
    await meeting.leave();
    expect(destroyed.sort()).toEqual(["deviceController", "session"]);
    expect(handlers.ended).not.toHaveBeenCalled();
  });
});
