/** The call view: who is on the line, connection states, the audio mode and what it really does, transcript. */

import type { CallSession, CallView, Notice } from "../call/call-session";
import type { TranscriptEntry } from "../call/transcript";
import { statusLabel } from "../calls/describe";
import { DevicePicker } from "./devices";
import { h } from "./dom";
import { formatClockDuration, formatDuration, formatPhone, parseTypedNumber } from "./format";
import { applyMode, describeRouting, MODES, modeOf, type AudioMode } from "./mode";
import { keysFor } from "./shortcuts";

const MEETING_LABEL: Record<CallView["meeting"], string> = {
  connecting: "Connecting",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  poor: "Poor connection",
  left: "Disconnected",
};

const AI_LABEL: Record<CallView["ai"], string> = {
  connecting: "Connecting",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  failed: "Unavailable",
  closed: "Off",
};

export class CallPanel {
  readonly element: HTMLElement;
  private readonly title = h("h2", { id: "call-title", tabindex: "-1" });
  private readonly subtitle = h("p", { class: "call-subtitle" });
  private readonly meetingChip = h("span", { class: "chip" });
  private readonly aiChip = h("span", { class: "chip" });
  private readonly notices = h("div", { class: "notices" });
  private readonly ended = h("div", { class: "ended-banner", role: "status", hidden: true });
  private readonly controls: HTMLElement;
  private readonly modeInputs = new Map<AudioMode, HTMLInputElement>();
  private readonly mixStatus = h("div", { class: "mix-status", id: "mix-status" });
  /** Polite announcements of what changed in the routing (the status itself is not a live region). */
  private readonly announcer = h("div", { class: "visually-hidden", role: "status", "aria-atomic": "true" });
  private readonly meters: Record<"caller" | "ai" | "mic", HTMLMeterElement>;
  private readonly log = h("ol", { class: "transcript-log" });
  private readonly transcriptAnnouncer = h("div", { class: "visually-hidden", "aria-live": "polite" });
  private readonly transcriptRows = new Map<string, { element: HTMLLIElement; text: string; final: boolean }>();
  private readonly transferForm: HTMLFormElement;
  private readonly transferButton = h("button", { type: "submit", class: "button" }, "Transfer");
  private readonly endButtons: HTMLButtonElement[];
  private readonly hangUpButton: HTMLButtonElement;
  private readonly transferError = h("p", { class: "field-error", id: "transfer-error", hidden: true });
  private readonly endBar: HTMLElement;
  private readonly footer: HTMLElement;
  private readonly audioInfo = h("p", { class: "audio-info" });
  private readonly unsubscribe: () => void;
  private readonly meterTimer: ReturnType<typeof setInterval>;
  private lastNotices: readonly Notice[] | null = null;
  private lastSaid: string | null = null;
  private wasLive = true;
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  private view: CallView;

