/**
 * New-call alerts: a short chime, a "(n)" title badge, a screen-reader announcement, and a desktop
 * notification while the tab is hidden (permission asked once, from a click, never on load).
 */

const BASE_TITLE = "Calldesk";

export class CallAlerts {
  private context: AudioContext | null = null;

  constructor(
    private readonly announcer: HTMLElement,
    private readonly onSoundBlocked: (blocked: boolean) => void,
  ) {}

  /** `n` callers waiting: "(n) Calls waiting · Calldesk", or the plain title. */
  setWaiting(count: number): void {
    document.title = count > 0 ? `(${count}) ${count === 1 ? "Call" : "Calls"} waiting · ${BASE_TITLE}` : BASE_TITLE;
  }

  announce(text: string): void {
    // Re-setting the same text is not announced again; clear first.
    this.announcer.textContent = "";
    setTimeout(() => (this.announcer.textContent = text), 50);
  }

  /** Browsers start audio only after a gesture; call from a click to unlock the chime. */
  unlockSound(): void {
    const context = this.ensureContext();
    void context.resume().then(() => this.onSoundBlocked(context.state !== "running"));
  }

  /** Two rising notes, 0.35 s. Silent (and reported) while the browser blocks audio. */
  chime(): void {
    const context = this.ensureContext();
    if (context.state !== "running") {
      this.onSoundBlocked(true);
      void context.resume().then(() => this.onSoundBlocked(context.state !== "running"));
      return;
    }
    const start = context.currentTime + 0.01;
    [660, 880].forEach((frequency, index) => {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      const at = start + index * 0.16;
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(0.2, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.001, at + 0.18);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.2);
    });
  }

  /** Whether to offer the "Notify me" button: the browser has notifications and nobody asked yet. */
  canAskForNotifications(): boolean {
    return typeof Notification === "function" && Notification.permission === "default";
  }

  /** Call from a click only: browsers ignore (or hold against the site) a request without a gesture. */
  async askForNotifications(): Promise<boolean> {
    if (typeof Notification !== "function") return false;
    return (await Notification.requestPermission()) === "granted";
  }

  /** A desktop notification, only while the tab is hidden (in view, the chime and the list do it). */
  notifyIfHidden(title: string, body: string): void {
    if (!document.hidden || typeof Notification !== "function" || Notification.permission !== "granted") return;
    const notification = new Notification(title, { body, tag: "calldesk-ringing", icon: "/favicon.svg" });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
  }

  private ensureContext(): AudioContext {
    this.context ??= new AudioContext();
    return this.context;
  }
}
