/** The call view: who is on the line, connection states, controls with visible state, transcript. */

import type { CallSession, CallView, Notice } from "../call/call-session";
import { isTakenOver, type MixerState } from "../call/mixer";
import type { TranscriptEntry } from "../call/transcript";
import { statusLabel } from "../calls/describe";
import { h } from "./dom";
import { formatDuration, formatPhone, normalizePhoneInput } from "./format";

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
  private readonly notices = h("ul", { class: "notices", "aria-live": "polite" });
  private readonly ended = h("div", { class: "ended-banner", role: "status", hidden: true });
  private readonly controls: HTMLElement;
  private readonly aiButton: HTMLButtonElement;
  private readonly micButton: HTMLButtonElement;
  private readonly takeOverButton: HTMLButtonElement;
  private readonly micToAi: HTMLInputElement;
  private readonly mixStatus = h("p", { class: "mix-status", id: "mix-status" });
  private readonly meters: Record<"caller" | "ai" | "mic", HTMLMeterElement>;
  private readonly log = h("ol", { class: "transcript-log", role: "log", "aria-live": "off", "aria-labelledby": "transcript-title" });
  private readonly transcriptAnnouncer = h("div", { class: "visually-hidden", "aria-live": "polite" });
  private readonly transcriptRows = new Map<string, { element: HTMLLIElement; text: string; final: boolean }>();
  private readonly transferForm: HTMLFormElement;
  private readonly transferButton = h("button", { type: "submit", class: "button" }, "Transfer");
  private readonly endButtons: HTMLButtonElement[];
  private readonly transferError = h("p", { class: "field-error", id: "transfer-error", hidden: true });
  private readonly footer: HTMLElement;
  private readonly audioInfo = h("p", { class: "audio-info" });
  private readonly unsubscribe: () => void;
  private readonly meterTimer: ReturnType<typeof setInterval>;
  private lastNotices: readonly Notice[] | null = null;
  private view: CallView;

  constructor(
    private readonly session: CallSession,
    private readonly onClose: () => void,
  ) {
    this.view = session.view;
    const toggle = (key: string, label: string, onclick: () => void) =>
      h(
        "button",
        { type: "button", class: "toggle", "data-focus-key": key, "aria-pressed": "false", "aria-describedby": "mix-status", onclick },
        label,
      );
    this.aiButton = toggle("ai", "AI voice", () => session.setAiVoice(this.view.mixer.aiVoice !== "on"));
    this.micButton = toggle("mic", "Microphone", () => session.setMic(this.view.mixer.mic !== "on"));
    this.takeOverButton = toggle("takeover", "Take over", () =>
      isTakenOver(this.view.mixer) ? session.handBack() : session.takeOver(),
    );
    this.micToAi = h("input", {
      type: "checkbox",
      id: "mic-to-ai",
      onchange: () => session.setMicToAi(this.micToAi.checked),
    });
    const meter = (id: string) => h("meter", { id, min: "0", max: "1", low: "0.02", high: "0.5", optimum: "0.2", value: "0" });
    this.meters = { caller: meter("meter-caller"), ai: meter("meter-ai"), mic: meter("meter-mic") };

    this.controls = h(
      "div",
      { class: "controls", role: "group", "aria-label": "Call controls" },
      h("div", { class: "toggles" }, this.aiButton, this.micButton, this.takeOverButton),
      this.mixStatus,
      h("label", { class: "checkbox", for: "mic-to-ai" }, this.micToAi, " Let the AI hear me"),
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
    );

    const transferInput = h("input", {
      id: "transfer-to",
      type: "tel",
      name: "to",
      autocomplete: "off",
      inputmode: "tel",
      placeholder: "+12065550123",
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
    const hangUpButton = h(
      "button",
      { type: "button", class: "button danger", "data-focus-key": "hangup", onclick: () => void session.hangUp() },
      session.kind === "test" ? "End test" : "Hang up",
    );
    leaveButton.hidden = session.kind !== "inbound";
    this.endButtons = [leaveButton, hangUpButton];
    this.transferForm.hidden = session.kind === "test";
    this.footer = h("div", { class: "call-actions" }, this.transferForm, h("div", { class: "end-buttons" }, leaveButton, hangUpButton));

    this.element = h(
      "section",
      { class: "call-panel", "aria-labelledby": "call-title" },
      h(
        "header",
        { class: "call-header" },
        h("div", null, this.title, this.subtitle),
        h("div", { class: "chips" }, this.meetingChip, this.aiChip),
      ),
      this.ended,
      this.notices,
      this.controls,
      h(
        "div",
        { class: "transcript" },
        h("h3", { id: "transcript-title" }, "Transcript"),
        this.log,
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
  }

  private async transfer(input: HTMLInputElement): Promise<void> {
    const to = normalizePhoneInput(input.value);
    this.transferError.hidden = true;
    input.removeAttribute("aria-invalid");
    if (!to) {
      this.showTransferError(input, "Enter the number in international format, e.g. +12065550123.");
      return;
    }
    try {
      await this.session.transfer(to);
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

    const mixer = view.mixer;
    const takenOver = isTakenOver(mixer);
    this.aiButton.setAttribute("aria-pressed", String(mixer.aiVoice === "on"));
    this.micButton.setAttribute("aria-pressed", String(mixer.mic === "on"));
    this.takeOverButton.setAttribute("aria-pressed", String(takenOver));
    this.mixStatus.textContent = describeMix(mixer);
    this.aiButton.classList.toggle("listening", mixer.callerSpeaking);
    this.micToAi.checked = mixer.micToAi;
    for (const control of [this.aiButton, this.micButton, this.takeOverButton, this.micToAi]) control.disabled = !live;
    this.controls.classList.toggle("taken-over", takenOver);

    if (view.notices !== this.lastNotices) {
      this.lastNotices = view.notices;
      this.notices.replaceChildren(...view.notices.map((notice) => this.noticeRow(notice)));
    }
    this.renderTranscript(view.transcript, mixer.aiVoice === "muted");

    this.footer.hidden = !live;
    // Nothing to transfer until the call is answered; Hang up / Return to queue cancel the start.
    this.transferButton.disabled = view.phase !== "live" || view.ending;
    // One ending at a time: no hang-up on top of a transfer, no leave after a hang-up.
    for (const button of this.endButtons) button.disabled = view.ending;
    this.ended.hidden = live;
    if (!live) {
      const duration = formatDuration((view.endedAt ?? Date.now()) - view.startedAt);
      this.ended.replaceChildren(
        h("p", null, h("strong", null, "Call ended. "), view.endedReason ?? "", ` Duration ${duration}.`),
        h("button", { type: "button", class: "button primary", "data-focus-key": "back", onclick: () => this.onClose() }, "Back to calls"),
      );
    }
    const audio = view.audio;
    this.audioInfo.textContent =
      `Mixer at ${audio.sampleRate} Hz; base latency ${(audio.baseLatency * 1000).toFixed(1)} ms; ` +
      `output latency ${(audio.outputLatency * 1000).toFixed(1)} ms. ` +
      `To the caller: ${view.routes.toCaller}; to the AI: ${view.routes.toAi}.`;
    this.audioInfo.dataset.toCaller = view.routes.toCaller;
    this.audioInfo.dataset.toAi = view.routes.toAi;
  }

  private renderSubtitle(): void {
    const view = this.view;
    const parts: string[] = [];
    if (view.kind === "test") parts.push("Meeting without a phone leg");
    else parts.push(view.kind === "inbound" ? "Inbound" : "Outbound");
    if (view.call && view.phase !== "ended") parts.push(statusLabel(view.call));
    if (view.phase === "starting") parts.push("Connecting…");
    const end = view.endedAt ?? Date.now();
    parts.push(formatDuration(end - view.startedAt));
    this.subtitle.textContent = parts.join(" · ");
  }

  private noticeRow(notice: Notice): HTMLLIElement {
    const action =
      notice.action === "retry-ai"
        ? h("button", { type: "button", class: "button small", onclick: () => this.session.retryAi() }, "Retry AI")
        : notice.action === "retry-mic"
          ? h("button", { type: "button", class: "button small", onclick: () => this.session.retryMic() }, "Retry microphone")
          : null;
    return h(
      "li",
      { class: `notice ${notice.level}`, role: notice.level === "error" ? "alert" : "status" },
      h("span", null, notice.text),
      action,
      h(
        "button",
        {
          type: "button",
          class: "icon-button",
          "aria-label": "Dismiss",
          onclick: () => this.session.dismissNotice(notice.id),
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
    // Speech RMS sits around 0.01–0.3: a square root spreads it across the meter.
    this.meters.caller.value = Math.min(1, Math.sqrt(levels.caller));
    this.meters.ai.value = Math.min(1, Math.sqrt(levels.ai));
    this.meters.mic.value = Math.min(1, Math.sqrt(levels.mic));
    this.renderSubtitle();
  }
}

/** The routing in words, under the toggles: what the caller hears, whether the agent is heard. */
function describeMix(mixer: MixerState): string {
  const mic = !mixer.micAvailable ? "Your microphone is unavailable." : mixer.mic === "on" ? "" : "Your microphone is off.";
  if (isTakenOver(mixer)) {
    return "You have the call: the caller hears you. The AI is muted and suggests replies in the transcript.";
  }
  if (mixer.aiVoice === "on") {
    const you = mixer.mic === "on" ? " and you" : "";
    return `The caller hears the AI${you}. ${mic}`.trim();
  }
  if (mixer.mic === "on") return "The caller hears you. The AI is muted.";
  return `The AI is muted and your microphone is off: the caller hears silence. ${mixer.micAvailable ? "" : mic}`.trim();
}
