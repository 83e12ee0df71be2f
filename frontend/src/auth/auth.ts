/** Cognito managed login: authorization code + PKCE, token refresh, sign-out. */

import type { AppConfig } from "../config";
import { codeChallengeS256, createCodeVerifier, decodeJwtClaims, randomUrlSafe } from "./pkce";

export interface TokenSet {
  accessToken: string;
  idToken: string;
  refreshToken: string | null;
  /** Epoch milliseconds when the access token stops being accepted. */
  expiresAt: number;
}

/** The signed-in agent as the meeting API keys them: Cognito's `sub`; the e-mail is for display. */
export interface Agent {
  sub: string;
  email: string | null;
}

export type AuthErrorCode =
  | "denied"
  | "state_mismatch"
  | "exchange_failed"
  | "expired"
  | "signed_out"
  | "network"
  /** The token endpoint failed for now (5xx, 429, unreadable answer): the tokens are kept. */
  | "unavailable";

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** HTTP status of a refused token request. */
    readonly status?: number,
    /** OAuth `error` of a refused token request (invalid_grant, …). */
    readonly oauthError?: string,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

export interface AuthDeps {
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  fetch: typeof fetch;
  now: () => number;
  navigate: (url: string) => void;
  origin: string;
}

const TOKENS_KEY = "calldesk.tokens";
const PENDING_KEY = "calldesk.signin";
/** Survives the trip through the logout page, to tell the agent their session token was not revoked. */
const SIGN_OUT_NOTICE_KEY = "calldesk.signout";
const NOT_REVOKED =
  "You are signed out here, but the sign-in service could not be reached to revoke your session: " +
  "it stays valid until it expires, at most 30 days from your sign-in.";
/** Refresh this long before expiry, so no request goes out with a token about to lapse. */
const REFRESH_MARGIN_MS = 120_000;
const PENDING_MAX_AGE_MS = 15 * 60_000;
/** Retrying a refresh the token endpoint could not answer: 5 s, 10 s, 20 s, then every 30 s. */
const REFRESH_RETRY_MS = [5_000, 10_000, 20_000, 30_000];
/**
 * The only answers that mean the refresh token is dead (revoked, expired, client changed): sign out.
 * Anything else (5xx, 429, a gateway page) is the service failing for now: keep the tokens, retry.
 */
const REFRESH_REFUSED = new Set(["invalid_grant", "unauthorized_client", "invalid_client"]);
/** Sign-out waits this long at most for Cognito to revoke the refresh token. */
const REVOKE_TIMEOUT_MS = 5_000;

interface PendingSignIn {
  verifier: string;
  state: string;
  createdAt: number;
}

export class Auth {
  private tokens: TokenSet | null = null;
  private refreshing: Promise<TokenSet> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshFailures = 0;
  private readonly signedOutListeners = new Set<(error: AuthError) => void>();

  constructor(
    private readonly config: AppConfig,
    private readonly deps: AuthDeps,
  ) {}

  static forBrowser(config: AppConfig): Auth {
    return new Auth(config, {
      storage: sessionStorage,
      fetch: globalThis.fetch.bind(globalThis),
      now: Date.now,
      navigate: (url) => location.assign(url),
      origin: location.origin,
    });
  }

  get redirectUri(): string {
    return `${this.deps.origin}/`;
  }

  get signedIn(): boolean {
    return this.tokens !== null;
  }

  get agent(): Agent | null {
    if (!this.tokens) return null;
    const claims = decodeJwtClaims(this.tokens.idToken) ?? {};
    const email = typeof claims.email === "string" ? claims.email : null;
    return { sub: typeof claims.sub === "string" ? claims.sub : "", email };
  }

  /** The API token as it is now, without refreshing: only for `pagehide`, where nothing can wait. */
  get currentApiToken(): string | null {
    return this.tokens?.idToken ?? null;
  }

  onSignedOut(listener: (error: AuthError) => void): () => void {
    this.signedOutListeners.add(listener);
    return () => this.signedOutListeners.delete(listener);
  }

  async beginSignIn(): Promise<void> {
    const verifier = createCodeVerifier();
    const state = randomUrlSafe(24);
    const pending: PendingSignIn = { verifier, state, createdAt: this.deps.now() };
    this.deps.storage.setItem(PENDING_KEY, JSON.stringify(pending));
    const params = new URLSearchParams({
      response_type: "code",
      client_id: this.config.userPoolClientId,
      redirect_uri: this.redirectUri,
      scope: "openid email profile",
      state,
      code_challenge: await codeChallengeS256(verifier),
      code_challenge_method: "S256",
    });
    this.deps.navigate(`${this.config.cognitoDomain}/oauth2/authorize?${params}`);
  }

