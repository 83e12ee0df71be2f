/**
 * Keyboard shortcuts: Alt+Shift+letter, matched on the physical key (event.code), so they work on
 * every layout and do not take the single letters and arrows screen readers use for browsing. Not
 * while typing in a text field: on a Mac, Option+Shift+letter types a character there.
 */

export type ShortcutAction = "answer" | "muteAi" | "takeOver" | "hangUp";

export const SHORTCUTS: readonly { action: ShortcutAction; code: string; keys: string; what: string }[] = [
  { action: "answer", code: "KeyA", keys: "Alt+Shift+A", what: "answer the longest-waiting caller" },
  { action: "muteAi", code: "KeyM", keys: "Alt+Shift+M", what: "mute or unmute the AI's voice" },
  { action: "takeOver", code: "KeyT", keys: "Alt+Shift+T", what: "take over, or hand back to the AI" },
  { action: "hangUp", code: "KeyH", keys: "Alt+Shift+H", what: "hang up" },
];

export function keysFor(action: ShortcutAction): string {
  return SHORTCUTS.find((shortcut) => shortcut.action === action)?.keys ?? "";
}

type KeyPress = Pick<KeyboardEvent, "altKey" | "shiftKey" | "ctrlKey" | "metaKey" | "code" | "repeat" | "target">;

/** The action a key press asks for, or null. */
export function shortcutFor(event: KeyPress): ShortcutAction | null {
  if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey || event.repeat) return null;
  if (isTextField(event.target)) return null;
  return SHORTCUTS.find((shortcut) => shortcut.code === event.code)?.action ?? null;
}

function isTextField(target: EventTarget | null): boolean {
  if (typeof HTMLElement === "undefined" || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && !["radio", "checkbox", "button", "submit", "range"].includes(target.type);
}
