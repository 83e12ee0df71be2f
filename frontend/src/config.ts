/** Runtime configuration: /config.json, written by the deploy, so one build serves every stage. */

import type { EventsEndpoint } from "./calls/events-client";

export interface AppConfig {
  region: string;
  /** API base URL without a trailing slash. */
  apiUrl: string;
  userPoolId: string;
  userPoolClientId: string;
  /** Cognito managed-login domain, origin only, e.g. https://x.auth.us-east-1.amazoncognito.com */
  cognitoDomain: string;
  /** The push channel (AppSync Events), from `eventsRealtimeUrl` and `eventsHttpHost`; absent: poll. */
  events?: EventsEndpoint;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`config.json is not usable: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const USER_POOL_ID = /^([a-z]{2}(-gov)?-[a-z]+-\d)_[A-Za-z0-9]+$/;
const CLIENT_ID = /^[A-Za-z0-9]{1,128}$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** https everywhere; plain http only for loopback hosts (local fakes and development). */
function parseBaseUrl(value: unknown, field: string, problems: string[]): string {
  if (typeof value !== "string" || value.trim() === "") {
    problems.push(`${field} is missing`);
    return "";
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${field} is not a URL`);
    return "";
  }
  const secure = url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
  if (!secure) problems.push(`${field} must use https`);
  if (url.search || url.hash) problems.push(`${field} must not have a query or fragment`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

export function parseConfig(raw: unknown): AppConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(["expected a JSON object"]);
  }
  const data = raw as Record<string, unknown>;
  const problems: string[] = [];

  const region = data.region;
  if (typeof region !== "string" || !REGION.test(region)) problems.push("region is missing or not an AWS region");

  const apiUrl = parseBaseUrl(data.apiUrl, "apiUrl", problems);
  const cognitoDomain = parseBaseUrl(data.cognitoDomain, "cognitoDomain", problems);
  if (cognitoDomain && new URL(cognitoDomain).pathname !== "/") {
    problems.push("cognitoDomain must be an origin without a path");
  }

  const userPoolId = data.userPoolId;
  const poolMatch = typeof userPoolId === "string" ? USER_POOL_ID.exec(userPoolId) : null;
  if (!poolMatch) problems.push("userPoolId is missing or malformed");
  else if (typeof region === "string" && poolMatch[1] !== region) {
    problems.push("userPoolId is in a different region than region");
  }

  const clientId = data.userPoolClientId;
  if (typeof clientId !== "string" || !CLIENT_ID.test(clientId)) {
    problems.push("userPoolClientId is missing or malformed");
  }

  const events = parseEvents(data, problems);

  if (problems.length) throw new ConfigError(problems);
  return {
    region: region as string,
    apiUrl,
    userPoolId: userPoolId as string,
    userPoolClientId: clientId as string,
    cognitoDomain,
    ...(events ? { events } : {}),
  };
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** Both keys or neither: wss everywhere, plain ws only for loopback (the local fake). */
function parseEvents(data: Record<string, unknown>, problems: string[]): EventsEndpoint | undefined {
  const { eventsRealtimeUrl: url, eventsHttpHost: host } = data;
  if (url === undefined && host === undefined) return undefined;
  if (typeof url !== "string" || typeof host !== "string") {
    problems.push("eventsRealtimeUrl and eventsHttpHost go together");
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    problems.push("eventsRealtimeUrl is not a URL");
    return undefined;
  }
  const secure = parsed.protocol === "wss:" || (parsed.protocol === "ws:" && LOOPBACK.has(parsed.hostname));
  if (!secure) problems.push("eventsRealtimeUrl must use wss");
  if (!HOST.test(host)) problems.push("eventsHttpHost must be a host name");
  return { realtimeUrl: url, httpHost: host };
}

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<AppConfig> {
  let response: Response;
  try {
    response = await fetchImpl("/config.json", { cache: "no-store", credentials: "omit" });
  } catch {
    throw new ConfigError(["could not download /config.json"]);
  }
  if (!response.ok) throw new ConfigError([`/config.json answered HTTP ${response.status}`]);
  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    throw new ConfigError(["/config.json is not valid JSON"]);
  }
  return parseConfig(raw);
}
