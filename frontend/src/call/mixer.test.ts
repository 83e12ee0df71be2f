import { describe, expect, it } from "vitest";
import { gainsFor, initialMixerState, isTakenOver, mixerReducer, outputModality, type MixerEvent, type MixerState } from "./mixer";

const run = (...events: MixerEvent[]): MixerState => events.reduce(mixerReducer, initialMixerState);

describe("mixer state machine", () => {
  it("starts with the AI talking to the caller and the agent's mic off", () => {
    expect(gainsFor(initialMixerState)).toEqual({
      aiToCaller: 1,
      aiToAgent: 1,
      micToCaller: 0,
      micToAi: 0,
      callerToAi: 1,
      callerToAgent: 1,
    });
    expect(outputModality(initialMixerState)).toBe("audio");
  });

  it("never routes the AI to itself or the agent's mic back to the agent, in any state", () => {
    const events: MixerEvent[] = [
      { type: "ai", on: false },
      { type: "mic", on: true },
      { type: "micToAi", on: true },
      { type: "takeOver" },
      { type: "speechStarted" },
      { type: "responseStarted" },
      { type: "handBack" },
      { type: "micAvailable", available: false },
    ];
    let state = initialMixerState;
    for (const event of events) {
      state = mixerReducer(state, event);
      const gains = gainsFor(state);
      expect(Object.keys(gains).sort()).toEqual(
        ["aiToAgent", "aiToCaller", "callerToAgent", "callerToAi", "micToAi", "micToCaller"].sort(),
      );
      // The caller always reaches the AI and the agent.
      expect(gains.callerToAi).toBe(1);
      expect(gains.callerToAgent).toBe(1);
    }
  });

  it("muting the AI removes its voice from the caller and the agent, and switches it to text", () => {
    const state = run({ type: "ai", on: false });
    expect(gainsFor(state).aiToCaller).toBe(0);
    expect(gainsFor(state).aiToAgent).toBe(0);
    expect(outputModality(state)).toBe("text");
    expect(gainsFor(run({ type: "ai", on: false }, { type: "ai", on: true })).aiToCaller).toBe(1);
  });

  it("the mic reaches the caller when on, and the AI only if the agent chose so", () => {
    const micOn = run({ type: "mic", on: true });
    expect(gainsFor(micOn)).toMatchObject({ micToCaller: 1, micToAi: 0, aiToCaller: 1 });
    const shared = run({ type: "mic", on: true }, { type: "micToAi", on: true });
    expect(gainsFor(shared)).toMatchObject({ micToCaller: 1, micToAi: 1 });
    // Sharing with the AI means nothing while the mic is off.
    expect(gainsFor(run({ type: "micToAi", on: true })).micToAi).toBe(0);
  });

  it("take over mutes the AI and opens the mic; hand back reverses it", () => {
    const taken = run({ type: "takeOver" });
    expect(isTakenOver(taken)).toBe(true);
    expect(gainsFor(taken)).toMatchObject({ aiToCaller: 0, aiToAgent: 0, micToCaller: 1 });
    expect(outputModality(taken)).toBe("text");
    const back = mixerReducer(taken, { type: "handBack" });
    expect(isTakenOver(back)).toBe(false);
    expect(gainsFor(back)).toMatchObject({ aiToCaller: 1, micToCaller: 0 });
  });

  it("barge-in silences the AI at once and restores it on the next response", () => {
    const speaking = run({ type: "speechStarted" });
    expect(gainsFor(speaking).aiToCaller).toBe(0);
    expect(gainsFor(speaking).aiToAgent).toBe(0);
    expect(gainsFor(speaking).callerToAi).toBe(1);
    expect(gainsFor(mixerReducer(speaking, { type: "responseStarted" })).aiToCaller).toBe(1);
    expect(gainsFor(mixerReducer(speaking, { type: "aiSessionReset" })).aiToCaller).toBe(1);
  });

  it("a response does not unmute an AI the agent muted", () => {
    const state = run({ type: "ai", on: false }, { type: "speechStarted" }, { type: "responseStarted" });
    expect(gainsFor(state).aiToCaller).toBe(0);
  });

  it("barge-in leaves the agent's mic alone", () => {
    const state = run({ type: "mic", on: true }, { type: "speechStarted" });
    expect(gainsFor(state).micToCaller).toBe(1);
  });

  it("a blocked mic stays off, take over is refused (no dead air), and a live one turns off", () => {
    const blocked = run({ type: "micAvailable", available: false });
    expect(mixerReducer(blocked, { type: "mic", on: true }).mic).toBe("off");
    const taken = mixerReducer(blocked, { type: "takeOver" });
    expect(taken).toBe(blocked);
    expect(taken.aiVoice).toBe("on");
    expect(gainsFor(taken).aiToCaller).toBe(1);
    const lost = run({ type: "mic", on: true }, { type: "micAvailable", available: false });
    expect(gainsFor(lost).micToCaller).toBe(0);
  });

  it("returns the same object when nothing changes, so callers can skip work", () => {
    const speaking = run({ type: "speechStarted" });
    expect(mixerReducer(speaking, { type: "speechStarted" })).toBe(speaking);
    expect(mixerReducer(initialMixerState, { type: "responseStarted" })).toBe(initialMixerState);
  });
});
