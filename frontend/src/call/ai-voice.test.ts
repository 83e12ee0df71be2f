import { describe, expect, it, vi } from "vitest";
import { AiVoice, type AiVoiceHost, type RealtimeLink } from "./ai-voice";
import { aiInfo, fakeStream } from "./call-session.harness";
import type { RealtimeOptions } from "./realtime";

function voice(greet: boolean, canGreet = true) {
  const sent: string[] = [];
  const link: RealtimeLink = {
    connect: async () => undefined,
    retry: vi.fn(),
    send: (event) => (sent.push(String(event.type)), true),
    setInput: async () => undefined,
    close: vi.fn(),
  };
  let options: RealtimeOptions | null = null;
  const host: AiVoiceHost = {
    mint: async () => aiInfo,
    input: () => fakeStream(),
    connected: vi.fn(),
    track: vi.fn(),
    event: vi.fn(),
    mixer: vi.fn(),
    state: vi.fn(),
    modality: () => "audio",
    canGreet: () => canGreet,
    notify: vi.fn(),
    dismiss: vi.fn(),
  };
  const ai = new AiVoice(greet, (o) => ((options = o), link), host);
  void ai.start();
  const handlers = () => (options as unknown as RealtimeOptions).handlers;
  return { ai, sent, link, host, handlers };
}

describe("AiVoice", () => {
  it("greets on the first session once the caller can hear it, never on a reconnect", () => {
    const first = voice(true);
    first.handlers().open(aiInfo, false);
    expect(first.sent).toEqual(["session.update", "response.create"]);

    const reconnected = voice(true);
    reconnected.handlers().open(aiInfo, true);
    reconnected.ai.maybeGreet();
    expect(reconnected.sent).toEqual(["session.update"]);

    const waiting = voice(true, false);
    waiting.handlers().open(aiInfo, false);
    expect(waiting.sent).toEqual(["session.update"]);
  });

  it("a dropped session is not greeted into until it is configured again", () => {
    const v = voice(true, false);
    v.handlers().open(aiInfo, false);
    v.handlers().state("reconnecting");
    expect(v.host.mixer).toHaveBeenCalledWith({ type: "aiSessionReset" });
    v.ai.maybeGreet();
    expect(v.sent).toEqual(["session.update"]);
  });

  it("muting mid-answer cancels it and clears what is queued; once closed, late states are ignored", () => {
    const v = voice(false);
    v.handlers().open(aiInfo, false);
    v.handlers().event({ type: "response.created" });
    v.handlers().event({ type: "output_audio_buffer.started" });
    expect(v.ai.playing).toBe(true);
    v.ai.setModality("text");
    expect(v.sent.slice(1)).toEqual(["response.cancel", "output_audio_buffer.clear", "session.update"]);
    expect(v.ai.playing).toBe(false);

    v.ai.close();
    v.handlers().state("reconnecting");
    v.handlers().state("closed");
    expect(v.link.close).toHaveBeenCalled();
    expect(vi.mocked(v.host.state).mock.calls.map(([state]) => state)).toEqual(["closed"]);
  });
});
