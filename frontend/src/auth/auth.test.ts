import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppConfig } from "../config";
import { Auth, AuthError, type AuthDeps } from "./auth";
import { base64UrlEncode, codeChallengeS256 } from "./pkce";

const config: AppConfig = {
  region: "us-east-1",
  apiUrl: "https://api.example.com",
  userPoolId: "us-east-1_Pool",
  userPoolClientId: "client123",
  cognitoDomain: "https://login.example.com",
};

const idToken = (claims: object) => `h.${base64UrlEncode(new TextEncoder().encode(JSON.stringify(claims)))}.s`;

type Answer = { status: number; body?: object } | "network";

function harness(tokenResponses: Array<{ status: number; body: object }>, revokeResponses: Answer[] = []) {
  const store = new Map<string, string>();
  const requests: URLSearchParams[] = [];
  const revocations: URLSearchParams[] = [];
  const navigations: string[] = [];
  /** Every request and navigation in order, to show what happens before what. */
  const timeline: string[] = [];
  let now = 1_000_000;
  const deps: AuthDeps = {
    storage: {
      getItem: (key) => store.get(key) ?? null,
      setItem: (key, value) => void store.set(key, value),
      removeItem: (key) => void store.delete(key),
    },
    fetch: (async (url: string, init: RequestInit) => {
      expect(init.method).toBe("POST");
      expect((init.headers as Record<string, string>)["Content-Type"]).toBe("application/x-www-form-urlencoded");
      const form = new URLSearchParams(String(init.body));
      if (url === "https://login.example.com/oauth2/revoke") {
        timeline.push(`revoke (signed in: ${store.has("calldesk.tokens")})`);
        revocations.push(form);
        const next = revokeResponses.shift();
        if (!next) throw new Error("unexpected revocation");
        if (next === "network") throw new TypeError("Failed to fetch");
        return new Response(next.body ? JSON.stringify(next.body) : null, { status: next.status });
      }
      expect(url).toBe("https://login.example.com/oauth2/token");
      timeline.push(`token ${form.get("grant_type")}`);
      requests.push(form);
      const next = tokenResponses.shift();
      if (!next) throw new Error("unexpected token request");
      return new Response(JSON.stringify(next.body), { status: next.status });
    }) as unknown as typeof fetch,
    now: () => now,
    navigate: (url) => {
      timeline.push(`navigate ${new URL(url).pathname}`);
      navigations.push(url);
    },
    origin: "https://desk.example.com",
  };
  return {
    auth: new Auth(config, deps),
    deps,
    store,
    requests,
    revocations,
    navigations,
    timeline,
    advance: (ms: number) => (now += ms),
  };
}

const tokens = (n: number) => ({
  access_token: `access-${n}`,
  id_token: idToken({
    sub: "3c1f4b2e-sub",
    email: "ana@example.com",
    email_verified: true,
    "cognito:username": "3c1f4b2e-sub",
    token_use: "id",
    n,
  }),
  refresh_token: n === 1 ? "refresh-1" : undefined,
  expires_in: 3600,
  token_type: "Bearer",
});

async function signIn(h: ReturnType<typeof harness>) {
  await h.auth.beginSignIn();
  const authorize = new URL(h.navigations[0] as string);
  const state = authorize.searchParams.get("state") as string;
  await h.auth.completeSignIn(new URL(`https://desk.example.com/?code=abc&state=${state}`));
  return authorize;
}

