/**
 * The call list as the workspace sees it: pushed over AppSync Events when config.json names an Events
 * endpoint, with one `GET /calls` after every (re)subscription and a slow safety-net poll; without one,
 * the fast poll alone, as before. Pushed calls are merged into the polled page by id, newest `updatedAt`
 * winning, so a late or duplicate event never rolls a call back.
 */

import type { ApiClient } from "../api/client";
import type { Call } from "../api/types";
import { EventsSession, type EventsEndpoint, type SocketFactory } from "./events-client";
import { CallPoller, type CallPollerHandlers } from "./poller";
import { windowSchedule, type Schedule } from "./schedule";

/** Channels (lambdas/call_events/channels.py): every queue change, one subscription. */
export const QUEUE_SUBSCRIPTION = "/queue/*";
/** Polling without push, and while the push channel is down. */
export const FAST_POLL_MS = 1_500;
/** The safety net while push is live: it only catches what a lost event would leave stale. */
export const SAFETY_POLL_MS = 30_000;
const MAX_PUSHED = 200;

export interface CallFeedOptions {
  events: EventsEndpoint | null;
  token(): Promise<string>;
  schedule?: Schedule;
  socket?: SocketFactory;
  random?: () => number;
}

interface QueueEvent {
  kind?: string;
  call?: Call;
}

export class CallFeed {
  private readonly poller: CallPoller;
  private readonly session: EventsSession | null;
  private polled: Call[] = [];
  private cursor: string | null = null;
  private readonly pushed = new Map<string, Call>();
  private havePage = false;

  constructor(
    api: Pick<ApiClient, "listCalls">,
    private readonly handlers: CallPollerHandlers,
    options: CallFeedOptions,
  ) {
    const schedule = options.schedule ?? windowSchedule;
    this.poller = new CallPoller(
      api,
      { calls: (calls, cursor) => this.onPolled(calls, cursor), error: (error) => handlers.error(error) },
      FAST_POLL_MS,
      schedule,
    );
    this.session = options.events
      ? new EventsSession({
          endpoint: options.events,
          channels: [QUEUE_SUBSCRIPTION],
          token: options.token,
          onEvent: (_channel, event) => this.onPushed(event as QueueEvent),
          onLive: () => {
            this.poller.setInterval(SAFETY_POLL_MS);
            void this.poller.pollNow(); // close the gap: Events does not replay what we missed
          },
          onDown: () => {
            this.poller.setInterval(FAST_POLL_MS);
            void this.poller.pollNow(); // and refetch now: whatever the socket missed shows at once
          },
          socket: options.socket,
          random: options.random,
        })
      : null;
  }

  get pushConfigured(): boolean {
    return this.session !== null;
  }

  start(): void {
    this.poller.start();
    this.session?.start();
  }

  stop(): void {
    this.poller.stop();
    this.session?.stop();
  }

  pollNow(): Promise<void> {
    this.session?.reconnectNow();
    return this.poller.pollNow();
  }

  private onPolled(calls: Call[], cursor: string | null): void {
    this.polled = calls;
    this.cursor = cursor;
    this.havePage = true;
    const polledById = new Map(calls.map((call) => [call.id, call]));
    for (const [id, call] of this.pushed) {
      const polled = polledById.get(id);
      if (polled && polled.updatedAt >= call.updatedAt) this.pushed.delete(id);
    }
    this.emit();
  }

  private onPushed(event: QueueEvent): void {
    const call = event?.call;
    if (!call || typeof call.id !== "string" || typeof call.updatedAt !== "string") return;
    const known = this.pushed.get(call.id) ?? this.polled.find((c) => c.id === call.id);
    if (known && known.updatedAt > call.updatedAt) return; // stale or out of order
    this.pushed.set(call.id, call);
    if (this.pushed.size > MAX_PUSHED) this.pushed.delete(this.pushed.keys().next().value as string);
    if (this.havePage) this.emit(); // before the first page, the page is what the agent must see first
  }

  private emit(): void {
    const merged = new Map(this.polled.map((call) => [call.id, call]));
    for (const [id, call] of this.pushed) {
      const polled = merged.get(id);
      if (!polled || polled.updatedAt <= call.updatedAt) merged.set(id, call);
    }
    const calls = [...merged.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    this.handlers.calls(calls, this.cursor);
  }
}