  constructor(
    private readonly session: CallSession,
    private readonly onClose: () => void,
    devices?: DevicePicker,
  ) {
    this.view = session.view;
    const meter = (id: string) => h("meter", { id, min: "0", max: "1", low: "0.02", high: "0.5", optimum: "0.2", value: "0" });
    this.meters = { caller: meter("meter-caller"), ai: meter("meter-ai"), mic: meter("meter-mic") };

    const options = MODES.map(({ mode, label, hint }) => {
      const input = h("input", {
        type: "radio",
        name: "audio-mode",
        value: mode,
        id: `mode-${mode}`,
        "aria-describedby": "mix-status",
        onchange: () => this.setMode(mode),
      });
      if (mode === "agent") input.setAttribute("aria-keyshortcuts", keysFor("takeOver"));
      this.modeInputs.set(mode, input);
      return h("label", { class: "mode-option", for: `mode-${mode}` }, input, h("span", { class: "mode-label" }, label), h("span", { class: "mode-hint" }, hint));
    });

    this.controls = h(
      "div",
      { class: "controls" },
      h("fieldset", { class: "modes" }, h("legend", null, "Who talks to the caller"), h("div", { class: "mode-options" }, options)),
      h(
        "div",
        { class: "meters" },
        h("label", { for: "meter-caller" }, "Caller"),
        this.meters.caller,
        h("label", { for: "meter-ai" }, "AI"),
        this.meters.ai,
        h("label", { for: "meter-mic" }, "You"),
        this.meters.mic,
      ),
      devices ? devices.element : null,
      h(
        "p",
        { class: "hint shortcut-hint" },
        `Keyboard: ${keysFor("takeOver")} take over or hand back · ${keysFor("muteAi")} mute or unmute the AI · ${keysFor("hangUp")} hang up.`,
      ),
    );

    const transferInput = h("input", {
      id: "transfer-to",
      type: "tel",
      name: "to",
      autocomplete: "off",
      inputmode: "tel",
      placeholder: "+1 206 555 0123",
      "aria-describedby": "transfer-error",
    });
    this.transferForm = h(
      "form",
      {
        class: "transfer",
        novalidate: true,
        onsubmit: (event: Event) => {
          event.preventDefault();
          void this.transfer(transferInput);
        },
      },
      h("label", { for: "transfer-to" }, "Transfer to"),
      h("div", { class: "inline-field" }, transferInput, this.transferButton),
      this.transferError,
    );

    const leaveButton = h(
      "button",
      { type: "button", class: "button", "data-focus-key": "leave", onclick: () => void session.leave() },
      "Return to queue",
    );
    this.hangUpButton = h(
      "button",
      {
        type: "button",
        class: "button danger",
        "data-focus-key": "hangup",
        "aria-keyshortcuts": keysFor("hangUp"),
        title: keysFor("hangUp"),
        onclick: () => void session.hangUp(),
      },
      session.kind === "test" ? "End test" : "Hang up",
    );
    leaveButton.hidden = session.kind !== "inbound";
    this.endButtons = [leaveButton, this.hangUpButton];
    this.transferForm.hidden = session.kind === "test";
    // Near the top: Hang up is reachable without scrolling on a tablet.
    this.endBar = h("div", { class: "end-buttons" }, leaveButton, this.hangUpButton);
    this.footer = h("div", { class: "call-actions" }, this.transferForm);

    this.element = h(
      "section",
      { class: "call-panel", "aria-labelledby": "call-title" },
      h(
        "header",
        { class: "call-header" },
        h("div", null, this.title, this.subtitle),
        h("div", { class: "chips" }, this.meetingChip, this.aiChip),
        this.endBar,
      ),
      this.ended,
      this.notices,
      this.controls,
      // Outside the controls: still there (saying the call is over) when they are gone.
      this.mixStatus,
      this.announcer,
      h(
        "div",
        { class: "transcript" },
        h("h3", { id: "transcript-title" }, "Transcript"),
        // A log region around the list: role=log on the <ol> itself would take its list semantics.
        h("div", { role: "log", "aria-live": "off", "aria-labelledby": "transcript-title", class: "transcript-scroll" }, this.log),
        this.transcriptAnnouncer,
      ),
      this.footer,
      h("details", { class: "diagnostics" }, h("summary", null, "Audio details"), this.audioInfo),
    );

    this.unsubscribe = session.subscribe((view) => this.render(view));
    this.meterTimer = setInterval(() => this.tick(), 100);
  }

  focus(): void {
    this.title.focus();
  }

  destroy(): void {
    this.unsubscribe();
    clearInterval(this.meterTimer);
    clearTimeout(this.announceTimer);
  }

  /** Keyboard shortcuts from the workspace; false when the call is over (nothing to do). */
  shortcut(action: "muteAi" | "takeOver" | "hangUp"): boolean {
    if (this.view.phase === "ended") return false;
    const mode = modeOf(this.view.mixer);
    if (action === "hangUp") void this.session.hangUp();
    else if (action === "takeOver") this.setMode(mode === "agent" ? "ai" : "agent");
    else this.setMode(mode === "ai" ? "listen" : mode === "listen" ? "ai" : mode === "both" ? "agent" : "both");
    return true;
  }

  private setMode(mode: AudioMode): void {
    if (this.view.phase === "ended") return;
    applyMode(this.session, mode);
  }

