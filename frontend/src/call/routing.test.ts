import { describe, expect, it } from "vitest";
import { deferred, fakeStream, flush } from "./call-session.harness";
import { gainsFor, initialMixerState, mixerReducer, type MixerEvent, type MixerState } from "./mixer";
import { LegSwitch, routesFor } from "./routing";

const state = (...events: MixerEvent[]): MixerState => events.reduce(mixerReducer, initialMixerState);
const both = { ai: true, caller: true, aiSpeaking: false };

describe("routesFor: direct only when a leg carries one live source at unity gain", () => {
  it("the AI alone to the caller and the caller alone to the AI go direct", () => {
    expect(routesFor(gainsFor(initialMixerState), both)).toEqual({ toCaller: "direct", toAi: "direct" });
  });

  it.each<[string, MixerEvent[], { toCaller: string; toAi: string }]>([
    ["the agent's mic mixed in with the AI", [{ type: "mic", on: true }], { toCaller: "mixed", toAi: "direct" }],
    ["taken over", [{ type: "takeOver" }], { toCaller: "mixed", toAi: "direct" }],
    ["the AI muted", [{ type: "ai", on: false }], { toCaller: "mixed", toAi: "direct" }],
    ["the caller barging in", [{ type: "speechStarted" }], { toCaller: "mixed", toAi: "direct" }],
    ["the AI's next response after a barge-in", [{ type: "speechStarted" }, { type: "responseStarted" }], { toCaller: "direct", toAi: "direct" }],
    ["the AI may hear the agent, mic off", [{ type: "micToAi", on: true }], { toCaller: "direct", toAi: "direct" }],
    ["the AI hears the agent's live mic", [{ type: "micToAi", on: true }, { type: "mic", on: true }], { toCaller: "mixed", toAi: "mixed" }],
    ["taken over, the AI hearing the agent", [{ type: "micToAi", on: true }, { type: "takeOver" }], { toCaller: "mixed", toAi: "mixed" }],
    ["handed back", [{ type: "takeOver" }, { type: "handBack" }], { toCaller: "direct", toAi: "direct" }],
    ["the mic lost while on", [{ type: "mic", on: true }, { type: "micAvailable", available: false }], { toCaller: "direct", toAi: "direct" }],
  ])("%s", (_what, events, expected) => {
    expect(routesFor(gainsFor(state(...events)), both)).toEqual(expected);
  });

  it("a leg whose source is not live takes the graph (silence or the agent), never a dead track", () => {
    expect(routesFor(gainsFor(initialMixerState), { ...both, ai: false })).toEqual({ toCaller: "mixed", toAi: "direct" });
    expect(routesFor(gainsFor(initialMixerState), { ...both, caller: false })).toEqual({ toCaller: "direct", toAi: "mixed" });
  });

  it("the caller's leg goes to the mix at once, but back to direct only while the AI is silent", () => {
    const speaking = { ...both, aiSpeaking: true };
    const direct = { toCaller: "direct", toAi: "direct" } as const;
    const mixed = { toCaller: "mixed", toAi: "mixed" } as const;
    const micOn = gainsFor(state({ type: "micToAi", on: true }, { type: "mic", on: true }));
    const micOff = gainsFor(state({ type: "micToAi", on: true }));
    expect(routesFor(micOn, speaking, direct)).toEqual(mixed);
    // Mid-voice, back to direct would skip the graph's ~20 ms: the caller's leg waits; the AI's does not.
    expect(routesFor(micOff, speaking, mixed)).toEqual({ toCaller: "mixed", toAi: "direct" });
    expect(routesFor(micOff, both, mixed)).toEqual(direct);
    // Waiting never keeps a leg on the mix that must not be direct anyway.
    expect(routesFor(micOff, speaking, direct)).toEqual(direct);
  });

  it("never sends the AI's voice to Azure nor the agent's mic to the caller directly, in any state", () => {
    const events: MixerEvent[] = [
      { type: "mic", on: true },
      { type: "micToAi", on: true },
      { type: "takeOver" },
      { type: "speechStarted" },
      { type: "handBack" },
      { type: "ai", on: false },
      { type: "responseStarted" },
    ];
    let current = initialMixerState;
    for (const event of events) {
      current = mixerReducer(current, event);
      const gains = gainsFor(current);
      const routes = routesFor(gains, both);
      // Direct carries exactly the one source; anything the gains mix in forces the graph.
      if (routes.toCaller === "direct") expect([gains.aiToCaller, gains.micToCaller]).toEqual([1, 0]);
      if (routes.toAi === "direct") expect([gains.callerToAi, gains.micToAi]).toEqual([1, 0]);
    }
  });
});

describe("LegSwitch", () => {
  it("sends nothing before the leg is connected, then only the latest selection", async () => {
    const [a, b, c] = [fakeStream(), fakeStream(), fakeStream()];
    const sent: MediaStream[] = [];
    const leg = new LegSwitch();
    leg.select(b);
    leg.select(c);
    await leg.settled();
    expect(sent).toEqual([]);
    leg.connect(a, async (stream) => void sent.push(stream));
    await leg.settled();
    expect(sent).toEqual([c]);
  });

  it("keeps switches in order and skips the ones overtaken while one is in flight", async () => {
    const [a, b, c, d] = [fakeStream(), fakeStream(), fakeStream(), fakeStream()];
    const sent: MediaStream[] = [];
    const gate = deferred();
    const leg = new LegSwitch();
    leg.connect(a, async (stream) => {
      sent.push(stream);
      if (stream === b) await gate.promise;
    });
    leg.select(b);
    await flush();
    leg.select(c);
    leg.select(d);
    gate.resolve();
    await leg.settled();
    expect(sent).toEqual([b, d]);
  });

  it("does not resend what the leg already carries", async () => {
    const a = fakeStream();
    const sent: MediaStream[] = [];
    const leg = new LegSwitch();
    leg.connect(a, async (stream) => void sent.push(stream));
    leg.select(a);
    await leg.settled();
    expect(sent).toEqual([]);
  });

  it("reports a refused switch and tries again on the next selection", async () => {
    const [a, b, c] = [fakeStream(), fakeStream(), fakeStream()];
    const errors: unknown[] = [];
    const sent: MediaStream[] = [];
    const leg = new LegSwitch((error) => errors.push(error));
    leg.connect(a, async (stream) => {
      if (stream === b) throw new Error("refused");
      sent.push(stream);
    });
    leg.select(b);
    await leg.settled();
    leg.select(c);
    await leg.settled();
    expect(errors).toHaveLength(1);
    expect(sent).toEqual([c]);
  });
});
