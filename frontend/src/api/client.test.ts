import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError, REQUEST_TIMEOUT_MS, retryAfterMs, type TokenSource } from "./client";

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function harness(responses: Array<() => Response>) {
  const seen: Seen[] = [];
  let token = "t1";
  let refreshes = 0;
  const tokens: TokenSource = {
    apiToken: async () => token,
    refresh: async () => {
      refreshes += 1;
      token = `t${refreshes + 1}`;
    },
    get currentApiToken() {
      return token;
    },
  };
  const fetchImpl = (async (url: string, init: RequestInit) => {
    seen.push({ method: init.method ?? "GET", url, headers: init.headers as Record<string, string>, body: init.body as string });
    const next = responses.shift();
    if (!next) throw new Error("unexpected request");
    return next();
  }) as unknown as typeof fetch;
  return { api: new ApiClient("https://api.example.com", tokens, fetchImpl), seen, refreshes: () => refreshes };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

const call = {
  id: "c1",
  direction: "inbound",
  from: "+15555550100",
  to: "+15555550199",
  status: "ringing",
  meetingId: "m1",
  answeredBy: null,
  answeredByEmail: null,
  createdAt: "2026-01-01T00:00:00Z",
  answeredAt: null,
  endedAt: null,
  endReason: null,
  updatedAt: "2026-01-01T00:00:00Z",
};

describe("ApiClient", () => {
  it("lists calls with the bearer token and hands back the ETag", async () => {
    const h = harness([json(200, { calls: [call], nextCursor: "n2" }, { ETag: '"v1"' })]);
    const result = await h.api.listCalls();
    expect(result).toEqual({ notModified: false, page: { calls: [call], nextCursor: "n2" }, etag: '"v1"' });
    expect(h.seen[0]?.url).toBe("https://api.example.com/calls?limit=50");
    expect(h.seen[0]?.headers.Authorization).toBe("Bearer t1");
    expect(h.seen[0]?.headers["If-None-Match"]).toBeUndefined();
  });

  it("sends If-None-Match and reports 304 as not modified", async () => {
    const h = harness([() => new Response(null, { status: 304 })]);
    expect(await h.api.listCalls({ etag: '"v1"', cursor: "abc" })).toEqual({ notModified: true });
    expect(h.seen[0]?.headers["If-None-Match"]).toBe('"v1"');
    expect(h.seen[0]?.url).toBe("https://api.example.com/calls?limit=50&cursor=abc");
  });

  it("on 401 refreshes the token once and retries once", async () => {
    const h = harness([json(401, { message: "Unauthorized" }), json(200, { calls: [], nextCursor: null })]);
    await h.api.listCalls();
    expect(h.refreshes()).toBe(1);
    expect(h.seen.map((s) => s.headers.Authorization)).toEqual(["Bearer t1", "Bearer t2"]);
  });

  it("gives up after the retried request is refused again", async () => {
    const h = harness([json(401, {}), json(401, {})]);
    await expect(h.api.getCall("c1")).rejects.toMatchObject({ status: 401 });
    expect(h.refreshes()).toBe(1);
    expect(h.seen).toHaveLength(2);
  });

  it("turns the error envelope into an ApiError with the contract's code", async () => {
    const h = harness([json(409, { error: { code: "call_taken", message: "Another agent answered." } })]);
    const error = await h.api.answer("c1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: "call_taken", message: "Another agent answered." });
    expect(h.seen[0]).toMatchObject({ method: "POST", url: "https://api.example.com/calls/c1/answer" });
  });

  it("falls back to a readable message when the body is not the envelope", async () => {
    const h = harness([() => new Response("<html>Bad gateway</html>", { status: 502 })]);
    await expect(h.api.hangup("c1")).rejects.toMatchObject({ status: 502, code: "http_502" });
  });

  it("reports a network failure as status 0", async () => {
    const h = harness([
      () => {
        throw new TypeError("Failed to fetch");
      },
    ]);
    await expect(h.api.listCalls()).rejects.toMatchObject({ status: 0, code: "network" });
  });

  it("posts JSON bodies for outbound calls, transfers and realtime sessions", async () => {
    const h = harness([
      json(201, { call, meeting: {}, attendee: {} }),
      json(202, { call }),
      json(200, { clientSecret: "ek_1", expiresAt: 1, webrtcUrl: "https://x", model: "m", voice: "v" }),
    ]);
    await h.api.placeCall("+15555550123");
    await h.api.transfer("c/1", "+15555550124");
    await h.api.createRealtimeSession("c1");
    expect(h.seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ["POST", "https://api.example.com/calls", '{"to":"+15555550123"}'],
      ["POST", "https://api.example.com/calls/c%2F1/transfer", '{"to":"+15555550124"}'],
      ["POST", "https://api.example.com/realtime/session", '{"callId":"c1"}'],
    ]);
    expect(h.seen[0]?.headers["Content-Type"]).toBe("application/json");
  });

  it("sends keepalive requests on unload with the current token", async () => {
    const sent: RequestInit[] = [];
    const api = new ApiClient(
      "https://api.example.com",
      { apiToken: async () => "x", refresh: async () => undefined, currentApiToken: "now" },
      (async (_url: string, init: RequestInit) => {
        sent.push(init);
        return new Response(null, { status: 200 });
      }) as unknown as typeof fetch,
    );
    expect(api.sendOnUnload("POST", "/calls/c1/leave")).toBe(true);
    expect(sent[0]).toMatchObject({ method: "POST", keepalive: true });
    expect((sent[0]?.headers as Record<string, string>).Authorization).toBe("Bearer now");
  });
});

describe("ApiError: Retry-After", () => {
  it("carries the throttled answer's Retry-After in milliseconds", async () => {
    const h = harness([json(503, { error: { code: "azure_throttled", message: "Busy." } }, { "Retry-After": "7" })]);
    await expect(h.api.createRealtimeSession()).rejects.toMatchObject({ status: 503, code: "azure_throttled", retryAfterMs: 7_000 });
  });

  it("reads an HTTP date, and leaves it out when absent or unreadable", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5_000);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
  });
});

describe("ApiClient: a request that hangs", () => {
  it("is aborted after REQUEST_TIMEOUT_MS and rejects, so no busy button outlives it", async () => {
    vi.useFakeTimers();
    try {
      const tokens: TokenSource = { apiToken: async () => "t", refresh: async () => undefined, currentApiToken: "t" };
      let aborted = false;
      const hanging = ((_url: string, init: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => {
            aborted = true;
            reject(new DOMException("aborted", "AbortError"));
          });
        })) as unknown as typeof fetch;
      const api = new ApiClient("https://api.example.com", tokens, hanging);
      const answer = api.answer("c1");
      const settled = expect(answer).rejects.toMatchObject({ status: 0, code: "timeout" });
      await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);
      await settled;
      expect(aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
