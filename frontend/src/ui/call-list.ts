/** The queue: waiting, active and recent calls, updated in place so focus and timers survive polls. */

import type { Call } from "../api/types";
import { answeredByLabel, END_LABEL, remoteParty, statusLabel } from "../calls/describe";
import { h, restoreFocus } from "./dom";
import { formatClockDuration, formatDuration, formatPhone, formatWhen, newestFirst } from "./format";

export interface CallListActions {
  answer(call: Call): void;
  hangUpOrphan(call: Call): void;
  loadOlder(): void;
}

export interface CallListState {
  calls: Call[];
  /** The agent is in a call (or starting one): no second answer. */
  busy: boolean;
  /** Call ids this agent is answering right now (button shows progress). */
  answering: ReadonlySet<string>;
  /** The call shown in the call panel, not an orphan. */
  currentCallId: string | null;
  isMe(call: Call): boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
}

const RECENT_LIMIT = 25;

interface Section {
  key: "waiting" | "active" | "recent";
  title: string;
  empty: string;
  list: HTMLOListElement;
  count: HTMLElement;
  rows: Map<string, { signature: string; element: HTMLLIElement }>;
}

export class CallListView {
  readonly element: HTMLElement;
  private readonly sections: Section[];
  private readonly olderButton: HTMLButtonElement;

  constructor(private readonly actions: CallListActions) {
    const section = (key: Section["key"], title: string, empty: string): Section => ({
      key,
      title,
      empty,
      list: h("ol", { class: "call-list", "aria-labelledby": `calls-${key}` }),
      count: h("span", { class: "count" }),
      rows: new Map(),
    });
    this.sections = [
      section("waiting", "Waiting", "No one is waiting."),
      section("active", "Active", "No calls in progress."),
      section("recent", "Recent", "No calls yet."),
    ];
    this.olderButton = h("button", { type: "button", class: "link-button", onclick: () => this.actions.loadOlder() }, "Load older calls");
    this.element = h(
      "section",
      { class: "queue", "aria-labelledby": "queue-title" },
      h("h2", { id: "queue-title", class: "visually-hidden" }, "Calls"),
      this.sections.map((s) =>
        h(
          "div",
          { class: `queue-section queue-${s.key}` },
          // tabindex -1: focus lands here, by script only, when the agent comes back to an empty queue.
          h("h3", { id: `calls-${s.key}`, tabindex: "-1" }, s.title, " ", s.count),
          s.list,
        ),
      ),
      this.olderButton,
    );
  }

  /**
   * Back in the queue: the next caller's Answer button, else the Waiting heading. Not the dialer: in a
   * text field the shortcuts are off (Alt+Shift+A would type a character there on a Mac).
   */
  focusNext(): void {
    const next = this.element.querySelector<HTMLButtonElement>(".queue-waiting button.answer:not(:disabled)");
    (next ?? this.element.querySelector<HTMLElement>("#calls-waiting"))?.focus();
  }

  render(state: CallListState): void {
    const groups: Record<Section["key"], Call[]> = { waiting: [], active: [], recent: [] };
    for (const call of state.calls) {
      if (call.status === "ringing" && call.direction === "inbound") groups.waiting.push(call);
      else if (call.status === "ended") groups.recent.push(call);
      else groups.active.push(call);
    }
    // Longest wait first: the caller who has waited most is answered first.
    groups.waiting.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    groups.recent = newestFirst(groups.recent).slice(0, RECENT_LIMIT);

    for (const section of this.sections) {
      const calls = groups[section.key];
      section.count.textContent = calls.length ? `(${calls.length})` : "";
      this.renderSection(section, calls, state);
    }
    this.olderButton.hidden = !state.hasOlder;
    this.olderButton.disabled = state.loadingOlder;
    this.olderButton.textContent = state.loadingOlder ? "Loading…" : "Load older calls";
  }

