import { describe, expect, it } from "vitest";
import { CallGate } from "./call-gate";

function gate() {
  const state = { inCall: false };
  return { state, gate: new CallGate(() => state.inCall) };
}

describe("CallGate", () => {
  it("lets a call start when idle, and only one at a time", () => {
    const { gate: g } = gate();
    expect(g.canStart).toBe(true);
    g.starting = true;
    expect(g.canStart).toBe(false);
  });

  it("refuses sign-out on a call and while a call is starting", () => {
    const { state, gate: g } = gate();
    state.inCall = true;
    expect(g.beginSignOut()).toMatch(/before signing out/);
    state.inCall = false;
    g.starting = true;
    expect(g.beginSignOut()).toMatch(/before signing out/);
    expect(g.signingOut).toBe(false);
  });

  it("starts no call (answer, dial, test) once sign-out is under way", () => {
    const { gate: g } = gate();
    expect(g.beginSignOut()).toBeNull();
    expect(g.signingOut).toBe(true);
    expect(g.canStart).toBe(false);
    expect(g.busy).toBe(true);
  });
});
