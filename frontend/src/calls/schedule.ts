/**
 * A one-shot timer for polling that survives background tabs. Chrome throttles a hidden page's
 * timers to about once a minute after five minutes ("intensive throttling"); a new call would then
 * ring a minute late. Timers in a dedicated worker are not throttled that way.
 */

export type Schedule = (callback: () => void, ms: number) => () => void;

export const windowSchedule: Schedule = (callback, ms) => {
  const timer = setTimeout(callback, ms);
  return () => clearTimeout(timer);
};

export function backgroundSafeSchedule(): Schedule {
  let worker: Worker;
  try {
    worker = new Worker(new URL("./tick-worker.ts", import.meta.url), { type: "module" });
  } catch {
    return windowSchedule;
  }
  let pending: (() => void) | null = null;
  worker.onmessage = () => {
    const callback = pending;
    pending = null;
    callback?.();
  };
  return (callback, ms) => {
    pending = callback;
    worker.postMessage(ms);
    return () => {
      if (pending === callback) {
        pending = null;
        worker.postMessage(-1);
      }
    };
  };
}