  /**
   * Finish a sign-in if `url` is Cognito's redirect back (`?code=` or `?error=`).
   * Returns false when the URL is not a redirect; throws AuthError when the sign-in failed.
   */
  async completeSignIn(url: URL): Promise<boolean> {
    const code = url.searchParams.get("code");
    const error = url.searchParams.get("error");
    if (!code && !error) return false;

    const pendingText = this.deps.storage.getItem(PENDING_KEY);
    this.deps.storage.removeItem(PENDING_KEY);
    if (error) {
      const description = url.searchParams.get("error_description");
      throw new AuthError("denied", `Sign-in failed: ${description || error}`);
    }
    const pending = pendingText ? (JSON.parse(pendingText) as PendingSignIn) : null;
    if (
      !pending ||
      pending.state !== url.searchParams.get("state") ||
      this.deps.now() - pending.createdAt > PENDING_MAX_AGE_MS
    ) {
      throw new AuthError("state_mismatch", "This sign-in link is stale or was not started here. Please sign in again.");
    }
    const tokens = await this.tokenRequest({
      grant_type: "authorization_code",
      client_id: this.config.userPoolClientId,
      code: code as string,
      redirect_uri: this.redirectUri,
      code_verifier: pending.verifier,
    });
    this.setTokens(tokens);
    return true;
  }

  /** Pick up tokens saved earlier in this tab (a reload keeps the agent signed in). */
  restore(): boolean {
    const text = this.deps.storage.getItem(TOKENS_KEY);
    if (!text) return false;
    try {
      const saved = JSON.parse(text) as TokenSet;
      if (typeof saved.accessToken !== "string" || typeof saved.expiresAt !== "number") throw new Error("bad");
      if (saved.expiresAt <= this.deps.now() && !saved.refreshToken) throw new Error("expired");
      this.setTokens(saved);
      return true;
    } catch {
      this.deps.storage.removeItem(TOKENS_KEY);
      return false;
    }
  }

  /**
   * The token the meeting API accepts, refreshed first when it is about to expire: the ID token, the only
   * kind the API takes. Its audience is our app client (what the API's JWT authorizer checks) and, unlike
   * Cognito's access token, it carries the agent's verified e-mail, which calls show beside their `sub`.
   */
  async apiToken(): Promise<string> {
    if (!this.tokens) throw new AuthError("signed_out", "You are signed out.");
    if (this.tokens.expiresAt - this.deps.now() < REFRESH_MARGIN_MS / 2) {
      try {
        return (await this.refresh()).idToken;
      } catch (error) {
        // The refresh is retried in the background; until then the current token still works.
        const transient = error instanceof AuthError && (error.code === "network" || error.code === "unavailable");
        if (transient && this.tokens && this.tokens.expiresAt > this.deps.now()) return this.tokens.idToken;
        throw error;
      }
    }
    return this.tokens.idToken;
  }

  /** Refresh the tokens; concurrent callers share one request. */
  refresh(): Promise<TokenSet> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /**
   * Sign out: revoke the refresh token (else it renews the session for up to 30 days, wherever a copy
   * of it is), then forget the tokens here and end the managed-login session. A revocation that fails
   * (offline, Cognito down, timeout) does not leave the agent half signed in: this tab forgets the tokens
   * and goes to the logout endpoint all the same; the sign-in page then says the token was not revoked
   * (`takeSignOutNotice`), and so does a console warning.
   */
  async signOut(): Promise<{ revoked: boolean }> {
    const refreshToken = this.tokens?.refreshToken ?? null;
    clearTimeout(this.refreshTimer); // no scheduled refresh races the revocation
    let revoked = true;
    try {
      if (refreshToken) revoked = await this.revoke(refreshToken);
    } finally {
      this.clear();
      if (!revoked) this.deps.storage.setItem(SIGN_OUT_NOTICE_KEY, NOT_REVOKED);
      const params = new URLSearchParams({ client_id: this.config.userPoolClientId, logout_uri: this.redirectUri });
      this.deps.navigate(`${this.config.cognitoDomain}/logout?${params}`);
    }
    if (!revoked) {
      console.warn("Signed out here, but could not revoke the refresh token; it stays valid until it expires.");
    }
    return { revoked };
  }

  /** What the last sign-out has to tell the agent (once), or null. */
  takeSignOutNotice(): string | null {
    const notice = this.deps.storage.getItem(SIGN_OUT_NOTICE_KEY);
    this.deps.storage.removeItem(SIGN_OUT_NOTICE_KEY);
    return notice;
  }