describe("Auth", () => {
  it("sends the agent to managed login with PKCE S256 and redeems the code with the verifier", async () => {
    const h = harness([{ status: 200, body: tokens(1) }]);
    const authorize = await signIn(h);
    expect(authorize.origin + authorize.pathname).toBe("https://login.example.com/oauth2/authorize");
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "client123",
      redirect_uri: "https://desk.example.com/",
      scope: "openid email profile",
      code_challenge_method: "S256",
    });
    const exchange = h.requests[0] as URLSearchParams;
    expect(exchange.get("grant_type")).toBe("authorization_code");
    expect(exchange.get("code")).toBe("abc");
    expect(exchange.get("client_secret")).toBeNull();
    expect(await codeChallengeS256(exchange.get("code_verifier") as string)).toBe(authorize.searchParams.get("code_challenge"));
    expect(await h.auth.apiToken()).toBe(tokens(1).id_token);
    expect(h.auth.agent).toEqual({ sub: "3c1f4b2e-sub", email: "ana@example.com" });
  });

  it("refuses a redirect whose state it did not issue", async () => {
    const h = harness([]);
    await h.auth.beginSignIn();
    await expect(h.auth.completeSignIn(new URL("https://desk.example.com/?code=abc&state=forged"))).rejects.toMatchObject({
      code: "state_mismatch",
    });
    expect(h.requests).toHaveLength(0);
  });

  it("reports an error redirect from Cognito", async () => {
    const h = harness([]);
    await expect(
      h.auth.completeSignIn(new URL("https://desk.example.com/?error=access_denied&error_description=User+is+disabled")),
    ).rejects.toThrow("Sign-in failed: User is disabled");
  });

  it("ignores a normal page load", async () => {
    expect(await harness([]).auth.completeSignIn(new URL("https://desk.example.com/"))).toBe(false);
  });

  it("refreshes before expiry, once for concurrent callers, keeping the refresh token", async () => {
    const h = harness([
      { status: 200, body: tokens(1) },
      { status: 200, body: tokens(2) },
    ]);
    await signIn(h);
    h.advance(3600_000 - 30_000);
    const [a, b] = await Promise.all([h.auth.apiToken(), h.auth.apiToken()]);
    expect([a, b]).toEqual([tokens(2).id_token, tokens(2).id_token]);
    expect(h.requests).toHaveLength(2);
    expect(h.requests[1]?.get("grant_type")).toBe("refresh_token");
    expect(h.requests[1]?.get("refresh_token")).toBe("refresh-1");
    expect(JSON.parse(h.store.get("calldesk.tokens") as string).refreshToken).toBe("refresh-1");
  });

  it("signs out with a clear reason when the refresh token is refused", async () => {
    const h = harness([
      { status: 200, body: tokens(1) },
      { status: 400, body: { error: "invalid_grant" } },
    ]);
    await signIn(h);
    const reasons: AuthError[] = [];
    h.auth.onSignedOut((error) => reasons.push(error));
    await expect(h.auth.refresh()).rejects.toMatchObject({ code: "expired" });
    expect(reasons.map((r) => r.code)).toEqual(["expired"]);
    expect(h.auth.signedIn).toBe(false);
    expect(h.store.has("calldesk.tokens")).toBe(false);
  });

  it("restores a saved session in a reloaded tab and signs out through the logout endpoint", async () => {
    const h = harness([{ status: 200, body: tokens(1) }], [{ status: 200 }]);
    await signIn(h);
    const reloaded = new Auth(config, h.deps);
    expect(reloaded.restore()).toBe(true);
    expect(await reloaded.apiToken()).toBe(tokens(1).id_token);
    await reloaded.signOut();
    const logout = new URL(h.navigations[1] as string);
    expect(logout.origin + logout.pathname).toBe("https://login.example.com/logout");
    expect(logout.searchParams.get("client_id")).toBe("client123");
    expect(logout.searchParams.get("logout_uri")).toBe("https://desk.example.com/");
    expect(new Auth(config, h.deps).restore()).toBe(false);
  });

  it("revokes the refresh token at Cognito before forgetting it and ending the managed-login session", async () => {
    const h = harness([{ status: 200, body: tokens(1) }], [{ status: 200 }]);
    await signIn(h);
    expect(await h.auth.signOut()).toEqual({ revoked: true });
    // The revocation endpoint's contract for a public client: the refresh token and the client id, no secret.
    expect(h.revocations).toHaveLength(1);
    expect(Object.fromEntries(h.revocations[0] as URLSearchParams)).toEqual({
      token: "refresh-1",
      client_id: "client123",
    });
    expect(h.timeline).toEqual([
      "navigate /oauth2/authorize",
      "token authorization_code",
      "revoke (signed in: true)",
      "navigate /logout",
    ]);
    expect(h.auth.signedIn).toBe(false);
    expect(h.store.has("calldesk.tokens")).toBe(false);
    expect(h.auth.takeSignOutNotice()).toBeNull();
  });

  it.each<[string, Answer]>([
    ["the network fails", "network"],
    ["Cognito answers 503", { status: 503 }],
    ["revocation is off for the client (400 invalid_request)", { status: 400, body: { error: "invalid_request" } }],
  ])("signs out all the same when %s, and says the token was not revoked", async (_, answer) => {
    const h = harness([{ status: 200, body: tokens(1) }], [answer]);
    await signIn(h);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(await h.auth.signOut()).toEqual({ revoked: false });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("could not revoke"));
    warn.mockRestore();
    expect(h.auth.signedIn).toBe(false);
    expect(h.store.has("calldesk.tokens")).toBe(false);
    expect(h.timeline.at(-1)).toBe("navigate /logout");
    // Back from the logout page, the sign-in screen says so, once.
    const back = new Auth(config, h.deps);
    expect(back.takeSignOutNotice()).toContain("could not be reached to revoke");
    expect(back.takeSignOutNotice()).toBeNull();
  });

  it("has nothing to revoke without a refresh token", async () => {
    const h = harness([{ status: 200, body: { ...tokens(1), refresh_token: undefined } }]);
    await signIn(h);
    expect(await h.auth.signOut()).toEqual({ revoked: true });
    expect(h.revocations).toHaveLength(0);
    expect(h.timeline.at(-1)).toBe("navigate /logout");
    expect(h.auth.takeSignOutNotice()).toBeNull();
  });

  describe("a refresh the service cannot answer right now", () => {
    afterEach(() => void vi.useRealTimers());

    it.each([500, 503, 429])("HTTP %i keeps the agent signed in and retries with backoff", async (status) => {
      vi.useFakeTimers();
      const h = harness([
        { status: 200, body: tokens(1) },
        { status, body: { error: "server_error" } },
        { status, body: { error: "server_error" } },
        { status: 200, body: tokens(2) },
      ]);
      await signIn(h);
      const reasons: AuthError[] = [];
      h.auth.onSignedOut((error) => reasons.push(error));
      h.advance(3600_000 - 30_000);

      // The token still works for 30 s: requests go on with it while the refresh is retried.
      expect(await h.auth.apiToken()).toBe(tokens(1).id_token);
      expect(h.auth.signedIn).toBe(true);
      expect(reasons).toEqual([]);
      expect(JSON.parse(h.store.get("calldesk.tokens") as string).refreshToken).toBe("refresh-1");

      await vi.advanceTimersByTimeAsync(60_000);
      expect(h.requests.map((r) => r.get("grant_type"))).toEqual([
        "authorization_code",
        "refresh_token",
        "refresh_token",
        "refresh_token",
      ]);
      expect(await h.auth.apiToken()).toBe(tokens(2).id_token);
      expect(reasons).toEqual([]);
    });

    it("an expired token whose refresh fails with 503 is an error, not a sign-out", async () => {
      const h = harness([
        { status: 200, body: tokens(1) },
        { status: 503, body: {} },
      ]);
      await signIn(h);
      h.advance(3600_000 + 1);
      await expect(h.auth.apiToken()).rejects.toMatchObject({ code: "unavailable" });
      expect(h.auth.signedIn).toBe(true);
    });

    it("unauthorized_client still signs the agent out", async () => {
      const h = harness([
        { status: 200, body: tokens(1) },
        { status: 400, body: { error: "unauthorized_client" } },
      ]);
      await signIn(h);
      await expect(h.auth.refresh()).rejects.toMatchObject({ code: "expired" });
      expect(h.auth.signedIn).toBe(false);
    });
  });
});

describe("a refresh that finishes after sign-out", () => {
  it("stores nothing and does not sign the agent back in", async () => {
    const h = harness(
      [
        { status: 200, body: tokens(1) },
        { status: 200, body: tokens(2) },
      ],
      [{ status: 200 }],
    );
    await signIn(h);
    // Hold the refresh's token request until after the sign-out has finished.
    const realFetch = h.deps.fetch;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    h.deps.fetch = (async (url: string, init: RequestInit) => {
      if (url.endsWith("/oauth2/token")) await gate;
      return realFetch(url, init);
    }) as unknown as typeof fetch;
    const refreshing = h.auth.refresh();
    refreshing.catch(() => undefined);
    await h.auth.signOut();
    expect(h.auth.signedIn).toBe(false);
    release();
    await expect(refreshing).rejects.toMatchObject({ code: "signed_out" });
    expect(h.auth.signedIn).toBe(false);
    expect(h.store.has("calldesk.tokens")).toBe(false);
    expect(new Auth(config, h.deps).restore()).toBe(false);
  });
});
