/** The signed-in screen: the queue on the left, the call (or dialer) on the right. */

import { ApiError, type ApiClient } from "../api/client";
import type { Call } from "../api/types";
import type { Auth, AuthError } from "../auth/auth";
import type { CallKind, CallSession as CallSessionType, JoinSource } from "../call/call-session";
import { isAnsweredBy, remoteParty } from "../calls/describe";
import type { EventsEndpoint } from "../calls/events-client";
import { BusyRequests } from "../calls/busy";
import { CallFeed, type FeedHealth } from "../calls/feed";
import { backgroundSafeSchedule } from "../calls/schedule";
import { CallAlerts } from "./alerts";
import { CallGate } from "./call-gate";
import { CallListView } from "./call-list";
import type { CallPanel as CallPanelType } from "./call-panel";
import { connectionLabel } from "./connection";
import { h } from "./dom";
import { formatClockDuration, formatPhone, parseTypedNumber, setLineNumber } from "./format";
import { shortcutFor, SHORTCUTS } from "./shortcuts";
import { brand } from "./screens";

/** The call screen and its audio code load with the first call, not with the sign-in page. */
const loadCallModules = () => Promise.all([import("../call/call-session"), import("./call-panel"), import("./devices")]);

const PLACE_CALL_ERRORS: Record<string, string> = {
  invalid_number: "That is not a valid phone number. Use international format, e.g. +12065550123.",
  destination_not_allowed: "Calls to that number are not allowed from this line.",
  rate_limited: "Too many calls placed just now. Wait a moment and try again.",
};

export class Workspace {
  private readonly root: HTMLElement;
  private readonly poller: CallFeed;
  private readonly list: CallListView;
  private readonly alerts: CallAlerts;
  /** What the agent hears (caller + AI), played by a media element so echo cancellation covers it. */
  private readonly monitor = h("audio", { id: "agent-monitor", class: "visually-hidden", "aria-hidden": "true" });
  private readonly stage = h("div", { class: "stage" });
  private readonly queueAlert = h("div", { class: "queue-alert", role: "alert", tabindex: "-1" });
  /** A status, from the feed's health after every poll answer and push change; announced politely when it changes. */
  private readonly connection = h("span", { class: "connection", role: "status", "data-state": "connecting" }, "Connecting…");
  private readonly soundButton: HTMLButtonElement;
  private readonly notifyButton: HTMLButtonElement;
  private readonly sessionBanner = h("div", { class: "session-banner", role: "alert", hidden: true });
  private readonly idle: HTMLElement;
  private readonly dialInput: HTMLInputElement;
  private readonly dialError = h("p", { class: "field-error", id: "dial-error", hidden: true });
  private readonly dialButton: HTMLButtonElement;
  private readonly testButton: HTMLButtonElement;
  private calls: Call[] = [];
  private older: Call[] = [];
  private nextCursor: string | null = null;
  private loadingOlder = false;
  private olderLoaded = false;
  private readonly knownWaiting = new Set<string>();
  /** "Answering…" lasts as long as the answer request, success or failure, and no longer. */
  private readonly answering = new BusyRequests<string>(() => this.renderList());
  private session: CallSessionType | null = null;
  private panel: CallPanelType | null = null;
  /** Answering, dialing, testing and signing out exclude each other. */
  private readonly gate = new CallGate(() => this.inCall);
  private firstList = true;
  private signedOut = false;