  /** Cognito's revocation endpoint, as a public client (no secret): `token` and `client_id`, form-encoded. */
  private async revoke(refreshToken: string): Promise<boolean> {
    try {
      const response = await this.deps.fetch(`${this.config.cognitoDomain}/oauth2/revoke`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: refreshToken, client_id: this.config.userPoolClientId }).toString(),
        credentials: "omit",
        signal: AbortSignal.timeout(REVOKE_TIMEOUT_MS),
      });
      // 200 with an empty body: revoked (or already invalid). 400 invalid_request: revocation is off for
      // the client; 400 unsupported_token_type: not a refresh token; 401 invalid_client.
      return response.ok;
    } catch {
      return false;
    }
  }

  private async doRefresh(): Promise<TokenSet> {
    const current = this.tokens;
    if (!current) throw new AuthError("signed_out", "You are signed out.");
    if (!current.refreshToken) return this.expire();
    let fresh: TokenSet;
    try {
      fresh = await this.tokenRequest({
        grant_type: "refresh_token",
        client_id: this.config.userPoolClientId,
        refresh_token: current.refreshToken,
      });
    } catch (error) {
      if (error instanceof AuthError && error.code === "exchange_failed" && error.status !== undefined) {
        if (error.status < 500 && error.status !== 429 && REFRESH_REFUSED.has(error.oauthError ?? "")) return this.expire();
      }
      // Network down, 5xx, 429, an unreadable answer: not the agent's session ending. Keep the tokens
      // (a call may be under way) and try again shortly.
      if (this.tokens === current) this.scheduleRetry();
      if (error instanceof AuthError && error.code === "network") throw error;
      throw new AuthError(
        "unavailable",
        `The sign-in service is not answering (${error instanceof Error ? error.message : String(error)}); retrying.`,
        error instanceof AuthError ? error.status : undefined,
      );
    }
    // Signed out (or signed in afresh) while the request was out: these tokens belong to a session that
    // has ended. Storing them would sign the agent back in after the logout redirect.
    if (this.tokens !== current) throw new AuthError("signed_out", "You signed out while the session was being renewed.");
    this.refreshFailures = 0;
    // Cognito does not rotate the refresh token unless rotation is on: keep the one we have.
    this.setTokens({ ...fresh, refreshToken: fresh.refreshToken ?? current.refreshToken });
    return this.tokens as TokenSet;
  }

  private scheduleRetry(): void {
    const wait = REFRESH_RETRY_MS[Math.min(this.refreshFailures, REFRESH_RETRY_MS.length - 1)] as number;
    this.refreshFailures++;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refresh().catch(() => undefined);
    }, wait);
  }

  private expire(): never {
    this.clear();
    const error = new AuthError("expired", "Your session expired. Sign in again to keep taking calls.");
    for (const listener of this.signedOutListeners) listener(error);
    throw error;
  }

  private clear(): void {
    this.tokens = null;
    this.refreshFailures = 0;
    clearTimeout(this.refreshTimer);
    this.deps.storage.removeItem(TOKENS_KEY);
  }

  private setTokens(tokens: TokenSet): void {
    this.tokens = tokens;
    this.deps.storage.setItem(TOKENS_KEY, JSON.stringify(tokens));
    clearTimeout(this.refreshTimer);
    if (tokens.refreshToken) {
      const delay = Math.max(0, tokens.expiresAt - this.deps.now() - REFRESH_MARGIN_MS);
      this.refreshTimer = setTimeout(() => {
        // A failure here is retried by the next request that needs a token.
        this.refresh().catch(() => undefined);
      }, delay);
    }
  }

  private async tokenRequest(form: Record<string, string>): Promise<TokenSet> {
    let response: Response;
    try {
      response = await this.deps.fetch(`${this.config.cognitoDomain}/oauth2/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form).toString(),
        credentials: "omit",
      });
    } catch {
      throw new AuthError("network", "Can't reach the sign-in service. Check your connection.");
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      const detail = typeof body.error === "string" ? body.error : `HTTP ${response.status}`;
      throw new AuthError(
        "exchange_failed",
        `Sign-in was refused (${detail}).`,
        response.status,
        typeof body.error === "string" ? body.error : undefined,
      );
    }
    const { access_token, id_token, refresh_token, expires_in } = body;
    if (typeof access_token !== "string" || typeof id_token !== "string" || typeof expires_in !== "number") {
      throw new AuthError("exchange_failed", "The sign-in service answered with an unexpected token response.");
    }
    return {
      accessToken: access_token,
      idToken: id_token,
      refreshToken: typeof refresh_token === "string" ? refresh_token : null,
      expiresAt: this.deps.now() + expires_in * 1000,
    };
  }
}
