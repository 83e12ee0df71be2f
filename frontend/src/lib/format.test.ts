import { afterEach, describe, expect, it } from "vitest";
import { formatPhone, parseTypedNumber, setLineNumber } from "./phone";
import { formatClockDuration, formatDuration, formatWhen, newestFirst } from "./time";

describe("phone numbers", () => {
  afterEach(() => setLineNumber(null));

  it("shows the line's own country national and others international", () => {
    setLineNumber("+12065550100");
    expect(formatPhone("+12065550123")).toBe("(206) 555-0123");
    expect(formatPhone("+442071838750")).toBe("+44 20 7183 8750");
    // Jamaica shares +1 but is another country: dialled internationally.
    expect(formatPhone("+18765550123")).toBe("+1 876 555 0123");
  });

  it("shows everything international until the line is known, and leaves unreadable text alone", () => {
    expect(formatPhone("+12065550123")).toBe("+1 206 555 0123");
    expect(formatPhone("anonymous")).toBe("anonymous");
  });

  it("a UK line shows UK numbers national", () => {
    setLineNumber("+442071838700");
    expect(formatPhone("+442071838750")).toBe("020 7183 8750");
    expect(formatPhone("+12065550123")).toBe("+1 206 555 0123");
  });

  it("accepts valid E.164 with spaces, dashes and brackets", () => {
    expect(parseTypedNumber(" +1 (206) 555-0123 ")).toEqual({ ok: true, e164: "+12065550123" });
    expect(parseTypedNumber("+44 20 7183 8750")).toEqual({ ok: true, e164: "+442071838750" });
  });

  it("refuses what the server refuses, saying why", () => {
    const reason = (text: string) => {
      const result = parseTypedNumber(text);
      return result.ok ? null : result.reason;
    };
    expect(reason("")).toMatch(/Enter a number/);
    expect(reason("2065550123")).toMatch(/starting with \+/);
    // Full-width digits read as ASCII by libphonenumber: refused, not converted (as the server does).
    expect(reason("+１２０６５５５０１２３")).toMatch(/digits 0-9 only/);
    expect(reason("+1206555abcd")).toMatch(/only digits/);
    expect(reason("+0123456789")).toMatch(/only digits/);
    expect(reason("+1 555 555 0123")).toMatch(/not a valid phone number/); // 555 is no area code
    expect(reason("+1 206 555 012")).toMatch(/not a valid phone number/);
  });
});

describe("times", () => {
  it("ticks as a clock", () => {
    expect(formatClockDuration(0)).toBe("0:00");
    expect(formatClockDuration(75_400)).toBe("1:15");
    expect(formatClockDuration(3_723_000)).toBe("1:02:03");
    expect(formatClockDuration(-5)).toBe("0:00");
  });

  it("says durations with units", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(45_000)).toBe("45 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(120_000)).toBe("2 min");
    expect(formatDuration(3_720_000)).toBe("1 h 2 min");
  });

  it("dates a call that was not today", () => {
    const now = new Date(2026, 11, 2, 9, 30);
    expect(formatWhen(new Date(2026, 11, 2, 8, 5).toISOString(), now, "en-GB")).toBe("08:05");
    expect(formatWhen(new Date(2026, 11, 1, 14, 5).toISOString(), now, "en-GB")).toBe("Yesterday, 14:05");
    expect(formatWhen(new Date(2026, 10, 30, 14, 5).toISOString(), now, "en-GB")).toBe("30 Nov, 14:05");
    expect(formatWhen(new Date(2025, 10, 30, 14, 5).toISOString(), now, "en-GB")).toBe("30 Nov 2025, 14:05");
  });

  it("sorts newest first by the instant, not the text", () => {
    const calls = [
      { id: "a", createdAt: "2026-12-02T09:00:00+01:00" }, // 08:00Z
      { id: "b", createdAt: "2026-12-02T08:30:00Z" },
      { id: "c", createdAt: "2026-11-30T23:00:00Z" },
    ];
    expect(newestFirst(calls).map((c) => c.id)).toEqual(["b", "a", "c"]);
  });
});
