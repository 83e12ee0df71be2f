/**
 * Azure OpenAI Realtime over WebRTC (GA): mint a client secret through our API right before each
 * connect, POST the SDP offer with only Authorization + Content-Type, check the answer, and
 * reconnect with a fresh secret when the connection drops.
 */

import { ApiError, retryAfterMs } from "../api/client";
import type { RealtimeSessionInfo } from "../api/types";
import { delay, withTimeout } from "../lib/async";
import type { ServerEvent } from "./transcript";

export type RealtimeState = "connecting" | "connected" | "reconnecting" | "failed" | "closed";

export type RealtimeErrorKind = "mint_failed" | "unreachable" | "unauthorized" | "rate_limited" | "rejected" | "timeout";

export class RealtimeError extends Error {
  constructor(
    readonly kind: RealtimeErrorKind,
    message: string,
    readonly status?: number,
    /** For `mint_failed`: the meeting API's error code (`azure_throttled`, `call_not_found`, …). */
    readonly code?: string,
    /** The server's `Retry-After`, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "RealtimeError";
  }
}

export interface RealtimeHandlers {
  /**
   * The model's voice. Fires again after each reconnect with the new stream, and with null when an
   * attempt that delivered one failed (its peer is closed: take it out of the mix).
   */
  track(stream: MediaStream | null): void;
  event(event: ServerEvent): void;
  /** The events channel opened (first connect or a reconnect): configure the session here. */
  open(info: RealtimeSessionInfo, reconnect: boolean): void;
  state(state: RealtimeState, error?: RealtimeError): void;
}

export interface RealtimeOptions {
  mint: () => Promise<RealtimeSessionInfo>;
  /** What the model hears at first; `setInput` changes it. */
  input: MediaStream;
  handlers: RealtimeHandlers;
  fetch?: typeof fetch;
}

const CONNECT_TIMEOUT_MS = 15_000;
const ICE_GATHERING_MAX_MS = 2_000;
/** A "disconnected" peer often recovers by itself; give it this long before starting over. */
const DISCONNECTED_GRACE_MS = 4_000;
const RECONNECT_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000];
/** A longer `Retry-After` than this is not waited out: the agent can press Retry. */
const RETRY_AFTER_MAX_MS = 60_000;
/** Mint refusals that another attempt cannot fix (the operator or the call has to change first). */
const PERMANENT_MINT_CODES = new Set(["azure_not_configured", "azure_auth_failed"]);

export class RealtimeConnection {
  private pc: RTCPeerConnection | null = null;
  private sender: RTCRtpSender | null = null;
  private dc: RTCDataChannel | null = null;
  private input: MediaStream;
  private generation = 0;
  private closed = false;
  private reconnecting = false;
  private hasConnected = false;
  private disconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private wakeReconnect: (() => void) | null = null;
  private readonly fetchImpl: typeof fetch;
  private readonly onOnline = () => this.wakeReconnect?.();

  constructor(private readonly options: RealtimeOptions) {
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.input = options.input;
    addEventListener("online", this.onOnline);
  }

  /** First connect. Throws RealtimeError; the caller shows it and may `retry()`. */
  async connect(): Promise<void> {
    this.options.handlers.state("connecting");
    try {
      await this.open();
    } catch (error) {
      const failure = asRealtimeError(error);
      if (!this.closed) this.options.handlers.state("failed", failure);
      throw failure;
    }
  }

  /** Start over now (the agent pressed Retry). */
  retry(): void {
    if (this.closed) return;
    if (this.reconnecting) {
      this.wakeReconnect?.();
      return;
    }
    void this.reconnectLoop();
  }

  /** Send a client event; false if the channel is not open. */
  send(event: Record<string, unknown>): boolean {
    if (this.dc?.readyState !== "open") return false;
    this.dc.send(JSON.stringify(event));
    return true;
  }