  private async transfer(input: HTMLInputElement): Promise<void> {
    const typed = parseTypedNumber(input.value);
    this.transferError.hidden = true;
    input.removeAttribute("aria-invalid");
    if (!typed.ok) {
      this.showTransferError(input, typed.reason);
      return;
    }
    try {
      await this.session.transfer(typed.e164);
      input.value = "";
    } catch (error) {
      this.showTransferError(input, error instanceof Error ? error.message : String(error));
    }
  }

  private showTransferError(input: HTMLInputElement, text: string): void {
    this.transferError.textContent = text;
    this.transferError.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  private render(view: CallView): void {
    this.view = view;
    const live = view.phase !== "ended";
    this.title.textContent = view.remoteNumber ? formatPhone(view.remoteNumber) : "Audio bridge test";
    this.renderSubtitle();

    this.meetingChip.textContent = `Call audio: ${MEETING_LABEL[view.meeting]}`;
    this.meetingChip.dataset.state = view.meeting;
    this.aiChip.textContent = `AI: ${AI_LABEL[view.ai]}`;
    this.aiChip.dataset.state = view.ai;

    const said = describeRouting(view);
    for (const [mode, input] of this.modeInputs) {
      input.checked = mode === said.mode;
      input.disabled = !live;
    }
    this.mixStatus.replaceChildren(
      h("p", { class: "hears-caller" }, said.callerHears),
      h("p", { class: "hears-ai" }, said.aiHears),
      h("p", { class: "hears-mic" }, said.mic),
    );
    this.mixStatus.dataset.mode = said.mode;
    this.mixStatus.dataset.ai = said.aiPresent ? "present" : "absent";
    const sentence = `${said.callerHears} ${said.aiHears}`;
    if (this.lastSaid !== null && this.lastSaid !== sentence && live) this.announce(sentence);
    this.lastSaid = sentence;
    this.controls.hidden = !live;
    this.controls.classList.toggle("taken-over", said.mode === "agent");

    // Once over, remedies for the live call (Retry AI, Retry microphone, "take over") no longer apply.
    const notices = live ? view.notices : view.notices.filter((notice) => !notice.action);
    if (view.notices !== this.lastNotices || !live) {
      this.lastNotices = view.notices;
      this.notices.replaceChildren(...notices.map((notice) => this.noticeRow(notice)));
    }
    this.renderTranscript(view.transcript, view.mixer.aiVoice === "muted");

    this.footer.hidden = !live;
    this.endBar.hidden = !live;
    // Nothing to transfer until the call is answered; Hang up / Return to queue cancel the start.
    this.transferButton.disabled = view.phase !== "live" || view.ending;
    // One ending at a time: no hang-up on top of a transfer, no leave after a hang-up.
    for (const button of this.endButtons) button.disabled = view.ending;
    this.ended.hidden = live;
    if (!live && this.wasLive) {
      // The banner (a status) says it now; a stale "the caller hears…" must not linger for screen readers.
      clearTimeout(this.announceTimer);
      this.announcer.textContent = "";
      const focusWasHere = !document.activeElement || document.activeElement === document.body || this.element.contains(document.activeElement);
      const duration = formatDuration((view.endedAt ?? Date.now()) - view.startedAt);
      const back = h("button", { type: "button", class: "button primary", "data-focus-key": "back", onclick: () => this.onClose() }, "Back to calls");
      this.ended.replaceChildren(
        h("p", null, h("strong", null, "Call ended. "), view.endedReason ?? "", ` Duration ${duration}.`),
        back,
      );
      // The button that ended it is gone: focus goes to the next thing to do, not the page body.
      if (focusWasHere) back.focus();
    }
    this.wasLive = live;
    const audio = view.audio;
    this.audioInfo.textContent =
      `Mixer at ${audio.sampleRate} Hz; base latency ${(audio.baseLatency * 1000).toFixed(1)} ms; ` +
      `output latency ${(audio.outputLatency * 1000).toFixed(1)} ms. ` +
      `To the caller: ${view.routes.toCaller}; to the AI: ${view.routes.toAi}.`;
    this.audioInfo.dataset.toCaller = view.routes.toCaller;
    this.audioInfo.dataset.toAi = view.routes.toAi;
  }

  private announce(text: string): void {
    // Cleared first: the same words set again are not announced again.
    this.announcer.textContent = "";
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => (this.announcer.textContent = text), 50);
  }

