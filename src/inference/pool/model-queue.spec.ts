import { CancelledError, OverloadedError, TimeoutError } from '../../common/errors';
import { Feeds, MakeTensor } from './batch-tensors';
import { ModelQueue, QueueObserver, QueuePolicy, Replica } from './model-queue';

const make: MakeTensor = (type, data, dims) => ({ type, data, dims });
const row = (v: number): Feeds => ({ x: make('float32', Float32Array.from([v, v]), [1, 2]) });
const noop: QueueObserver = { depth: () => undefined, batch: () => undefined, error: () => undefined };

/** A replica that doubles its input and records the batch sizes it saw. */
class FakeReplica implements Replica {
  batches: number[] = [];
  release?: () => void;
  constructor(
    readonly id: number,
    private readonly gate?: Promise<void>,
  ) {}
  async run(feeds: Feeds): Promise<Feeds> {
    this.batches.push(feeds.x.dims[0]);
    if (this.gate) await this.gate;
    const src = feeds.x.data as Float32Array;
    return { y: make('float32', src.map((v) => v * 2), [...feeds.x.dims]) };
  }
}

function policy(over: Partial<QueuePolicy> = {}): QueuePolicy {
  return { batching: true, maxBatchSize: 8, maxQueueDelayMs: 5, maxQueueSize: 100, maxInFlightPerReplica: 1, padding: {}, sequenceOutputs: new Set(), defaultTimeoutMs: 0, ...over };
}

const value = (f: Feeds) => [...(f.y.data as Float32Array)];

describe('ModelQueue', () => {
  it('batches concurrent requests up to maxBatchSize and answers each with its own rows', async () => {
    // a queue delay long enough that a pause between the submits (GC, a loaded machine) cannot
    // send the first two off alone: the full batch goes at once, the last two after the delay
    const q = new ModelQueue('m', policy({ maxBatchSize: 4, maxQueueDelayMs: 200 }), make, noop);
    const r = new FakeReplica(0);
    q.setReplicas([r]);
    const out = await Promise.all([1, 2, 3, 4, 5, 6].map((v) => q.submit(row(v))));
    expect(out.map(value)).toEqual([[2, 2], [4, 4], [6, 6], [8, 8], [10, 10], [12, 12]]);
    expect(r.batches).toEqual([4, 2]);
  });

  it('leaves a request out of a batch when it would make padding dominate', async () => {
    const ids = (len: number): Feeds => ({ x: make('float32', new Float32Array(len), [1, len]) });
    const seen: number[][] = [];
    const replica: Replica = {
      id: 0,
      run: async (feeds) => {
        seen.push([...feeds.x.dims]);
        return { y: feeds.x };
      },
    };
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const blocker: Replica = { id: 1, run: async (f) => (await gate, { y: f.x }) };
    const q = new ModelQueue('m', policy({ maxBatchSize: 8, maxQueueDelayMs: 0, padding: { x: 0 } }), make, noop);
    q.setReplicas([blocker]);
    const first = q.submit(ids(3)); // occupies the blocker
    const waiting = [ids(10), ids(40), ids(11), ids(9)].map((f) => q.submit(f));
    q.setReplicas([replica]);
    open();
    await Promise.all([first, ...waiting]);
    // 10, 11 and 9 go together (padded to 11); 40 would be mostly padding, it runs alone
    expect(seen).toEqual([[3, 11], [1, 40]]);
  });

  it('runs one at a time when batching is off', async () => {
    const q = new ModelQueue('m', policy({ batching: false }), make, noop);
    const r = new FakeReplica(0);
    q.setReplicas([r]);
    await Promise.all([1, 2, 3].map((v) => q.submit(row(v))));
    expect(r.batches).toEqual([1, 1, 1]);
  });

  it('fails at once with 503 + Retry-After when the queue is full', async () => {
    let open!: () => void;
    const q = new ModelQueue('m', policy({ batching: false, maxQueueSize: 2 }), make, noop);
    q.setReplicas([new FakeReplica(0, new Promise((r) => (open = r)))]);
    const running = q.submit(row(1)); // dispatched, blocks the replica
    const waiting = [q.submit(row(2)), q.submit(row(3))];
    const err = await q.submit(row(4)).catch((e) => e);
    expect(err).toBeInstanceOf(OverloadedError);
    expect(err.status).toBe(503);
    expect(Number(err.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    open();
    await Promise.all([running, ...waiting]);
  });

  it('drops a request whose caller aborts, and one whose deadline passes, without running them', async () => {
    let open!: () => void;
    const q = new ModelQueue('m', policy({ batching: false }), make, noop);
    const r = new FakeReplica(0, new Promise((res) => (open = res)));
    q.setReplicas([r]);
    const first = q.submit(row(1));
    const ac = new AbortController();
    const aborted = q.submit(row(2), { signal: ac.signal });
    const late = q.submit(row(3), { timeoutMs: 10 });
    const kept = q.submit(row(4));
    ac.abort();
    await expect(aborted).rejects.toBeInstanceOf(CancelledError);
    await expect(late).rejects.toBeInstanceOf(TimeoutError);
    expect(q.depth).toBe(1);
    open();
    await Promise.all([first, kept]);
    expect(r.batches).toEqual([1, 1]); // 2 and 3 never ran
  });

  it('serves high priority first', async () => {
    let open!: () => void;
    const order: number[] = [];
    const q = new ModelQueue('m', policy({ batching: false }), make, noop);
    q.setReplicas([new FakeReplica(0, new Promise((r) => (open = r)))]);
    const first = q.submit(row(0));
    const low = q.submit(row(1), { priority: 'low' }).then(() => order.push(1));
    const high = q.submit(row(2), { priority: 'high' }).then(() => order.push(2));
    open();
    await Promise.all([first, low, high]);
    expect(order).toEqual([2, 1]);
  });

  it('spreads work over replicas and lets runs on swapped-out replicas finish', async () => {
    let open!: () => void;
    const q = new ModelQueue('m', policy({ batching: false }), make, noop);
    const a = new FakeReplica(0, new Promise((r) => (open = r)));
    const b = new FakeReplica(1);
    q.setReplicas([a, b]);
    const onA = q.submit(row(1));
    const onB = q.submit(row(2));
    await onB;
    const c = new FakeReplica(2);
    q.setReplicas([c]);
    expect(q.hasRetiredRuns()).toBe(true);
    const onC = q.submit(row(3));
    await onC;
    open();
    expect(value(await onA)).toEqual([2, 2]);
    expect(q.hasRetiredRuns()).toBe(false);
    expect([a.batches.length, b.batches.length, c.batches.length]).toEqual([1, 1, 1]);
  });
});
