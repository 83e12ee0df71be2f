import { describe, expect, it } from "vitest";
import { formatDuration, formatPhone, normalizePhoneInput } from "./format";

describe("formats", () => {
  it("formats North American numbers and leaves others in E.164", () => {
    expect(formatPhone("+15555550123")).toBe("+1 (555) 555-0123");
    expect(formatPhone("+442071838750")).toBe("+442071838750");
  });

  it("formats durations", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(75_400)).toBe("1:15");
    expect(formatDuration(3_723_000)).toBe("1:02:03");
    expect(formatDuration(-5)).toBe("0:00");
  });

  it("accepts E.164 with common separators and rejects the rest", () => {
    expect(normalizePhoneInput(" +1 (555) 555-0123 ")).toBe("+15555550123");
    expect(normalizePhoneInput("5555550123")).toBeNull();
    expect(normalizePhoneInput("+0123456789")).toBeNull();
    expect(normalizePhoneInput("+1555abc0123")).toBeNull();
  });
});