  private renderSubtitle(): void {
    const view = this.view;
    const parts: string[] = [];
    if (view.kind === "test") parts.push("Meeting without a phone leg");
    else parts.push(view.kind === "inbound" ? "Inbound" : "Outbound");
    if (view.call && view.phase !== "ended") parts.push(statusLabel(view.call));
    if (view.phase === "starting") parts.push("Connecting…");
    const end = view.endedAt ?? Date.now();
    parts.push(formatClockDuration(end - view.startedAt));
    this.subtitle.textContent = parts.join(" · ");
  }

  private noticeRow(notice: Notice): HTMLElement {
    const live = this.view.phase !== "ended";
    const action =
      live && notice.action === "retry-ai"
        ? h("button", { type: "button", class: "button small", onclick: () => this.session.retryAi() }, "Retry AI")
        : live && notice.action === "retry-mic"
          ? h("button", { type: "button", class: "button small", onclick: () => this.session.retryMic() }, "Retry microphone")
          : null;
    return h(
      "div",
      { class: `notice ${notice.level}`, role: notice.level === "error" ? "alert" : "status" },
      h("span", null, notice.text),
      action,
      h(
        "button",
        {
          type: "button",
          class: "icon-button",
          "aria-label": "Dismiss",
          onclick: () => {
            this.session.dismissNotice(notice.id);
            this.title.focus();
          },
        },
        "×",
      ),
    );
  }

  private renderTranscript(entries: readonly TranscriptEntry[], aiMuted: boolean): void {
    const wanted = new Set(entries.map((entry) => entry.id));
    for (const [id, row] of this.transcriptRows) {
      if (!wanted.has(id)) {
        row.element.remove();
        this.transcriptRows.delete(id);
      }
    }
    let previous: Element | null = null;
    for (const entry of entries) {
      let row = this.transcriptRows.get(entry.id);
      if (!row) {
        const element = h("li", null);
        row = { element, text: "", final: false };
        this.transcriptRows.set(entry.id, row);
      }
      if (row.text !== entry.text || row.final !== entry.final || !row.element.firstChild) {
        const speaker = entry.speaker === "caller" ? "Caller" : entry.suggestion ? "AI suggestion" : "AI";
        row.element.className = `line ${entry.speaker}${entry.suggestion ? " suggestion" : ""}${entry.final ? "" : " partial"}`;
        row.element.replaceChildren(
          h("span", { class: "speaker" }, speaker),
          h("span", { class: "words" }, entry.text || "…"),
        );
        if (entry.final && !row.final && entry.text) this.transcriptAnnouncer.textContent = `${speaker}: ${entry.text}`;
        row.text = entry.text;
        row.final = entry.final;
      }
      const expectedPosition: Element | null = previous ? previous.nextElementSibling : this.log.firstElementChild;
      if (expectedPosition !== row.element) {
        if (previous) previous.after(row.element);
        else this.log.prepend(row.element);
        row.element.scrollIntoView({ block: "nearest" });
      }
      previous = row.element;
    }
    this.log.classList.toggle("ai-muted", aiMuted);
    if (!entries.length && !this.log.firstElementChild) {
      this.log.dataset.empty = "true";
    } else {
      delete this.log.dataset.empty;
    }
  }

  private tick(): void {
    if (this.view.phase === "ended") return;
    const levels = this.session.bridge.levels();
    const said = describeRouting(this.view);
    // Speech RMS sits around 0.01–0.3: a square root spreads it across the meter. The meters show
    // what is sent: a closed mic or an absent AI reads zero, whatever the device picks up.
    this.meters.caller.value = Math.min(1, Math.sqrt(levels.caller));
    this.meters.ai.value = said.aiPresent ? Math.min(1, Math.sqrt(levels.ai)) : 0;
    this.meters.mic.value = said.micLive ? Math.min(1, Math.sqrt(levels.mic)) : 0;
    this.renderSubtitle();
  }
}
