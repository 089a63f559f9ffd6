import type { NumericData, TensorLike } from '../../inference/pool/batch-tensors';
import { BatchKvCache } from './kv-cache';
import type { CausalLmShape } from './model-shape';

/** Runs the model once (through the shared InferencePool, or on a session directly). */
export type StepRunner = (feeds: Record<string, TensorLike>) => Promise<Record<string, TensorLike>>;
export type MakeTensor = (type: string, data: Float32Array | BigInt64Array, dims: number[]) => TensorLike;

/** The batch cache's layout as the engine tracks it: per row its leading padding, and the columns. */
export interface KvLayout {
  pads: number[];
  length: number;
}

/** Per layer, [rows, heads, len, dim] float32 keys and values. */
export interface KvRows {
  keys: Float32Array[];
  values: Float32Array[];
  /** columns (len) */
  length: number;
}

export interface PrefillResult {
  logits: { data: Float32Array; dims: readonly number[] };
  /** the present tensors (every row, [rows, heads, attention length, dim]), when asked for */
  present?: KvRows;
}

/**
 * The model that holds the running batch's KV cache: the engine sends token ids,
 * positions and row operations, and gets logits back. The cache itself stays where the
 * model runs (the session worker, see docs/decisions/0017), so no KV buffer crosses
 * threads at a decode step; keys and values cross only when a prefill brings a cached
 * prefix in, or when the prefix cache asks for a prefill's or a leaving row's.
 */
export interface BatchModel {
  /** Before the first prefill of a batch that was empty (the worker pins its replica). */
  open(): Promise<void>;
  /** The batch is empty again (the replica is unpinned; a reload can release it). */
  close(): void;
  /** Runs a prefill; its present tensors are kept for `join`. `withPresent`: send them back too. */
  prefill(feeds: Record<string, TensorLike>, withPresent: boolean): Promise<PrefillResult>;
  /** Adds rows of the last prefill (their indices in it and prompt lengths) to the batch. */
  join(rows: number[], lens: number[]): Promise<KvLayout>;
  /** Keeps the listed rows; `read` rows' keys and values are returned first (for the prefix cache). */
  keep(keep: number[], read: number[]): Promise<{ layout: KvLayout; read?: KvRows }>;
  /** One decode step for every row: each row's next token and position, logits [rows, vocab] back. */
  decode(ids: BigInt64Array, positions?: BigInt64Array): Promise<Float32Array>;
}

export type BatchShape = Pick<CausalLmShape, 'layers' | 'kvHeads' | 'headDim' | 'hasPositionIds'>;

/**
 * A BatchModel over one model runner: the batch cache (kv-cache.ts) and the last prefill's
 * present tensors live beside the runner. In the session worker, the runner is the ONNX
 * Runtime session; in unit tests, whatever the test injects.
 */
export class ResidentBatch implements BatchModel {
  private readonly cache: BatchKvCache;
  private pending?: KvRows;

  constructor(
    private readonly shape: BatchShape,
    private readonly run: StepRunner,
    private readonly make: MakeTensor,
  ) {
    this.cache = new BatchKvCache(shape);
  }

  async open(): Promise<void> {}

  close(): void {
    this.pending = undefined;
  }

  async prefill(feeds: Record<string, TensorLike>, withPresent: boolean): Promise<PrefillResult> {
    this.pending = undefined;
    const out = await this.run(feeds);
    const present = this.present(out, feeds.attention_mask.dims[1]);
    this.pending = present;
    return { logits: { data: out.logits.data as Float32Array, dims: out.logits.dims }, present: withPresent ? present : undefined };
  }

  async join(rows: number[], lens: number[]): Promise<KvLayout> {
    const p = this.pending;
    if (!p) throw new Error('join without a prefill');
    this.pending = undefined;
    const total = p.keys[0].length / (this.shape.kvHeads * p.length * this.shape.headDim);
    this.cache.addRows(p.keys.map((k) => rowsOf(k, rows, total)), p.values.map((v) => rowsOf(v, rows, total)), p.length, lens);
    return this.layout();
  }

  async keep(keep: number[], read: number[]): Promise<{ layout: KvLayout; read?: KvRows }> {
    const c = this.cache;
    const rows = read.length ? { keys: c.keys.map((k) => rowsOf(k, read, c.rows)), values: c.values.map((v) => rowsOf(v, read, c.rows)), length: c.length } : undefined;
    c.keepRows(keep);
    return { layout: this.layout(), read: rows };
  }

  async decode(ids: BigInt64Array, positions?: BigInt64Array): Promise<Float32Array> {
    this.pending = undefined;
    const c = this.cache;
    const B = c.rows;
    const L = c.length;
    const { layers, kvHeads, headDim } = this.shape;
    const feeds: Record<string, TensorLike> = {
      input_ids: this.make('int64', ids, [B, 1]),
      attention_mask: this.make('int64', c.stepMask(), [B, L + 1]),
    };
    if (this.shape.hasPositionIds && positions) feeds.position_ids = this.make('int64', positions, [B, 1]);
    for (let i = 0; i < layers; i++) {
      feeds[`past_key_values.${i}.key`] = this.make('float32', c.keys[i], [B, kvHeads, L, headDim]);
      feeds[`past_key_values.${i}.value`] = this.make('float32', c.values[i], [B, kvHeads, L, headDim]);
    }
    let out: Record<string, TensorLike>;
    try {
      out = await this.run(feeds);
    } catch (err) {
      // A failed step leaves the cache unusable: the engine ends every row.
      c.clear();
      throw err;
    }
    const present = this.present(out, L + 1);
    c.adopt(present.keys, present.values);
    return out.logits.data as Float32Array;
  }

