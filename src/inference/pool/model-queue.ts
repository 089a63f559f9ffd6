import { CancelledError, DomainError, OverloadedError, TimeoutError } from '../../common/errors';
import { batchKey, Feeds, MakeTensor, mergeFeeds, PaddingValues, raggedInputs, splitOutputs } from './batch-tensors';

/**
 * One model's request queue and dynamic batcher, in the manner of Triton's dynamic
 * batcher: requests wait at most `maxQueueDelayMs` for companions, then up to
 * `maxBatchSize` rows with the same shape signature run as one batch on the least
 * busy replica. Bounded: beyond `maxQueueSize` requests fail at once (503). A request
 * whose caller aborts or whose deadline passes leaves the queue without running.
 *
 * No onnxruntime import: replicas are anything with `run(feeds)`.
 */

export interface Replica {
  readonly id: number;
  /** `transfer`: the feeds' buffers may be handed over (moved) instead of copied */
  run(feeds: Feeds, transfer?: boolean): Promise<Feeds>;
}

export interface QueuePolicy {
  batching: boolean;
  maxBatchSize: number;
  maxQueueDelayMs: number;
  maxQueueSize: number;
  /** concurrent runs per replica; runs on one ORT session serialize, so 1 keeps latency honest */
  maxInFlightPerReplica: number;
  padding: PaddingValues;
  /** outputs whose dim 1 follows the padded token axis */
  sequenceOutputs: ReadonlySet<string>;
  defaultTimeoutMs: number;
}

export type Priority = 'high' | 'normal' | 'low';
const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

export interface SubmitOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  priority?: Priority;
  /** hand the input buffers over to the runtime instead of copying them (the caller must not reuse them) */
  transfer?: boolean;
}

export interface QueueObserver {
  depth(depth: number): void;
  batch(size: number, waitSeconds: number[], runSeconds: number): void;
  error(kind: 'overloaded' | 'timeout' | 'cancelled' | 'run'): void;
}

/** Padding a batch may carry: this share of its tokens, plus this many tokens per row. */
const MAX_PADDING_SHARE = 0.25;
const PADDING_SLACK = 4;

interface Pending {
  seq: number;
  feeds: Feeds;
  rows: number;
  /** length along the padded token axis, for inputs that get padded */
  length?: number;
  key: string;
  rank: number;
  transfer: boolean;
  enqueuedAt: number;
  resolve: (out: Feeds) => void;
  reject: (err: Error) => void;
  settled: boolean;
  cleanup: () => void;
}

export class InferenceRunError extends DomainError {
  constructor(modelId: string, cause: Error, shapes: string) {
    super(500, 'inference_failed', `Model ${modelId} failed to run: ${cause.message}`, { inputs: shapes });
  }
}

const describeShapes = (feeds: Feeds) =>
  Object.entries(feeds)
    .map(([n, t]) => `${n}:${t.type}[${t.dims.join('x')}]`)
    .join(', ');

export class ModelQueue {
  private pending: Pending[] = [];
  private replicas: Replica[] = [];
  private readonly busy = new Map<Replica, number>();
  private seq = 0;
  private timer?: NodeJS.Timeout;
  private avgRunMs = 5;
  private closedWith?: Error;
  private idleWaiters: Array<() => void> = [];
  /** rows currently running, for stats */
  running = 0;
  completed = 0;
  batches = 0;

  constructor(
    readonly modelId: string,
    private policy: QueuePolicy,
    private readonly make: MakeTensor,
    private readonly observer: QueueObserver,
  ) {}

  get depth(): number {
    return this.pending.length;
  }

  get inFlight(): number {
    let n = 0;
    for (const v of this.busy.values()) n += v;
    return n;
  }

  get currentPolicy(): QueuePolicy {
    return this.policy;
  }

