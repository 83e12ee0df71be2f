/// <reference lib="webworker" />
/** Timer thread for the poller: a dedicated worker's timers keep their pace in a hidden tab. */

let timer: ReturnType<typeof setTimeout> | undefined;

self.onmessage = (event: MessageEvent<number>) => {
  clearTimeout(timer);
  if (event.data >= 0) timer = setTimeout(() => self.postMessage("tick"), event.data);
};