  /**
   * What the model hears from now on, this session and the next ones. A live session swaps the
   * track on its sender (no renegotiation, no gap); the stream's tracks are not stopped.
   */
  async setInput(stream: MediaStream): Promise<void> {
    this.input = stream;
    const track = stream.getAudioTracks()[0];
    const sender = this.sender;
    if (!sender || !track) return;
    try {
      await sender.replaceTrack(track);
    } catch (error) {
      // A peer torn down meanwhile (reconnect, close): the next one starts with this input anyway.
      if (sender === this.sender) throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    removeEventListener("online", this.onOnline);
    this.wakeReconnect?.();
    this.teardownPeer();
    this.options.handlers.state("closed");
  }

  private async open(): Promise<void> {
    const generation = ++this.generation;
    try {
      await this.attempt(generation);
    } catch (error) {
      // This attempt failed (refused, bad answer, timeout): don't leave its peer connection open,
      // nor its audio track wired into the bridge. A newer attempt owns the peer if there is one.
      if (generation === this.generation && !this.closed) {
        const hadPeer = this.pc !== null;
        this.teardownPeer();
        if (hadPeer) this.options.handlers.track(null);
      }
      throw error;
    }
  }

  private async attempt(generation: number): Promise<void> {
    this.teardownPeer();
    const current = () => generation === this.generation && !this.closed;

    let info: RealtimeSessionInfo;
    try {
      info = await this.options.mint();
    } catch (error) {
      throw mintError(error);
    }
    if (!current()) throw new RealtimeError("rejected", "closed");

    const pc = new RTCPeerConnection();
    this.pc = pc;
    const track = this.input.getAudioTracks()[0];
    this.sender = track ? pc.addTrack(track, this.input) : null;
    const dc = pc.createDataChannel("oai-events");
    this.dc = dc;

    pc.ontrack = (event) => {
      if (current()) this.options.handlers.track(event.streams[0] ?? new MediaStream([event.track]));
    };
    dc.onmessage = (message) => {
      if (!current() || typeof message.data !== "string") return;
      try {
        const parsed: unknown = JSON.parse(message.data);
        if (parsed && typeof parsed === "object" && typeof (parsed as ServerEvent).type === "string") {
          this.options.handlers.event(parsed as ServerEvent);
        }
      } catch {
        // Not JSON: ignore.
      }
    };
    const opened = new Promise<void>((resolve, reject) => {
      dc.onopen = () => resolve();
      dc.onclose = () => {
        reject(new RealtimeError("unreachable", "The AI session closed while connecting."));
        if (current() && this.hasConnected) this.lost();
      };
    });
    pc.onconnectionstatechange = () => {
      // Before the first success, connect() owns failures (its timeout reports them).
      if (!current() || !this.hasConnected) return;
      clearTimeout(this.disconnectTimer);
      if (pc.connectionState === "failed") this.lost();
      else if (pc.connectionState === "disconnected") {
        this.disconnectTimer = setTimeout(() => current() && this.lost(), DISCONNECTED_GRACE_MS);
      }
    };

    await pc.setLocalDescription(await pc.createOffer());
    await iceGatheringDone(pc, ICE_GATHERING_MAX_MS);
    const offer = pc.localDescription?.sdp ?? "";

    let response: Response;
    try {
      response = await this.fetchImpl(info.webrtcUrl, {
        method: "POST",
        body: offer,
        // Exactly these two headers: anything more can break Azure's CORS preflight.
        headers: { Authorization: `Bearer ${info.clientSecret}`, "Content-Type": "application/sdp" },
        credentials: "omit",
      });
    } catch {
      throw new RealtimeError("unreachable", "Can't reach Azure OpenAI. Check the network, then retry.");
    }
    // Check before setRemoteDescription: an error body would otherwise surface as an SDP parse error.
    if (!response.ok) throw await answerError(response);
    const answer = await response.text();
    if (!answer.startsWith("v=")) {
      throw new RealtimeError("rejected", "Azure OpenAI answered without a session description.");
    }
    if (!current()) throw new RealtimeError("rejected", "closed");
    await pc.setRemoteDescription({ type: "answer", sdp: answer });
    await withTimeout(opened, CONNECT_TIMEOUT_MS, "timeout").catch((error: unknown) => {
      if (error instanceof RealtimeError) throw error;
      throw new RealtimeError("timeout", "Azure OpenAI accepted the session but no audio connection came up.");
    });
    if (!current()) throw new RealtimeError("rejected", "closed");

    const reconnect = this.hasConnected;
    this.hasConnected = true;
    this.options.handlers.open(info, reconnect);
    this.options.handlers.state("connected");
  }

  /** The live connection dropped: start over with a fresh secret. */
  private lost(): void {
    if (this.closed || this.reconnecting) return;
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    this.reconnecting = true;
    this.teardownPeer();
    this.options.handlers.state("reconnecting");
    let lastError: RealtimeError | undefined;
    for (const step of RECONNECT_DELAYS_MS) {
      // Throttled (429/503 with Retry-After): not before the server said, nor sooner than the backoff.
      const wait = Math.max(step, Math.min(lastError?.retryAfterMs ?? 0, RETRY_AFTER_MAX_MS));
      await new Promise<void>((resolve) => {
        this.wakeReconnect = resolve;
        // Offline: wait for the browser's "online" (or the agent's Retry) instead of burning attempts.
        if (navigator.onLine !== false) void delay(wait).then(resolve);
      });
      this.wakeReconnect = null;
      if (this.closed) break;
      try {
        await this.open();
        this.reconnecting = false;
        return;
      } catch (error) {
        lastError = asRealtimeError(error);
        if (!worthRetrying(lastError)) break;
      }
    }
    this.reconnecting = false;
    if (!this.closed) this.options.handlers.state("failed", lastError);
  }

  private teardownPeer(): void {
    clearTimeout(this.disconnectTimer);
    if (this.dc) {
      this.dc.onclose = null;
      this.dc.onmessage = null;
      this.dc.close();
    }
    if (this.pc) {
      this.pc.ontrack = null;
      this.pc.onconnectionstatechange = null;
      this.pc.close();
    }
    this.dc = null;
    this.pc = null;
    this.sender = null;
  }
}

function iceGatheringDone(pc: RTCPeerConnection, maxMs: number): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, maxMs);
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

