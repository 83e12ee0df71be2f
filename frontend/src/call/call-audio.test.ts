import { describe, expect, it } from "vitest";
import { fakeStream, flush, live } from "./call-session.harness";

describe("CallAudio in a call: what each leg carries follows the legs' real state", () => {
  /** A live inbound call: meeting joined, caller audio in, AI connected with its voice. */
  async function connected() {
    const h = await live();
    h.joined.resolve();
    await flush();
    const caller = fakeStream();
    const ai = fakeStream();
    h.meetingHandlers()?.remoteAudio(caller);
    h.aiOptions()?.handlers.track(ai);
    await h.openAi();
    return { h, caller, ai };
  }

  it("joins and connects on the graph, then goes direct once each source is live", async () => {
    const { h, caller, ai } = await connected();
    expect(h.meetingInputs).toEqual([h.bridge.meetingInput, ai]);
    expect(h.aiInputs).toEqual([h.bridge.aiInput, caller]);
    expect(h.session.view.routes).toEqual({ toCaller: "direct", toAi: "direct" });
    // The graph still gets both, for the agent's monitor and the meters.
    expect(h.bridgeInputs).toMatchObject({ caller, ai });
  });

  it("a voice that arrives before its session is connected is not sent until then", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    h.aiOptions()?.handlers.track(fakeStream());
    await flush();
    expect(h.meetingInputs).toEqual([h.bridge.meetingInput]);
    expect(h.session.view.routes.toCaller).toBe("mixed");
  });

  it("the agent's mic takes the caller's leg through the graph and back, the AI's only when it may hear them", async () => {
    const { h, caller, ai } = await connected();
    await h.grantMic();
    h.session.setMic(true);
    await flush();
    expect(h.meetingInputs.at(-1)).toBe(h.bridge.meetingInput);
    expect(h.aiInputs.at(-1)).toBe(caller);
    // The graph had the mic's gain up before the caller's leg switched to it.
    expect(h.gains.at(-1)?.micToCaller).toBe(1);

    h.session.setMicToAi(true);
    await flush();
    expect(h.aiInputs.at(-1)).toBe(h.bridge.aiInput);
    expect(h.session.view.routes).toEqual({ toCaller: "mixed", toAi: "mixed" });

    h.session.setMic(false);
    await flush();
    expect(h.meetingInputs.at(-1)).toBe(ai);
    expect(h.aiInputs.at(-1)).toBe(caller);
    expect(h.session.view.routes).toEqual({ toCaller: "direct", toAi: "direct" });
  });

  it("take-over and barge-in take the AI off the caller's leg; its next response puts it back", async () => {
    const { h, ai } = await connected();
    await h.grantMic();
    h.session.takeOver();
    await flush();
    expect(h.meetingInputs.at(-1)).toBe(h.bridge.meetingInput);
    h.session.handBack();
    await flush();
    expect(h.meetingInputs.at(-1)).toBe(ai);

    await h.aiEvent("input_audio_buffer.speech_started");
    expect(h.meetingInputs.at(-1)).toBe(h.bridge.meetingInput);
    await h.aiEvent("response.created");
    expect(h.meetingInputs.at(-1)).toBe(ai);
  });

  it("an AI session that drops leaves the caller on the graph until the new voice is connected", async () => {
    const { h, ai } = await connected();
    h.aiOptions()?.handlers.state("reconnecting");
    await flush();
    expect(h.meetingInputs.at(-1)).toBe(h.bridge.meetingInput);
    const next = fakeStream();
    h.aiOptions()?.handlers.track(next);
    await flush();
    expect(h.meetingInputs.at(-1)).toBe(h.bridge.meetingInput);
    await h.openAi();
    expect(h.meetingInputs.at(-1)).toBe(next);
    expect(h.meetingInputs).not.toContain(undefined);
    expect(ai).not.toBe(next);
  });

  it("after the agent's mic goes off mid-voice, the caller's leg waits for the AI to fall silent", async () => {
    const { h, ai } = await connected();
    await h.grantMic();
    h.session.setMic(true);
    await h.aiEvent("output_audio_buffer.started");
    expect(h.meetingInputs.at(-1)).toBe(h.bridge.meetingInput);
    h.session.setMic(false);
    await flush();
    expect(h.meetingInputs.at(-1)).toBe(h.bridge.meetingInput);
    expect(h.gains.at(-1)?.micToCaller).toBe(0); // the mic is out of the mix at once all the same
    await h.aiEvent("output_audio_buffer.stopped");
    expect(h.meetingInputs.at(-1)).toBe(ai);
  });

  it("switches nothing once the call has ended", async () => {
    const { h } = await connected();
    const before = [h.meetingInputs.length, h.aiInputs.length];
    await h.session.hangUp();
    h.session.setMic(true);
    h.aiOptions()?.handlers.track(fakeStream());
    await flush();
    expect([h.meetingInputs.length, h.aiInputs.length]).toEqual(before);
  });
});