  private present(out: Record<string, TensorLike>, length: number): KvRows {
    const of = (kind: 'key' | 'value') => Array.from({ length: this.shape.layers }, (_, i) => out[`present.${i}.${kind}`].data as Float32Array);
    return { keys: of('key'), values: of('value'), length };
  }

  private layout(): KvLayout {
    return { pads: [...this.cache.pads], length: this.cache.length };
  }
}

/** The listed rows of a [rows, ...] tensor's data (the data itself when all rows are kept, in order). */
function rowsOf(data: Float32Array, rows: number[], total: number): Float32Array {
  if (rows.length === total && rows.every((r, i) => r === i)) return data;
  const size = data.length / total;
  const out = new Float32Array(rows.length * size);
  rows.forEach((r, i) => out.set(data.subarray(r * size, (r + 1) * size), i * size));
  return out;
}

/** A BatchModel call as it crosses to the session worker. */
export type BatchCall =
  | { op: 'open'; shape: BatchShape }
  | { op: 'prefill'; feeds: Record<string, { type: string; dims: number[]; data: NumericData }>; withPresent: boolean }
  | { op: 'join'; rows: number[]; lens: number[] }
  | { op: 'keep'; keep: number[]; read: number[] }
  | { op: 'decode'; ids: BigInt64Array; positions?: BigInt64Array };

/** One replica pinned to an engine's batch: calls go to it in order, outside the pool's queue. */
export interface PinnedReplica {
  call(call: BatchCall, transfer: ArrayBuffer[]): Promise<unknown>;
  unpin(): void;
}

const buffersOf = (arrays: readonly (NumericData | undefined)[]) => [...new Set(arrays.filter((a) => a !== undefined).map((a) => a!.buffer as ArrayBuffer))];

/** The engine's side of a ResidentBatch in a session worker (see `serveBatchCall` for the other side). */
export class WorkerBatch implements BatchModel {
  private replica?: PinnedReplica;

  constructor(
    private readonly shape: BatchShape,
    /** pins a replica of the model (throws when the model is not available) */
    private readonly pin: () => PinnedReplica,
  ) {}

  async open(): Promise<void> {
    if (this.replica) return;
    const replica = this.pin();
    try {
      await replica.call({ op: 'open', shape: this.shape }, []);
    } catch (err) {
      replica.unpin();
      throw err;
    }
    this.replica = replica;
  }

  close(): void {
    this.replica?.unpin();
    this.replica = undefined;
  }

  prefill(feeds: Record<string, TensorLike>, withPresent: boolean): Promise<PrefillResult> {
    const wire = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, { type: t.type, dims: [...t.dims], data: t.data as NumericData }]));
    return this.send({ op: 'prefill', feeds: wire, withPresent }, buffersOf(Object.values(wire).map((t) => t.data))) as Promise<PrefillResult>;
  }

  join(rows: number[], lens: number[]): Promise<KvLayout> {
    return this.send({ op: 'join', rows, lens }) as Promise<KvLayout>;
  }

  keep(keep: number[], read: number[]): Promise<{ layout: KvLayout; read?: KvRows }> {
    return this.send({ op: 'keep', keep, read }) as Promise<{ layout: KvLayout; read?: KvRows }>;
  }

  decode(ids: BigInt64Array, positions?: BigInt64Array): Promise<Float32Array> {
    return this.send({ op: 'decode', ids, positions }, buffersOf([ids, positions])) as Promise<Float32Array>;
  }

  private send(call: BatchCall, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (!this.replica) return Promise.reject(new Error('the batch has no replica (open it first)'));
    return this.replica.call(call, transfer);
  }
}

/**
 * The worker's side: runs a call on the worker's ResidentBatch (created by `open`).
 * Returns the reply and the buffers to transfer: logits and read rows are fresh arrays;
 * a prefill's present tensors are copied, since the batch keeps them.
 */
export async function serveBatchCall(
  state: { batch?: ResidentBatch },
  call: BatchCall,
  run: StepRunner,
  make: MakeTensor,
): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  if (call.op === 'open') {
    state.batch = new ResidentBatch(call.shape, run, make);
    return { result: null, transfer: [] };
  }
  const batch = state.batch;
  if (!batch) throw new Error('no batch open on this replica');
  switch (call.op) {
    case 'prefill': {
      const feeds = Object.fromEntries(Object.entries(call.feeds).map(([name, t]) => [name, make(t.type, t.data as Float32Array, t.dims)]));
      const r = await batch.prefill(feeds, call.withPresent);
      return { result: r, transfer: buffersOf([r.logits.data]) };
    }
    case 'join':
      return { result: await batch.join(call.rows, call.lens), transfer: [] };
    case 'keep': {
      const r = await batch.keep(call.keep, call.read);
      return { result: r, transfer: r.read ? buffersOf([...r.read.keys, ...r.read.values]) : [] };
    }
    case 'decode': {
      const logits = await batch.decode(call.ids, call.positions);
      return { result: logits, transfer: buffersOf([logits]) };
    }
  }
}
