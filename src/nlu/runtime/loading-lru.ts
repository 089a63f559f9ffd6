/**
 * A bounded map, least recently used out first, whose misses load asynchronously.
 * Concurrent misses of one key share one load; a load overtaken by a `set` or `delete` of
 * its key (an activation, a deletion) does not replace what came after it: its value goes
 * to `discarded`. Values leave through `evicted` (bound exceeded) or are returned by
 * `set` (replaced) and `delete`; what happens to them then is the owner's business.
 */
export interface LruHooks<V> {
  evicted(key: string, value: V): void;
  discarded(key: string, value: V): void;
}

/** A load whose key was deleted while it ran (the value was discarded). */
export class DroppedWhileLoadingError extends Error {
  constructor(readonly key: string) {
    super(`${key} was dropped while it loaded`);
  }
}

export class LoadingLru<V> {
  /** insertion order is recency: the first key is the least recently used */
  private readonly map = new Map<string, V>();
  private readonly loading = new Map<string, { promise: Promise<V>; stale: boolean }>();

  constructor(
    private readonly bound: number,
    private readonly hooks: LruHooks<V>,
  ) {
    if (!(bound >= 1)) throw new Error(`bound must be at least 1, got ${bound}`);
  }

  get size(): number {
    return this.map.size;
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  /** The value without counting it as used. */
  peek(key: string): V | undefined {
    return this.map.get(key);
  }

  /** The value, counted as used. */
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  /** Stores `value` as the most recently used; returns the value it replaced. Evicts beyond the bound. */
  set(key: string, value: V): V | undefined {
    const previous = this.map.get(key);
    this.map.delete(key);
    this.map.set(key, value);
    const pending = this.loading.get(key);
    if (pending) pending.stale = true;
    for (const [k, v] of this.map) {
      if (this.map.size <= this.bound) break;
      if (k === key) continue;
      this.map.delete(k);
      this.hooks.evicted(k, v);
    }
    return previous === value ? undefined : previous;
  }

  delete(key: string): V | undefined {
    const value = this.map.get(key);
    this.map.delete(key);
    const pending = this.loading.get(key);
    if (pending) pending.stale = true;
    return value;
  }

  /** Resolves when no load of `key` is in progress (whatever its outcome). */
  async settled(key: string): Promise<void> {
    await this.loading.get(key)?.promise.catch(() => undefined);
  }

  /**
   * The value (counted as used) when there is a usable one, else the result of `load`,
   * shared by every caller that misses the key until it settles. A failed load is not kept.
   */
  getOrLoad(key: string, load: () => Promise<V>, usable: (value: V) => boolean = () => true): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined && usable(hit)) return Promise.resolve(hit);
    const pending = this.loading.get(key);
    if (pending) return pending.promise;
    const entry = { stale: false, promise: undefined as unknown as Promise<V> };
    entry.promise = (async () => {
      try {
        const value = await load();
        if (!entry.stale) {
          this.set(key, value);
          return value;
        }
        this.hooks.discarded(key, value);
        const current = this.get(key);
        if (current === undefined) throw new DroppedWhileLoadingError(key);
        return current;
      } finally {
        this.loading.delete(key);
      }
    })();
    this.loading.set(key, entry);
    return entry.promise;
  }
}