  constructor(
    private readonly container: HTMLElement,
    private readonly api: ApiClient,
    private readonly auth: Auth,
    events: EventsEndpoint | null = null,
  ) {
    const agent = auth.agent;
    const announcer = h("div", { class: "visually-hidden", "aria-live": "assertive", "aria-atomic": "true" });
    this.alerts = new CallAlerts(announcer, (blocked) => (this.soundButton.hidden = !blocked));
    this.soundButton = h(
      "button",
      { type: "button", class: "button small", hidden: true, onclick: () => this.alerts.unlockSound() },
      "Turn on call sound",
    );
    this.notifyButton = h(
      "button",
      { type: "button", class: "button small", hidden: !this.alerts.canAskForNotifications(), onclick: () => void this.askForNotifications() },
      "Notify me of calls",
    );
    this.list = new CallListView({
      answer: (call) => this.answer(call),
      hangUpOrphan: (call) => void this.hangUpOrphan(call),
      loadOlder: () => void this.loadOlder(),
    });

    this.dialInput = h("input", {
      id: "dial-to",
      type: "tel",
      name: "to",
      inputmode: "tel",
      autocomplete: "tel",
      placeholder: "+1 206 555 0123",
      required: true,
      "aria-describedby": "dial-hint dial-error",
    });
    this.dialButton = h("button", { type: "submit", class: "button primary" }, "Call");
    this.testButton = h(
      "button",
      { type: "button", class: "button", onclick: () => this.startTest() },
      "Start audio test",
    );
    this.idle = h(
      "section",
      { class: "idle", "aria-labelledby": "dial-title" },
      h("h2", { id: "dial-title" }, "Place a call"),
      h(
        "form",
        {
          class: "dial",
          novalidate: true,
          onsubmit: (event: Event) => {
            event.preventDefault();
            this.placeCall();
          },
        },
        h("label", { for: "dial-to" }, "Phone number"),
        h("div", { class: "inline-field" }, this.dialInput, this.dialButton),
        h("p", { class: "hint", id: "dial-hint" }, "International format with country code. The AI joins the call; take over at any time."),
        this.dialError,
      ),
      h("h2", { class: "secondary-title" }, "Try the audio bridge"),
      h(
        "p",
        { class: "hint" },
        "Starts a meeting with no phone on the other end: hear the AI and check your microphone before taking calls.",
      ),
      this.testButton,
    );

    this.root = h(
      "div",
      { class: "workspace" },
      h(
        "header",
        { class: "topbar" },
        h("h1", { class: "brand-heading" }, brand(), h("span", { class: "visually-hidden" }, " workspace")),
        this.connection,
        h(
          "div",
          { class: "account" },
          this.soundButton,
          this.notifyButton,
          h("span", { class: "agent-name" }, agent?.email ?? ""),
          h("button", { type: "button", class: "button subtle", onclick: () => this.signOut() }, "Sign out"),
        ),
      ),
      this.sessionBanner,
      h("main", { class: "layout" }, h("div", { class: "queue-column" }, this.queueAlert, this.list.element), this.stage),
      h(
        "details",
        { class: "shortcuts" },
        h("summary", null, "Keyboard shortcuts"),
        h("dl", null, SHORTCUTS.flatMap((shortcut) => [h("dt", null, h("kbd", null, shortcut.keys)), h("dd", null, shortcut.what)])),
      ),
      announcer,
      this.monitor,
    );
    this.queueAlert.hidden = true;
    this.poller = new CallFeed(
      api,
      {
        calls: (calls, nextCursor) => this.onCalls(calls, nextCursor),
        health: (health) => this.onHealth(health),
      },
      { events, token: () => auth.apiToken(), schedule: backgroundSafeSchedule() },
    );
  }

  start(): void {
    this.container.replaceChildren(this.root);
    this.showIdle();
    this.renderList();
    this.poller.start();
    setInterval(() => this.tickTimers(), 1000);
    // Any first interaction unlocks the chime (the page came back from sign-in without a gesture).
    const unlock = () => this.alerts.unlockSound();
    addEventListener("pointerdown", unlock, { once: true });
    addEventListener("keydown", unlock, { once: true });
    addEventListener("keydown", (event: KeyboardEvent) => this.onShortcut(event));
    addEventListener("pagehide", () => this.session?.sendOnUnload());
    // Back online: reconnect and refresh the queue now rather than at the end of the backoffs.
    addEventListener("online", () => void this.poller.backOnline());
    addEventListener("beforeunload", (event) => {
      if (this.inCall) event.preventDefault();
    });
    this.auth.onSignedOut((error) => this.onSignedOut(error));
  }

  /**
   * On a call: a session that has not ended. An ended call's summary may stay on screen until
   * "Back to calls", but the agent is free: new calls chime and can be answered.
   */
  private get inCall(): boolean {
    return this.session !== null && this.session.view.phase !== "ended";
  }

  // ---- the queue ----

  private onCalls(calls: Call[], nextCursor: string | null): void {
    this.calls = calls;
    // The line's own number: its country's numbers are shown in national format.
    const any = calls[0];
    if (any) setLineNumber(any.direction === "inbound" ? any.to : any.from);
    if (!this.olderLoaded) this.nextCursor = nextCursor;

    const waiting = calls.filter((call) => call.status === "ringing" && call.direction === "inbound");
    const fresh = waiting.filter((call) => !this.knownWaiting.has(call.id));
    this.knownWaiting.clear();
    for (const call of waiting) this.knownWaiting.add(call.id);
    if (fresh.length) {
      const first = fresh[0] as Call;
      this.alerts.announce(
        fresh.length === 1
          ? `New call from ${formatPhone(first.from)}`
          : `${fresh.length} new calls waiting`,
      );
      // No chime during a call: Web Audio output is not echo-cancelled and would reach the caller.
      if (!this.inCall) this.alerts.chime();
      if (!this.inCall) this.alerts.notifyIfHidden(`Call from ${formatPhone(first.from)}`, fresh.length > 1 ? `${fresh.length} callers waiting` : "Waiting for an agent");
    } else if (this.firstList && waiting.length === 0) {
      this.alerts.announce("No calls waiting.");
    }
    this.firstList = false;
    this.alerts.setWaiting(waiting.length);

    const current = this.session?.callId;
    const mine = current ? calls.find((call) => call.id === current) : undefined;
    if (mine) this.session?.callUpdated(mine);
    this.renderList();
  }

