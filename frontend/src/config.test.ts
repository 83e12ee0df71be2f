import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "./config";

const valid = {
  region: "us-east-1",
  apiUrl: "https://abc.execute-api.us-east-1.amazonaws.com/",
  userPoolId: "us-east-1_AbC123",
  userPoolClientId: "4l2k3j4h5g6f7d8s9a0q1w2e3r",
  cognitoDomain: "https://calldesk-dev.auth.us-east-1.amazoncognito.com",
};

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("parseConfig", () => {
  it("accepts the deploy's config and trims the trailing slash from apiUrl", () => {
    expect(parseConfig(valid)).toEqual({ ...valid, apiUrl: "https://abc.execute-api.us-east-1.amazonaws.com" });
  });

  it("keeps a stage path on apiUrl", () => {
    expect(parseConfig({ ...valid, apiUrl: "https://api.example.com/prod" }).apiUrl).toBe("https://api.example.com/prod");
  });

  it("allows plain http only for loopback hosts", () => {
    expect(parseConfig({ ...valid, apiUrl: "http://127.0.0.1:8080" }).apiUrl).toBe("http://127.0.0.1:8080");
    expect(problemsOf({ ...valid, apiUrl: "http://api.example.com" })).toContain("apiUrl must use https");
  });

  it("lists every problem at once", () => {
    const problems = problemsOf({ region: "moon-1", apiUrl: "nope", userPoolId: "x", cognitoDomain: "https://a.b/c" });
    expect(problems).toEqual([
      "region is missing or not an AWS region",
      "apiUrl is not a URL",
      "cognitoDomain must be an origin without a path",
      "userPoolId is missing or malformed",
      "userPoolClientId is missing or malformed",
    ]);
  });

  it("rejects a user pool from another region", () => {
    expect(problemsOf({ ...valid, userPoolId: "eu-west-1_AbC123" })).toEqual([
      "userPoolId is in a different region than region",
    ]);
  });

  it("rejects non-objects", () => {
    expect(problemsOf(null)).toEqual(["expected a JSON object"]);
    expect(problemsOf([valid])).toEqual(["expected a JSON object"]);
  });
});

describe("loadConfig", () => {
  const respond = (body: string, status = 200) =>
    (async () => new Response(body, { status, headers: { "Content-Type": "application/json" } })) as unknown as typeof fetch;

  it("fetches /config.json without caching", async () => {
    let seen: RequestInit | undefined;
    const fetchSpy = (async (url: string, init?: RequestInit) => {
      expect(url).toBe("/config.json");
      seen = init;
      return new Response(JSON.stringify(valid));
    }) as unknown as typeof fetch;
    await loadConfig(fetchSpy);
    expect(seen?.cache).toBe("no-store");
  });

  it("explains a missing file, bad JSON and an unreachable server", async () => {
    await expect(loadConfig(respond("not found", 404))).rejects.toThrow("/config.json answered HTTP 404");
    await expect(loadConfig(respond("{"))).rejects.toThrow("/config.json is not valid JSON");
    const offline = (async () => {
      throw new TypeError("Failed to fetch");
    }) as unknown as typeof fetch;
    await expect(loadConfig(offline)).rejects.toThrow("could not download /config.json");
  });

  it("reads the push channel when both keys are there, and refuses half of it or plain ws off loopback", () => {
    const events = { eventsRealtimeUrl: "wss://x.appsync-realtime-api.us-east-1.amazonaws.com/event/realtime", eventsHttpHost: "x.appsync-api.us-east-1.amazonaws.com" };
    expect(parseConfig({ ...valid, ...events }).events).toEqual({
      realtimeUrl: events.eventsRealtimeUrl,
      httpHost: events.eventsHttpHost,
    });
    expect(parseConfig(valid).events).toBeUndefined();
    expect(parseConfig({ ...valid, eventsRealtimeUrl: "ws://127.0.0.1:9/event/realtime", eventsHttpHost: "127.0.0.1:9" }).events?.httpHost).toBe("127.0.0.1:9");
    expect(problemsOf({ ...valid, eventsRealtimeUrl: events.eventsRealtimeUrl })).toEqual(["eventsRealtimeUrl and eventsHttpHost go together"]);
    expect(problemsOf({ ...valid, ...events, eventsRealtimeUrl: "ws://evil.example/event/realtime" })).toEqual(["eventsRealtimeUrl must use wss"]);
    expect(problemsOf({ ...valid, ...events, eventsHttpHost: "https://x/" })).toEqual(["eventsHttpHost must be a host name"]);
  });
});
