/**
 * Polls the call list with If-None-Match: reports the list when it changed, and every answer (200,
 * 304 or an error) so the view's idea of the service's health never outlives the poll that changed it.
 */

import type { ApiClient } from "../api/client";
import type { Call } from "../api/types";
import { windowSchedule, type Schedule } from "./schedule";

/** One poll's answer: a 200 (`changed`) or 304, or the error it failed with. */
export type PollAnswer = { ok: true; changed: boolean } | { ok: false; error: unknown };

export interface CallPollerHandlers {
  calls(calls: Call[], nextCursor: string | null): void;
  /** After every poll, whatever it answered (after `calls` for a changed list). */
  answered(answer: PollAnswer): void;
}

export class CallPoller {
  private etag: string | null = null;
  private cancelTimer: () => void = () => undefined;
  private running = false;
  private inFlight: Promise<void> | null = null;
  /** The poll that follows the one in flight, for `pollNow({ fresh: true })`. */
  private followUp: Promise<void> | null = null;
  private failures = 0;

  constructor(
    private readonly api: Pick<ApiClient, "listCalls">,
    private readonly handlers: CallPollerHandlers,
    private intervalMs = 1500,
    private readonly schedule: Schedule = windowSchedule,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.pollNow();
  }

  stop(): void {
    this.running = false;
    this.cancelTimer();
  }

  /** Change the beat (the push channel slows it to a safety net while it is live); the next wait uses it. */
  setInterval(ms: number): void {
    this.intervalMs = ms;
  }

  /**
   * Poll at once (after an action that changed a call), then continue on the usual beat. A poll in
   * flight is shared, unless `fresh`: the answer must reflect everything up to now (after a
   * (re)subscription, a poll sent before it can miss what was published in between), so one more
   * poll follows the one in flight, shared by every fresh asker meanwhile.
   */
  pollNow(options: { fresh?: boolean } = {}): Promise<void> {
    if (this.inFlight && options.fresh) {
      this.followUp ??= this.inFlight.then(() => {
        this.followUp = null;
        return this.running ? this.pollNow() : undefined;
      });
      return this.followUp;
    }
    if (this.inFlight) return this.inFlight;
    this.cancelTimer();
    this.inFlight = this.poll().finally(() => {
      this.inFlight = null;
      if (this.running) this.cancelTimer = this.schedule(() => void this.pollNow(), this.nextDelay());
    });
    return this.inFlight;
  }

  private async poll(): Promise<void> {
    let answer: PollAnswer;
    try {
      // A request that hangs is aborted by the API client's timeout, so a poll always settles.
      const result = await this.api.listCalls({ etag: this.etag });
      if (!this.running) return;
      this.failures = 0;
      if (!result.notModified) {
        this.etag = result.etag;
        this.handlers.calls(result.page.calls, result.page.nextCursor);
      }
      answer = { ok: true, changed: !result.notModified };
    } catch (error) {
      if (!this.running) return;
      this.failures += 1;
      answer = { ok: false, error };
    }
    this.handlers.answered(answer);
  }

  private nextDelay(): number {
    if (!this.failures) return this.intervalMs;
    return Math.min(10_000, this.intervalMs * 2 ** Math.min(this.failures, 4));
  }
}