  private renderSection(section: Section, calls: Call[], state: CallListState): void {
    const seen = new Set<string>();
    const elements: HTMLLIElement[] = [];
    for (const call of calls) {
      seen.add(call.id);
      const signature = JSON.stringify([call, state.busy, state.answering.has(call.id), state.currentCallId === call.id]);
      let row = section.rows.get(call.id);
      if (!row || row.signature !== signature) {
        row = { signature, element: this.row(call, state) };
        section.rows.set(call.id, row);
      }
      elements.push(row.element);
    }
    for (const id of [...section.rows.keys()]) if (!seen.has(id)) section.rows.delete(id);

    if (!elements.length) {
      section.list.replaceChildren(h("li", { class: "empty" }, section.empty));
      return;
    }
    const focusKey = document.activeElement?.getAttribute("data-focus-key") ?? null;
    const current = [...section.list.children];
    if (current.length !== elements.length || current.some((child, index) => child !== elements[index])) {
      section.list.replaceChildren(...elements);
      restoreFocus(section.list, focusKey);
    }
  }

  private row(call: Call, state: CallListState): HTMLLIElement {
    const number = formatPhone(remoteParty(call));
    const inbound = call.direction === "inbound";
    const mine = state.isMe(call);
    const holder = answeredByLabel(call, mine);
    let meta: (Node | string)[];
    let action: HTMLElement | null = null;

    if (call.status === "ringing" && inbound) {
      meta = ["Waiting ", since(call.createdAt)];
      const answering = state.answering.has(call.id);
      // The name starts with the visible text ("Answer", "Answering…"), so voice control finds it.
      action = h(
        "button",
        {
          type: "button",
          class: "button primary answer",
          "data-focus-key": `answer-${call.id}`,
          "aria-keyshortcuts": "Alt+Shift+A",
          disabled: state.busy || answering,
          onclick: () => this.actions.answer(call),
        },
        answering ? "Answering…" : "Answer",
        h("span", { class: "visually-hidden" }, ` call from ${number}`),
      );
    } else if (call.status === "ended") {
      const duration =
        call.answeredAt && call.endedAt ? formatDuration(Date.parse(call.endedAt) - Date.parse(call.answeredAt)) : null;
      const missed = inbound && !call.answeredAt;
      const reason = call.endReason ? END_LABEL[call.endReason] : "Ended";
      meta = [
        missed ? `Missed (${reason.toLowerCase()})` : reason,
        holder ? ` · ${holder}` : "",
        " · ",
        h("time", { datetime: call.createdAt }, formatWhen(call.createdAt)),
        duration ? ` · ${duration}` : "",
      ];
    } else {
      meta = [
        statusLabel(call),
        holder ? ` · ${holder}` : "",
        " · ",
        since(call.answeredAt ?? call.createdAt),
      ];
      if (mine && state.currentCallId !== call.id) {
        // Left over from a closed tab or a reload: let the agent end it.
        action = h(
          "button",
          {
            type: "button",
            class: "button danger subtle",
            "data-focus-key": `orphan-${call.id}`,
            "aria-label": `Hang up call with ${number}`,
            onclick: () => this.actions.hangUpOrphan(call),
          },
          "Hang up",
        );
      }
    }

    return h(
      "li",
      { class: `call-row status-${call.status}${mine ? " mine" : ""}`, "data-call-id": call.id },
      h("span", { class: `direction ${call.direction}`, "aria-hidden": "true" }, inbound ? "↙" : "↗"),
      h(
        "div",
        { class: "call-main" },
        h("span", { class: "number" }, number),
        h("span", { class: "meta" }, h("span", { class: "visually-hidden" }, inbound ? "Inbound. " : "Outbound. "), meta),
      ),
      action,
    );
  }
}

/** A duration that ticks (the workspace updates every [data-since] each second). */
function since(iso: string): HTMLElement {
  return h("time", { "data-since": iso, datetime: iso }, formatClockDuration(Date.now() - Date.parse(iso)));
}
