/**
 * Busy states tied to the request that caused them ("Answering…" on a call's button): the state
 * starts with the request and ends when it settles, success or failure, and the view is told both
 * times, so a button never stays busy waiting for some later, unrelated re-render.
 */

export class BusyRequests<K> {
  private readonly pending = new Map<K, number>();

  constructor(private readonly changed: () => void) {}

  get ids(): ReadonlySet<K> {
    return new Set(this.pending.keys());
  }

  has(id: K): boolean {
    return this.pending.has(id);
  }

  /** Busy for `id` until `request` settles; hands back `request` unchanged. */
  track<T>(id: K, request: Promise<T>): Promise<T> {
    this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
    this.changed();
    const done = () => {
      const left = (this.pending.get(id) ?? 1) - 1;
      if (left > 0) this.pending.set(id, left);
      else this.pending.delete(id);
      this.changed();
    };
    return request.finally(done);
  }
}
