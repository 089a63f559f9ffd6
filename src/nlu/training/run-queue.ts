/** Thrown to a task whose signal aborted while it waited for its turn. */
export class QueueAbortedError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('aborted while queued');
  }
}

/**
 * At most `limit` tasks run at once (NLU training child processes across projects); the
 * others wait in the order they came.
 */
export class RunQueue {
  private running = 0;
  private readonly waiting: { start: () => void; signal?: AbortSignal; onAbort?: () => void }[] = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`limit must be at least 1, got ${limit}`);
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `task` once a slot is free (rejects with QueueAbortedError when `signal` aborts while it waits). */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.running--;
      this.next();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new QueueAbortedError());
    if (this.running < this.limit && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: (typeof this.waiting)[number] = { start: resolve, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new QueueAbortedError());
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiting.push(waiter);
    });
  }

  private next(): void {
    while (this.running < this.limit && this.waiting.length) {
      const w = this.waiting.shift()!;
      if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      this.running++;
      w.start();
    }
  }
}