  /** Replaces the replicas (hot reload). Runs already started finish on the old ones. */
  setReplicas(replicas: Replica[]): void {
    this.replicas = replicas;
    for (const r of replicas) if (!this.busy.has(r)) this.busy.set(r, 0);
    this.closedWith = undefined;
    this.schedule();
  }

  setPolicy(policy: QueuePolicy): void {
    this.policy = policy;
  }

  submit(feeds: Feeds, options: SubmitOptions = {}): Promise<Feeds> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (options.signal?.aborted) return Promise.reject(new CancelledError());
    if (this.pending.length >= this.policy.maxQueueSize) {
      this.observer.error('overloaded');
      return Promise.reject(new OverloadedError(`Model ${this.modelId} has ${this.pending.length} requests waiting (limit ${this.policy.maxQueueSize}); retry shortly`, this.retryAfterSeconds()));
    }
    return new Promise<Feeds>((resolve, reject) => {
      const first = Object.values(feeds)[0];
      const ragged = raggedInputs(feeds, this.policy.padding)[0];
      const p: Pending = {
        seq: this.seq++,
        feeds,
        rows: first?.dims[0] ?? 1,
        length: ragged ? feeds[ragged].dims[1] : undefined,
        key: batchKey(feeds, this.policy.padding),
        rank: PRIORITY_RANK[options.priority ?? 'normal'],
        transfer: options.transfer ?? false,
        enqueuedAt: performance.now(),
        settled: false,
        resolve: (out) => {
          if (p.settled) return;
          p.settled = true;
          p.cleanup();
          resolve(out);
        },
        reject: (err) => {
          if (p.settled) return;
          p.settled = true;
          p.cleanup();
          reject(err);
        },
        cleanup: () => undefined,
      };
      const timeoutMs = options.timeoutMs ?? this.policy.defaultTimeoutMs;
      const timer = timeoutMs > 0 ? setTimeout(() => this.abandon(p, 'timeout', new TimeoutError(`Model ${this.modelId} did not answer within ${timeoutMs} ms`)), timeoutMs) : undefined;
      const onAbort = () => this.abandon(p, 'cancelled', new CancelledError());
      options.signal?.addEventListener('abort', onAbort, { once: true });
      p.cleanup = () => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      this.insert(p);
      this.observer.depth(this.pending.length);
      this.schedule();
    });
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.pending.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Fails every queued request (model unloaded for good) and refuses new ones. */
  close(error: Error): void {
    this.closedWith = error;
    if (this.timer) clearTimeout(this.timer);
    for (const p of this.pending.splice(0)) p.reject(error);
    this.observer.depth(0);
    this.notifyIdle();
  }

