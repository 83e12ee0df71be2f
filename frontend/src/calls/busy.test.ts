import { describe, expect, it } from "vitest";
import { BusyRequests } from "./busy";

describe("BusyRequests: a busy state always ends with its request", () => {
  it("ends on success and on failure, and tells the view each time", async () => {
    const changes: string[][] = [];
    const busy = new BusyRequests<string>(() => changes.push([...busy.ids]));
    const ok = busy.track("a", Promise.resolve(1));
    expect(busy.has("a")).toBe(true);
    await expect(ok).resolves.toBe(1);
    expect(busy.has("a")).toBe(false);

    const failed = busy.track("b", Promise.reject(new Error("503")));
    await expect(failed).rejects.toThrow("503");
    expect(busy.has("b")).toBe(false);
    expect(changes).toEqual([["a"], [], ["b"], []]);
  });

  it("a second request for the same id does not end the first one's busy state early", async () => {
    const busy = new BusyRequests<string>(() => undefined);
    let finishFirst!: () => void;
    const first = busy.track("a", new Promise<void>((resolve) => (finishFirst = resolve)));
    await busy.track("a", Promise.resolve());
    expect(busy.has("a")).toBe(true);
    finishFirst();
    await first;
    expect(busy.has("a")).toBe(false);
  });
});
