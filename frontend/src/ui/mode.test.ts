import { describe, expect, it } from "vitest";
import { initialMixerState, mixerReducer, type MixerState } from "../call/mixer";
import { applyMode, describeRouting, modeOf, type AudioMode, type RoutingView } from "./mode";

const live: RoutingView = {
  kind: "inbound",
  phase: "live",
  meeting: "connected",
  ai: "connected",
  mixer: initialMixerState,
  routes: { toCaller: "direct", toAi: "direct" },
};

function fakeSession(mixer: MixerState = initialMixerState) {
  const session = {
    view: { mixer },
    calls: [] as string[],
    setAiVoice(on: boolean) { this.calls.push(`ai:${on}`); this.view = { mixer: mixerReducer(this.view.mixer, { type: "ai", on }) }; },
    setMic(on: boolean) { this.calls.push(`mic:${on}`); this.view = { mixer: mixerReducer(this.view.mixer, { type: "mic", on }) }; },
    setMicToAi(on: boolean) { this.calls.push(`micToAi:${on}`); this.view = { mixer: mixerReducer(this.view.mixer, { type: "micToAi", on }) }; },
    takeOver() { this.calls.push("takeOver"); this.view = { mixer: mixerReducer(this.view.mixer, { type: "takeOver" }) }; },
    handBack() { this.calls.push("handBack"); this.view = { mixer: mixerReducer(this.view.mixer, { type: "handBack" }) }; },
  };
  return session;
}

describe("the mode control", () => {
  it.each<AudioMode>(["ai", "agent", "both", "listen"])("reaches %s from every other mode", (target) => {
    for (const from of ["ai", "agent", "both", "listen"] as AudioMode[]) {
      const session = fakeSession();
      applyMode(session, from);
      applyMode(session, target);
      expect(modeOf(session.view.mixer)).toBe(target);
      expect(session.view.mixer.micToAi).toBe(target === "both");
    }
  });

  it("refuses I talk without a microphone (the session says why): the AI stays on", () => {
    const session = fakeSession({ ...initialMixerState, micAvailable: false });
    applyMode(session, "agent");
    expect(modeOf(session.view.mixer)).toBe("ai");
  });

  it("Both talk without a microphone leaves the AI talking and no mic open", () => {
    const session = fakeSession({ ...initialMixerState, micAvailable: false });
    applyMode(session, "both");
    expect(modeOf(session.view.mixer)).toBe("ai");
  });

  it("Both talk sets 'the AI hears me' before the mic opens, so each leg switches once", () => {
    const session = fakeSession();
    applyMode(session, "both");
    expect(session.calls.indexOf("micToAi:true")).toBeLessThan(session.calls.indexOf("mic:true"));
  });
});

describe("what the panel says comes from the legs, not the intent", () => {
  it("AI talks with the AI connected: the caller hears the AI, the AI hears the caller, not you", () => {
    const said = describeRouting(live);
    expect(said.callerHears).toBe("The caller hears the AI.");
    expect(said.aiHears).toBe("The AI hears the caller, not you.");
    expect(said.micLive).toBe(false);
  });

  it("no AI session: says so, and the caller hears silence (or you), never the AI", () => {
    const failed = describeRouting({ ...live, ai: "failed", routes: { toCaller: "mixed", toAi: "mixed" } });
    expect(failed.callerHears).toBe("The caller hears silence. No AI session (it failed).");
    expect(failed.aiHears).toBe("No AI session: nothing is sent to an AI.");
    expect(failed.aiPresent).toBe(false);
    const both = describeRouting({ ...live, ai: "closed", mixer: { ...initialMixerState, mic: "on", micToAi: true } });
    expect(both.callerHears).toBe("The caller hears you. No AI session.");
    expect(both.callerHears).not.toContain("AI.");
  });

  it("I talk: the caller hears you, the AI answers in text", () => {
    const said = describeRouting({ ...live, mixer: { ...initialMixerState, aiVoice: "muted", mic: "on" }, routes: { toCaller: "mixed", toAi: "direct" } });
    expect(said.mode).toBe("agent");
    expect(said.callerHears).toBe("The caller hears you.");
    expect(said.aiHears).toBe("The AI hears the caller, not you. It answers in text, as suggestions.");
    expect(said.micLive).toBe(true);
  });

  it("both talk: the caller hears the AI and you; the AI hears you too", () => {
    const said = describeRouting({ ...live, mixer: { ...initialMixerState, mic: "on", micToAi: true }, routes: { toCaller: "mixed", toAi: "mixed" } });
    expect(said.callerHears).toBe("The caller hears the AI and you.");
    expect(said.aiHears).toBe("The AI hears the caller and you.");
  });

  it("a mic that is on but unavailable is not live: the You meter stays still", () => {
    const said = describeRouting({ ...live, mixer: { ...initialMixerState, mic: "on", micAvailable: false } });
    expect(said.micLive).toBe(false);
    expect(said.mic).toBe("Your microphone is unavailable.");
  });

  it("call over: says it is over, whatever the mixer was", () => {
    const said = describeRouting({ ...live, phase: "ended", meeting: "left", mixer: { ...initialMixerState, mic: "on" } });
    expect(said.live).toBe(false);
    expect(said.callerHears).toBe("The call is over.");
    expect(said.micLive).toBe(false);
  });

  it("before the meeting joins, nobody hears anything yet", () => {
    expect(describeRouting({ ...live, meeting: "connecting" }).callerHears).toMatch(/hears nothing yet/);
  });
});
