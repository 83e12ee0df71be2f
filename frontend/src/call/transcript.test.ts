import { describe, expect, it } from "vitest";
import { Transcript } from "./transcript";

describe("Transcript", () => {
  it("keeps the caller's turn in order even though its words arrive after the AI starts", () => {
    const t = new Transcript(() => 0);
    t.apply({ type: "input_audio_buffer.speech_started", item_id: "u1" });
    t.apply({ type: "response.output_audio_transcript.delta", item_id: "a1", delta: "Sure, " });
    t.apply({ type: "response.output_audio_transcript.delta", item_id: "a1", delta: "one moment." });
    t.apply({ type: "conversation.item.input_audio_transcription.completed", item_id: "u1", transcript: " I need help. " });
    expect(t.entries.map((e) => [e.speaker, e.text, e.final])).toEqual([
      ["caller", "I need help.", true],
      ["ai", "Sure, one moment.", false],
    ]);
    t.apply({ type: "response.output_audio_transcript.done", item_id: "a1", transcript: "Sure, one moment." });
    expect(t.entries[1]?.final).toBe(true);
  });

  it("marks text-only answers as suggestions", () => {
    const t = new Transcript();
    t.apply({ type: "response.output_text.delta", item_id: "a2", delta: "Offer a refund" });
    t.apply({ type: "response.output_text.done", item_id: "a2", text: "Offer a refund." });
    expect(t.entries[0]).toMatchObject({ speaker: "ai", suggestion: true, text: "Offer a refund.", final: true });
  });

  it("drops placeholders for speech that never produced words", () => {
    let now = 0;
    const t = new Transcript(() => now);
    t.apply({ type: "input_audio_buffer.speech_started", item_id: "u1" });
    now = 20_000;
    t.apply({ type: "input_audio_buffer.speech_started", item_id: "u2" });
    expect(t.entries.map((e) => e.id)).toEqual(["u2"]);
    t.apply({ type: "conversation.item.input_audio_transcription.completed", item_id: "u2", transcript: "" });
    expect(t.entries).toEqual([]);
  });

  it("shows failed transcriptions and ignores unrelated events", () => {
    const t = new Transcript();
    expect(t.apply({ type: "session.updated" })).toBe(false);
    t.apply({ type: "conversation.item.input_audio_transcription.failed", item_id: "u1" });
    expect(t.entries[0]?.text).toBe("(could not transcribe)");
  });
});
