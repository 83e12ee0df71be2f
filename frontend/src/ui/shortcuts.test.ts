import { describe, expect, it } from "vitest";
import { shortcutFor } from "./shortcuts";

const press = (code: string, extra: Partial<KeyboardEvent> = {}) =>
  ({ altKey: true, shiftKey: true, ctrlKey: false, metaKey: false, repeat: false, target: null, code, ...extra }) as KeyboardEvent;

describe("shortcuts", () => {
  it("Alt+Shift+letter by physical key", () => {
    expect(shortcutFor(press("KeyA"))).toBe("answer");
    expect(shortcutFor(press("KeyM"))).toBe("muteAi");
    expect(shortcutFor(press("KeyT"))).toBe("takeOver");
    expect(shortcutFor(press("KeyH"))).toBe("hangUp");
  });

  it("leaves plain letters, other modifiers and auto-repeat alone", () => {
    expect(shortcutFor(press("KeyH", { altKey: false }))).toBeNull();
    expect(shortcutFor(press("KeyH", { shiftKey: false }))).toBeNull();
    expect(shortcutFor(press("KeyH", { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(press("KeyH", { repeat: true }))).toBeNull();
    expect(shortcutFor(press("KeyZ"))).toBeNull();
  });
});