  /** Every poll answer (a 304 too) and push change: an alarm ends with the answer that ends the outage. */
  private onHealth(health: FeedHealth): void {
    if (this.signedOut) return;
    const [state, text] = connectionLabel(health);
    // Only real changes: the status region announces whatever is written to it.
    if (this.connection.dataset.state !== state) this.connection.dataset.state = state;
    if (this.connection.textContent !== text) this.connection.textContent = text;
  }

  private renderList(): void {
    const ids = new Set(this.calls.map((call) => call.id));
    const agent = this.auth.agent;
    this.list.render({
      calls: [...this.calls, ...this.older.filter((call) => !ids.has(call.id))],
      busy: this.gate.busy,
      answering: this.answering.ids,
      currentCallId: this.session?.view.phase === "ended" ? null : (this.session?.callId ?? null),
      isMe: (call) => isAnsweredBy(call, agent),
      hasOlder: this.nextCursor !== null,
      loadingOlder: this.loadingOlder,
    });
  }

  private async loadOlder(): Promise<void> {
    if (!this.nextCursor || this.loadingOlder) return;
    this.loadingOlder = true;
    this.renderList();
    try {
      const result = await this.api.listCalls({ cursor: this.nextCursor });
      if (!result.notModified) {
        this.older = [...this.older, ...result.page.calls];
        this.nextCursor = result.page.nextCursor;
        this.olderLoaded = true;
      }
    } catch (error) {
      this.showQueueAlert(`Couldn't load older calls: ${messageOf(error)}`);
    } finally {
      this.loadingOlder = false;
      this.renderList();
    }
  }

  private showQueueAlert(text: string): void {
    // The control that led here may be gone (an Answer button for a call that was taken): focus
    // goes to the explanation rather than the page body.
    const focusLost = !document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected;
    this.queueAlert.replaceChildren(
      h("span", null, text),
      h("button", { type: "button", class: "icon-button", "aria-label": "Dismiss", onclick: () => (this.queueAlert.hidden = true) }, "×"),
    );
    this.queueAlert.hidden = false;
    if (focusLost) this.queueAlert.focus();
  }

  private tickTimers(): void {
    const now = Date.now();
    for (const element of this.root.querySelectorAll<HTMLElement>("[data-since]")) {
      element.textContent = formatClockDuration(now - Date.parse(element.dataset.since ?? ""));
    }
  }

  // ---- starting calls ----

  private answer(call: Call): void {
    if (!this.gate.canStart) return;
    // Busy from the click until the answer request settles (or the session fails before sending it).
    let settled!: () => void;
    void this.answering.track(call.id, new Promise<void>((resolve) => (settled = resolve)));
    this.queueAlert.hidden = true;
    void this.runSession("inbound", call.from, async () => {
      try {
        const answered = await this.api.answer(call.id);
        void this.poller.pollNow(); // the row moves to Active now, not when the audio is up
        return { joinInfo: answered, call: answered.call };
      } finally {
        settled();
      }
    })
      .catch((error: unknown) => {
        const number = formatPhone(call.from);
        if (error instanceof ApiError && error.code === "call_taken") {
          this.showQueueAlert(`Another agent answered ${number} first.`);
        } else if (error instanceof ApiError && error.code === "call_not_ringing") {
          this.showQueueAlert(`${number} hung up before you answered.`);
        } else {
          this.showQueueAlert(`Couldn't answer ${number}: ${messageOf(error)}`);
        }
      })
      .finally(() => {
        settled();
        void this.poller.pollNow();
      });
  }

  private placeCall(): void {
    if (!this.gate.canStart) return;
    this.dialError.hidden = true;
    this.dialInput.removeAttribute("aria-invalid");
    const typed = parseTypedNumber(this.dialInput.value);
    if (!typed.ok) {
      this.showDialError(typed.reason);
      return;
    }
    const to = typed.e164;
    void this.runSession("outbound", to, async () => {
      const placed = await this.api.placeCall(to);
      return { joinInfo: placed, call: placed.call };
    })
      .then(() => (this.dialInput.value = ""))
      .catch((error: unknown) => {
        const known = error instanceof ApiError ? PLACE_CALL_ERRORS[error.code] : undefined;
        this.showDialError(known ?? `Couldn't place the call: ${messageOf(error)}`);
      })
      .finally(() => void this.poller.pollNow());
  }

