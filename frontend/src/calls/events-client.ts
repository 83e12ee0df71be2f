/**
 * A subscriber for AWS AppSync Events over its WebSocket, without Amplify: the `aws-appsync-event-ws`
 * protocol with the Cognito token in a `header-` subprotocol, `connection_init` → `connection_ack`,
 * a watchdog fed by `ka`, `subscribe` per channel, `data` events. It reconnects with jittered
 * exponential backoff and a fresh token, and calls `onLive` after every (re)subscription so the caller
 * can refetch whatever it missed (Events has no replay).
 */

import type { Schedule } from "./schedule";
import { windowSchedule } from "./schedule";

export interface EventsEndpoint {
  /** wss://<realtime host>/event/realtime */
  realtimeUrl: string;
  /** The Events API's HTTP host: AppSync checks it as the `host` of the authorization headers. */
  httpHost: string;
}

/** What the session needs of a WebSocket (the browser's, or a fake in tests). */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type SocketFactory = (url: string, protocols: string[]) => SocketLike;

export const EVENTS_PROTOCOL = "aws-appsync-event-ws";
const DEFAULT_CONNECTION_TIMEOUT_MS = 300_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

export interface EventsSessionOptions {
  endpoint: EventsEndpoint;
  channels: string[];
  /** The agent's Cognito ID token, refreshed when needed: asked for on every (re)connect. */
  token(): Promise<string>;
  onEvent(channel: string, event: unknown): void;
  /** Every channel is subscribed (again): anything published while down is missing, refetch now. */
  onLive(): void;
  /** The connection is gone; the session retries by itself. */
  onDown?(reason: string): void;
  socket?: SocketFactory;
  schedule?: Schedule;
  random?: () => number;
  newId?: () => string;
}

/** Unpadded base64url of the JSON, as the `header-` subprotocol carries it. */
export function headerProtocol(headers: Record<string, string>): string {
  const json = JSON.stringify(headers);
  const base64 = btoa(String.fromCharCode(...new TextEncoder().encode(json)));
  return `header-${base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/** The wait before reconnect attempt `attempt` (0-based): doubling from 1 s to 30 s, half of it jitter. */
export function backoffMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 10));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export class EventsSession {
  private socket: SocketLike | null = null;
  private running = false;
  /** A connect is awaiting its token; a second one would open a second socket. */
  private connecting = false;
  /** Bumped by stop(): a connect from before it opens nothing when its token arrives. */
  private generation = 0;
  private attempts = 0;
  private cancelWatchdog: () => void = () => undefined;
  private cancelRetry: () => void = () => undefined;
  private timeoutMs = DEFAULT_CONNECTION_TIMEOUT_MS;
  private subscriptions = new Map<string, string>(); // id -> channel
  private pending = new Set<string>();
  private readonly schedule: Schedule;
  private readonly random: () => number;
  private readonly newId: () => string;
  private readonly openSocket: SocketFactory;

  constructor(private readonly options: EventsSessionOptions) {
    this.schedule = options.schedule ?? windowSchedule;
    this.random = options.random ?? Math.random;
    this.newId = options.newId ?? (() => crypto.randomUUID());
    this.openSocket = options.socket ?? ((url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.generation++;
    this.connecting = false;
    this.cancelRetry();
    this.drop("stopped", false);
  }

  /** Reconnect now (e.g. the browser came back online), without waiting for the backoff. */
  reconnectNow(): void {
    if (!this.running || this.socket || this.connecting) return;
    this.cancelRetry();
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.connecting) return;
    const generation = this.generation;
    this.connecting = true;
    let token: string;
    try {
      token = await this.options.token();
    } catch {
      if (generation !== this.generation) return;
      this.connecting = false;
      this.retryLater("no token");
      return;
    }
    // Stopped (and maybe started again) meanwhile: that session's connect is not this one's business.
    if (generation !== this.generation) return;
    this.connecting = false;
    if (!this.running || this.socket) return;
    const authorization = { host: this.options.endpoint.httpHost, Authorization: token };
    let socket: SocketLike;
    try {
      socket = this.openSocket(this.options.endpoint.realtimeUrl, [EVENTS_PROTOCOL, headerProtocol(authorization)]);
    } catch {
      this.retryLater("could not open the socket");
      return;
    }
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init" }));
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(socket, String(event.data), authorization);
    };
    socket.onerror = () => undefined; // onclose follows
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.drop(`closed (${event.code ?? "?"})`, true);
    };
  }

  private receive(socket: SocketLike, text: string, authorization: Record<string, string>): void {
    let message: { type?: string; id?: string; event?: unknown; connectionTimeoutMs?: number; errors?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    switch (message.type) {
      case "connection_ack":
        this.timeoutMs = message.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
        this.armWatchdog();
        this.subscriptions.clear();
        this.pending.clear();
        for (const channel of this.options.channels) {
          const id = this.newId();
          this.subscriptions.set(id, channel);
          this.pending.add(id);
          socket.send(JSON.stringify({ type: "subscribe", id, channel, authorization }));
        }
        break;
      case "ka":
        this.armWatchdog();
        break;
      case "subscribe_success":
        if (message.id && this.pending.delete(message.id) && this.pending.size === 0) {
          this.attempts = 0;
          this.options.onLive();
        }
        break;
      case "data": {
        const channel = message.id ? this.subscriptions.get(message.id) : undefined;
        if (!channel) return;
        let event: unknown;
        try {
          event = typeof message.event === "string" ? JSON.parse(message.event) : message.event;
        } catch {
          return;
        }
        this.options.onEvent(channel, event);
        break;
      }
      case "connection_error":
      case "subscribe_error":
      case "error":
        // Refused (an expired token is the usual cause): start over with a fresh token, after a backoff.
        this.drop(`${message.type}: ${JSON.stringify(message.errors ?? null)}`, true);
        break;
      default:
        break;
    }
  }

  private armWatchdog(): void {
    this.cancelWatchdog();
    this.cancelWatchdog = this.schedule(() => this.drop("no keep-alive", true), this.timeoutMs);
  }

  private drop(reason: string, retry: boolean): void {
    this.cancelWatchdog();
    const socket = this.socket;
    this.socket = null;
    this.pending.clear();
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close(1000, "client closed");
      } catch {
        // already closed
      }
    }
    if (retry && this.running) {
      this.options.onDown?.(reason);
      this.retryLater(reason);
    }
  }

  private retryLater(reason: string): void {
    if (!this.running) return;
    void reason;
    const delay = backoffMs(this.attempts, this.random);
    this.attempts += 1;
    this.cancelRetry();
    this.cancelRetry = this.schedule(() => void this.connect(), delay);
  }
}
