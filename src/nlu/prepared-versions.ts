import type { PreparedNluModel } from './nlu.service';

/**
 * NLU versions another replica announced as trained, loaded here ahead of their activation
 * so that the activation only swaps them in. One that is not taken within `ttlMs` (never
 * activated: an activate: false run, or an explicit activation won) is discarded.
 */
export class PreparedVersions {
  private readonly loading = new Map<number, Promise<PreparedNluModel | undefined>>();

  constructor(
    private readonly ttlMs: number,
    private readonly discard: (prepared: PreparedNluModel) => void,
  ) {}

  /** Starts loading `version` unless it is loading already; a failed load resolves to undefined. */
  add(version: number, load: () => Promise<PreparedNluModel | undefined>): void {
    if (this.loading.has(version)) return;
    const loading = load();
    this.loading.set(version, loading);
    setTimeout(() => {
      if (this.loading.get(version) !== loading) return;
      this.loading.delete(version);
      void loading.then((p) => p && this.discard(p));
    }, this.ttlMs).unref();
  }

  /** The loaded version (undefined when none was prepared or its load failed); it is the caller's from then on. */
  async take(version: number): Promise<PreparedNluModel | undefined> {
    const loading = this.loading.get(version);
    this.loading.delete(version);
    return loading;
  }
}