  private startTest(): void {
    if (!this.gate.canStart) return;
    void this.runSession("test", null, async () => ({ joinInfo: await this.api.createMeeting(), call: null })).catch(
      (error: unknown) => this.showQueueAlert(`Couldn't start the audio test: ${messageOf(error)}`),
    );
  }

  private showDialError(text: string): void {
    this.dialError.textContent = text;
    this.dialError.hidden = false;
    this.dialInput.setAttribute("aria-invalid", "true");
    this.dialInput.focus();
  }

  /**
   * Runs inside the click/submit: the AudioContext must be created before the first await, or the
   * browser keeps it suspended. The call modules are loaded while the API answers.
   */
  private async runSession(kind: CallKind, remoteNumber: string | null, obtainJoin: JoinSource): Promise<void> {
    this.gate.starting = true;
    this.setStartButtons(false);
    this.renderList();
    // WebRTC's audio runs at 48 kHz: a mixer at the same rate needs no resampler where the legs'
    // tracks enter it and its outputs leave (the monitor plays through an <audio> element, not
    // the context's own output).
    const context = new AudioContext({ latencyHint: "interactive", sampleRate: 48_000 });
    // The previous call's summary, if still shown, makes way for the new call.
    this.panel?.destroy();
    this.panel = null;
    this.session = null;
    try {
      const [{ CallSession }, { CallPanel }, { DevicePicker, preferredMicConstraints }] = await loadCallModules();
      const session = new CallSession(this.api, kind, this.monitor, remoteNumber, context, {
        getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(preferredMicConstraints(constraints)),
      });
      this.session = session;
      // When this call ends, the queue's Answer buttons come back at once.
      let lastPhase = session.view.phase;
      session.subscribe((view) => {
        if (view.phase !== lastPhase && this.session === session) {
          lastPhase = view.phase;
          this.renderList();
        }
      });
      const panel = new CallPanel(session, () => this.closeSession(), new DevicePicker(this.monitor, () => session.retryMic()));
      this.panel = panel;
      this.stage.replaceChildren(panel.element);
      panel.focus();
      try {
        await session.start(obtainJoin);
      } catch (error) {
        this.closeSession();
        throw error;
      }
    } catch (error) {
      if (context.state !== "closed") await context.close().catch(() => undefined);
      throw error;
    } finally {
      this.gate.starting = false;
      this.setStartButtons(true);
      this.renderList();
    }
  }

  private closeSession(): void {
    const session = this.session;
    this.panel?.destroy();
    this.panel = null;
    this.session = null;
    if (session && session.view.phase !== "ended") void session.finish(null);
    this.showIdle();
    this.renderList();
    this.list.focusNext();
    void this.poller.pollNow();
  }

  private showIdle(): void {
    this.stage.replaceChildren(this.idle);
  }

  private setStartButtons(enabled: boolean): void {
    this.dialButton.disabled = !enabled;
    this.testButton.disabled = !enabled;
  }

  private async hangUpOrphan(call: Call): Promise<void> {
    try {
      await this.api.hangup(call.id);
    } catch (error) {
      this.showQueueAlert(`Couldn't hang up ${formatPhone(remoteParty(call))}: ${messageOf(error)}`);
    }
    void this.poller.pollNow();
  }

  // ---- keyboard and notifications ----

  private onShortcut(event: KeyboardEvent): void {
    const action = shortcutFor(event);
    if (!action) return;
    if (action === "answer") {
      const next = this.root.querySelector<HTMLButtonElement>(".queue-waiting button.answer:not(:disabled)");
      if (!next) return;
      event.preventDefault();
      next.click();
      return;
    }
    if (this.panel?.shortcut(action)) event.preventDefault();
  }

  /** Asked once, from this click; the button goes away whatever the agent answers. */
  private async askForNotifications(): Promise<void> {
    const granted = await this.alerts.askForNotifications();
    this.notifyButton.hidden = true;
    this.alerts.announce(granted ? "Desktop notifications are on for new calls." : "Desktop notifications stay off.");
    this.list.focusNext(); // the button is gone; not the dialer, where the shortcuts are off
  }

  // ---- account ----

  private signOut(): void {
    const refused = this.gate.beginSignOut();
    if (refused) {
      this.showQueueAlert(refused);
      return;
    }
    this.setStartButtons(false);
    this.renderList();
    this.poller.stop();
    void this.auth.signOut(); // revokes the refresh token, then leaves for the logout page whatever happens
  }

  private onSignedOut(error: AuthError): void {
    this.signedOut = true;
    this.poller.stop();
    this.sessionBanner.replaceChildren(
      h("span", null, error.message),
      h("button", { type: "button", class: "button small", onclick: () => void this.auth.beginSignIn() }, "Sign in again"),
    );
    this.sessionBanner.hidden = false;
    this.connection.dataset.state = "offline";
    this.connection.textContent = "Signed out";
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