async function answerError(response: Response): Promise<RealtimeError> {
  let detail = "";
  try {
    const body = (await response.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") detail = ` (${body.error.message})`;
  } catch {
    // Not JSON.
  }
  const status = response.status;
  if (status === 401 || status === 403) {
    return new RealtimeError(
      "unauthorized",
      `Azure OpenAI refused the session key (HTTP ${status})${detail}. It may have expired; retry to get a new one.`,
      status,
    );
  }
  if (status === 429) {
    return new RealtimeError(
      "rate_limited",
      `Azure OpenAI is over its rate limit (HTTP 429)${detail}. Wait a moment, then retry.`,
      status,
      undefined,
      retryAfterMs(response.headers.get("Retry-After")),
    );
  }
  return new RealtimeError("rejected", `Azure OpenAI refused the connection (HTTP ${status})${detail}.`, status);
}

/** The API refused to mint a session: keep its status, code, message and Retry-After. */
function mintError(error: unknown): RealtimeError {
  if (error instanceof ApiError) {
    return new RealtimeError(
      "mint_failed",
      `Couldn't start an AI session: ${error.message}`,
      error.status || undefined,
      error.code,
      error.retryAfterMs,
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new RealtimeError("mint_failed", `Couldn't start an AI session: ${detail}`);
}

/**
 * Whether another attempt can succeed. Not when Azure refused the key, nor when the API refused the
 * mint for good: a 4xx other than 429 (no such call, bad request, forbidden; its client already
 * retried a 401 with a fresh token), or the assistant is not configured / Azure refused the API's key.
 */
function worthRetrying(error: RealtimeError): boolean {
  if (error.kind === "unauthorized") return false;
  if (error.kind !== "mint_failed") return true;
  if (error.code && PERMANENT_MINT_CODES.has(error.code)) return false;
  const status = error.status ?? 0;
  return !(status >= 400 && status < 500 && status !== 429 && status !== 408);
}

function asRealtimeError(error: unknown): RealtimeError {
  if (error instanceof RealtimeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RealtimeError("rejected", `The AI connection failed: ${message}`);
}
