/**
 * Group commit for one statement that serves many callers: a call made while a batch is in
 * flight joins the next batch, so concurrent turns share one round trip (on the single embedded
 * PGlite connection a statement costs ~3 ms whether it writes one session's turn or sixteen)
 * while a lone call waits for nothing but the end of the event loop's current phase. Each caller is answered when its batch
 * has finished, i.e. once its own write is durable. A batch holds at most one call per key (the
 * statement updates each session's row once); a second call for the same key waits for the next.
 * When a batch fails (one turn's reused message id, a deadlock between two replicas' batches on
 * Postgres), the statement has written nothing and each call of it runs again on its own, so an
 * error is only the call's that caused it.
 */
export type BatchRun<I, O> = (items: I[]) => Promise<O[]>;

interface Pending<I, O> {
  key: string;
  item: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

export class GroupBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private running = false;

  /** `run` answers each item, in order, in one atomic statement. */
  constructor(
    private readonly run: BatchRun<I, O>,
    private readonly maxBatch = 64,
  ) {}

  submit(key: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ key, item, resolve, reject });
      this.schedule();
    });
  }

  /**
   * The next batch runs after the event loop's current I/O phase (setImmediate), not at once: an
   * embedded PGlite statement runs synchronously and blocks the loop, so requests only reach the
   * queue between statements; every one that arrived in the same phase joins the batch.
   */
  private schedule(): void {
    if (this.running || !this.queue.length) return;
    this.running = true;
    setImmediate(() => void this.runBatch());
  }

  private async runBatch(): Promise<void> {
    const batch: Pending<I, O>[] = [];
    const keys = new Set<string>();
    const later: Pending<I, O>[] = [];
    for (const p of this.queue) {
      if (batch.length < this.maxBatch && !keys.has(p.key)) {
        keys.add(p.key);
        batch.push(p);
      } else later.push(p);
    }
    this.queue = later;
    try {
      const out = await this.run(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(out[i]));
    } catch (err) {
      if (batch.length === 1) batch[0].reject(err);
      else for (const p of batch) await this.run([p.item]).then(([out]) => p.resolve(out), p.reject);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
