/** Test double for the Events WebSocket (imported by tests only, never by the app). */

import type { SocketLike } from "./events-client";

/** A fake WebSocket that records what the client sends; the test plays AppSync's side. */
export class FakeSocket implements SocketLike {
  static opened: FakeSocket[] = [];
  sent: Array<Record<string, unknown>> = [];
  closed = false;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.opened.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(): void {
    this.closed = true;
  }

  headers(): Record<string, string> {
    const encoded = (this.protocols[1] ?? "").replace(/^header-/, "").replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(encoded + "=".repeat((4 - (encoded.length % 4)) % 4)));
  }

  open(): void {
    this.onopen?.({});
  }

  receive(message: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  drop(code = 1006): void {
    this.onclose?.({ code });
  }

  subscribes(): Array<Record<string, unknown>> {
    return this.sent.filter((m) => m.type === "subscribe");
  }

  /** Play a healthy handshake and subscription; returns the subscription ids. */
  accept(timeoutMs = 300_000): string[] {
    this.open();
    this.receive({ type: "connection_ack", connectionTimeoutMs: timeoutMs });
    const ids = this.subscribes().map((m) => String(m.id));
    for (const id of ids) this.receive({ type: "subscribe_success", id });
    return ids;
  }
}

