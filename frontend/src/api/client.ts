/** The meeting API client: bearer auth with one refresh-and-retry on 401, ETag polling, typed errors. */

import type { Call, CallPage, CallWithJoinInfo, JoinInfo, RealtimeSessionInfo } from "./types";

export interface TokenSource {
  apiToken(): Promise<string>;
  refresh(): Promise<unknown>;
  readonly currentApiToken: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The answer's `Retry-After` in milliseconds (429/503 `rate_limited`, `azure_throttled`, …), if any. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * No request may hang a busy button or the poller: API Gateway's HTTP APIs end every integration at
 * 30 s (the meeting API's Lambda at 15 s), so a request still open after this is a dead connection.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

export type CallListResult =
  | { notModified: true }
  | { notModified: false; page: CallPage; etag: string | null };

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: TokenSource,
    private readonly fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  /** Newest calls first. With `etag`, a 304 means nothing changed since that response. */
  async listCalls(options: { cursor?: string; etag?: string | null; limit?: number } = {}): Promise<CallListResult> {
    const params = new URLSearchParams({ limit: String(options.limit ?? 50) });
    if (options.cursor) params.set("cursor", options.cursor);
    const headers: Record<string, string> = {};
    if (options.etag) headers["If-None-Match"] = options.etag;
    const response = await this.send("GET", `/calls?${params}`, { headers });
    if (response.status === 304) return { notModified: true };
    const page = (await response.json()) as CallPage;
    if (!Array.isArray(page.calls)) throw new ApiError(502, "bad_response", "The call service sent an unreadable call list.");
    return { notModified: false, page: { calls: page.calls, nextCursor: page.nextCursor ?? null }, etag: response.headers.get("ETag") };
  }

  async getCall(id: string): Promise<Call> {
    return (await this.json<{ call: Call }>("GET", `/calls/${encodeURIComponent(id)}`)).call;
  }

  answer(id: string): Promise<CallWithJoinInfo> {
    return this.json("POST", `/calls/${encodeURIComponent(id)}/answer`, { body: {} });
  }

  async leave(id: string): Promise<Call> {
    return (await this.json<{ call: Call }>("POST", `/calls/${encodeURIComponent(id)}/leave`, { body: {} })).call;
  }

  async hangup(id: string): Promise<Call> {
    return (await this.json<{ call: Call }>("POST", `/calls/${encodeURIComponent(id)}/hangup`, { body: {} })).call;
  }

  async transfer(id: string, to: string): Promise<Call> {
    return (await this.json<{ call: Call }>("POST", `/calls/${encodeURIComponent(id)}/transfer`, { body: { to } })).call;
  }

  placeCall(to: string): Promise<CallWithJoinInfo> {
    return this.json("POST", "/calls", { body: { to } });
  }

  createMeeting(): Promise<JoinInfo> {
    return this.json("POST", "/meetings", { body: {} });
  }

  async deleteMeeting(meetingId: string): Promise<void> {
    await this.send("DELETE", `/meetings/${encodeURIComponent(meetingId)}`);
  }

  createRealtimeSession(callId?: string): Promise<RealtimeSessionInfo> {
    return this.json("POST", "/realtime/session", { body: callId ? { callId } : {} });
  }

  /**
   * Fire-and-forget POST that outlives the page (`pagehide`): uses the token as it is now, since
   * nothing can be awaited while a tab closes.
   */
  sendOnUnload(method: "POST" | "DELETE", path: string): boolean {
    const token = this.tokens.currentApiToken;
    if (!token) return false;
    try {
      void this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        keepalive: true,
        credentials: "omit",
        headers: { Authorization: `Bearer ${token}`, ...(method === "POST" ? { "Content-Type": "application/json" } : {}) },
        body: method === "POST" ? "{}" : undefined,
      }).catch(() => undefined);
      return true;
    } catch {
      return false;
    }
  }

  private async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiError(502, "bad_response", "The call service sent a response that could not be read.");
    }
  }

  /** Sends with a fresh token; on 401 refreshes once and retries once. Non-2xx (except 304) throws. */
  private async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    let response = await this.attempt(method, path, options, await this.tokens.apiToken());
    if (response.status === 401) {
      await this.tokens.refresh();
      response = await this.attempt(method, path, options, await this.tokens.apiToken());
    }
    if (response.ok || response.status === 304) return response;
    throw await errorFrom(response);
  }

  private async attempt(method: string, path: string, options: RequestOptions, token: string): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    try {
      return await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body,
        credentials: "omit",
        cache: "no-store",
        signal: abort.signal,
      });
    } catch {
      if (abort.signal.aborted) throw new ApiError(0, "timeout", "The call service did not answer in time; try again.");
      throw new ApiError(0, "network", "Can't reach the call service. Check your connection; retrying.");
    } finally {
      clearTimeout(timer);
    }
  }
}

const FALLBACK_MESSAGES: Record<number, string> = {
  401: "Your session is no longer accepted. Sign in again.",
  403: "You are not allowed to do that.",
  404: "That call no longer exists.",
  429: "Too many requests; wait a moment and try again.",
};

async function errorFrom(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`;
  let message = FALLBACK_MESSAGES[response.status] ?? `The call service failed (HTTP ${response.status}).`;
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === "string") code = body.error.code;
    if (typeof body.error?.message === "string" && body.error.message) message = body.error.message;
  } catch {
    // Not JSON (a gateway error page): keep the fallback.
  }
  return new ApiError(response.status, code, message, retryAfterMs(response.headers.get("Retry-After")));
}

/** `Retry-After` as delay-seconds or an HTTP date, in milliseconds from now; undefined if absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
