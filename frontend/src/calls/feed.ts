/**
 * The call list as the workspace sees it: pushed over AppSync Events when config.json names an Events
 * endpoint, with one `GET /calls` after every (re)subscription and a slow safety-net poll; without one,
 * the fast poll alone, as before. Pushed calls are merged into the polled page by id, newest `updatedAt`
 * winning, so a late or duplicate event never rolls a call back. Every poll answer and every change of
 * the push channel is reported as the feed's health, so an alarm ends with the outage that raised it.
 */

import type { ApiClient } from "../api/client";
import type { Call } from "../api/types";
import { EventsSession, type EventsEndpoint, type SocketFactory } from "./events-client";
import { CallPoller, type PollAnswer } from "./poller";
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

/**
 * - `connecting`: no poll has answered yet.
 * - `healthy`: the last poll succeeded and push, if configured, is not known to be down.
 * - `degraded`: one path works and the other does not (polls fail while push is live, or push is down
 *   while fast polls work): the list is current or nearly so, not an outage.
 * - `down`: the last poll failed and no push channel is live: the list may be stale.
 */
export type FeedState = "connecting" | "healthy" | "degraded" | "down";

export interface FeedHealth {
  state: FeedState;
  /** When the service last answered (a poll, or the push channel coming live), ms since the epoch. */
  lastSuccessAt: number | null;
  /** The last poll's error while it is failing, else null. */
  error: unknown | null;
  push: "off" | "connecting" | "live" | "down";
}

export interface CallFeedHandlers {
  calls(calls: Call[], nextCursor: string | null): void;
  /** After every poll answer (200, 304, error) and every push connection change. */
  health(health: FeedHealth): void;
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
  private lastPoll: PollAnswer | null = null;
  private push: FeedHealth["push"];
  private lastSuccessAt: number | null = null;

  constructor(
    api: Pick<ApiClient, "listCalls">,
    private readonly handlers: CallFeedHandlers,
    options: CallFeedOptions,
  ) {
    const schedule = options.schedule ?? windowSchedule;
    this.poller = new CallPoller(
      api,
      { calls: (calls, cursor) => this.onPolled(calls, cursor), answered: (answer) => this.onPollAnswered(answer) },
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
            this.setPush("live");
            this.poller.setInterval(SAFETY_POLL_MS);
            // Close the gap: Events does not replay what we missed, and a poll sent before the
            // subscription may miss what was published since; hence fresh.
            void this.poller.pollNow({ fresh: true });
          },
          onDown: () => {
            this.setPush("down");
            this.poller.setInterval(FAST_POLL_MS);
            void this.poller.pollNow({ fresh: true }); // and refetch now: whatever the socket missed shows at once
          },
          socket: options.socket,
          random: options.random,
        })
      : null;
    this.push = this.session ? "connecting" : "off";
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

  /** Refetch now (after an action that changed a call). The push channel keeps its own backoff. */
  pollNow(): Promise<void> {
    return this.poller.pollNow();
  }

  /** The browser is back online: reconnect the push channel without waiting out its backoff, and refetch. */
  backOnline(): Promise<void> {
    this.session?.reconnectNow();
    return this.poller.pollNow();
  }

  get health(): FeedHealth {
    const poll = this.lastPoll;
    const pushLive = this.push === "live";
    let state: FeedState;
    if (poll === null) state = "connecting"; // the first page is what the agent must see first
    else if (!poll.ok) state = pushLive ? "degraded" : "down";
    else state = this.push === "down" ? "degraded" : "healthy";
    return { state, lastSuccessAt: this.lastSuccessAt, error: poll && !poll.ok ? poll.error : null, push: this.push };
  }

  private onPollAnswered(answer: PollAnswer): void {
    this.lastPoll = answer;
    if (answer.ok) this.lastSuccessAt = Date.now();
    this.handlers.health(this.health);
  }

  private setPush(push: FeedHealth["push"]): void {
    this.push = push;
    if (push === "live") this.lastSuccessAt = Date.now();
    this.handlers.health(this.health);
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