  private insert(p: Pending): void {
    // Sorted by priority, then arrival; a binary search keeps this O(log n).
    let lo = 0;
    let hi = this.pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = this.pending[mid];
      if (q.rank < p.rank || (q.rank === p.rank && q.seq < p.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.pending.splice(lo, 0, p);
  }

  private abandon(p: Pending, kind: 'timeout' | 'cancelled', err: Error): void {
    const i = this.pending.indexOf(p);
    if (i >= 0) {
      this.pending.splice(i, 1);
      this.observer.depth(this.pending.length);
    }
    if (!p.settled) this.observer.error(kind);
    p.reject(err);
    this.notifyIdle();
  }

  private freeReplica(): Replica | undefined {
    let best: Replica | undefined;
    for (const r of this.replicas) {
      const n = this.busy.get(r) ?? 0;
      if (n < this.policy.maxInFlightPerReplica && (!best || n < (this.busy.get(best) ?? 0))) best = r;
    }
    return best;
  }

  private schedule(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.pending.length) {
      const replica = this.freeReplica();
      if (!replica) return;
      const head = this.pending[0];
      const { batching, maxBatchSize, maxQueueDelayMs } = this.policy;
      const batch = batching ? this.collect(head, maxBatchSize) : [head];
      const rows = batch.reduce((a, p) => a + p.rows, 0);
      const waited = performance.now() - head.enqueuedAt;
      if (batching && rows < maxBatchSize && waited < maxQueueDelayMs) {
        this.timer = setTimeout(() => this.schedule(), Math.max(0, maxQueueDelayMs - waited));
        return;
      }
      const taken = new Set(batch);
      this.pending = this.pending.filter((p) => !taken.has(p));
      this.observer.depth(this.pending.length);
      void this.dispatch(replica, batch);
    }
  }

  /**
   * The head plus later requests with the same shape signature, up to maxBatchSize rows.
   * For token inputs, a companion that would make padding more than a quarter of the
   * batch's tokens (plus a few per row) is left for a later batch: on CPU, padded tokens
   * cost as much compute as real ones, so a badly padded batch is slower than no batch.
   */
  private collect(head: Pending, maxRows: number): Pending[] {
    const batch = [head];
    let rows = head.rows;
    let real = head.rows * (head.length ?? 0);
    let longest = head.length ?? 0;
    for (let i = 1; i < this.pending.length && rows < maxRows; i++) {
      const p = this.pending[i];
      if (p.key !== head.key || rows + p.rows > maxRows) continue;
      if (p.length !== undefined) {
        const len = Math.max(longest, p.length);
        const tokens = real + p.rows * p.length;
        const padded = (rows + p.rows) * len;
        if (padded - tokens > MAX_PADDING_SHARE * padded + PADDING_SLACK * (rows + p.rows)) continue;
        real = tokens;
        longest = len;
      }
      batch.push(p);
      rows += p.rows;
    }
    return batch;
  }

  private async dispatch(replica: Replica, batch: Pending[]): Promise<void> {
    this.busy.set(replica, (this.busy.get(replica) ?? 0) + 1);
    const rows = batch.reduce((a, p) => a + p.rows, 0);
    this.running += rows;
    const started = performance.now();
    try {
      if (batch.length === 1) {
        const out = await replica.run(batch[0].feeds, batch[0].transfer);
        batch[0].resolve(out);
      } else {
        const merged = mergeFeeds(batch.map((p) => p.feeds), this.policy.padding, this.make);
        // merged buffers are ours: move them to the runtime without a copy
        const out = await replica.run(merged.feeds, true);
        splitOutputs(out, merged, this.policy.sequenceOutputs, this.make).forEach((o, i) => batch[i].resolve(o));
      }
      const runMs = performance.now() - started;
      this.avgRunMs = this.avgRunMs * 0.8 + runMs * 0.2;
      this.observer.batch(rows, batch.map((p) => (started - p.enqueuedAt) / 1000), runMs / 1000);
      this.completed += batch.length;
      this.batches++;
    } catch (err) {
      this.observer.error('run');
      const e = err instanceof DomainError ? err : new InferenceRunError(this.modelId, err as Error, describeShapes(batch[0].feeds));
      for (const p of batch) p.reject(e);
    } finally {
      this.running -= rows;
      this.busy.set(replica, (this.busy.get(replica) ?? 1) - 1);
      if (!this.replicas.includes(replica) && this.busy.get(replica) === 0) this.busy.delete(replica);
      this.schedule();
      this.notifyIdle();
    }
  }

  private notifyIdle(): void {
    if (this.pending.length === 0 && this.inFlight === 0) this.idleWaiters.splice(0).forEach((w) => w());
  }

  retryAfterSeconds(): number {
    const batches = Math.ceil(this.pending.length / Math.max(1, this.policy.batching ? this.policy.maxBatchSize : 1));
    return Math.max(1, Math.ceil((batches * this.avgRunMs) / Math.max(1, this.replicas.length) / 1000));
  }

  /** True while runs started on replicas that were swapped out are still going. */
  hasRetiredRuns(): boolean {
    for (const [r, n] of this.busy) if (!this.replicas.includes(r) && n > 0) return true;
    return false;
  }
}
