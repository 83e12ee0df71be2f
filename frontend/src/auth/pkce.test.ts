import { describe, expect, it } from "vitest";
import { base64UrlDecode, base64UrlEncode, codeChallengeS256, createCodeVerifier, decodeJwtClaims } from "./pkce";

describe("PKCE", () => {
  it("matches RFC 7636 appendix B", async () => {
    expect(await codeChallengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("makes verifiers of legal length and alphabet, different each time", () => {
    const a = createCodeVerifier();
    const b = createCodeVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(a).not.toBe(b);
  });

  it("base64url round-trips bytes that need + and / in plain base64", () => {
    const bytes = new Uint8Array([251, 255, 191, 0, 1]);
    const text = base64UrlEncode(bytes);
    expect(text).not.toMatch(/[+/=]/);
    expect([...base64UrlDecode(text)]).toEqual([...bytes]);
  });

  it("reads JWT claims for display and survives garbage", () => {
    const payload = base64UrlEncode(new TextEncoder().encode(JSON.stringify({ email: "ana@example.com" })));
    expect(decodeJwtClaims(`h.${payload}.s`)).toEqual({ email: "ana@example.com" });
    expect(decodeJwtClaims("nope")).toBeNull();
    expect(decodeJwtClaims("a.%%%.c")).toBeNull();
  });
});
