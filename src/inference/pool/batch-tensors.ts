/**
 * Pure tensor plumbing for dynamic batching: merge several requests' feeds along the
 * batch dimension (padding ragged token inputs) and split the outputs back. No
 * onnxruntime import: tensors are plain {type, data, dims} and the caller supplies a
 * constructor, so this is unit-testable and reusable.
 */

export type NumericData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | BigUint64Array;

export interface TensorLike {
  readonly type: string;
  readonly data: NumericData | unknown;
  readonly dims: readonly number[];
}

export type Feeds = Record<string, TensorLike>;
export type MakeTensor = (type: string, data: NumericData, dims: number[]) => TensorLike;

/** Per-input padding values for the ragged (sequence) dimension. */
export type PaddingValues = Record<string, number>;

export interface BatchSlice {
  /** row offset of this request in the merged batch */
  offset: number;
  /** rows this request contributed (its own batch size) */
  rows: number;
  /** this request's own length along the padded dimension (dim 1), when padded */
  length?: number;
}

export interface MergedBatch {
  feeds: Feeds;
  slices: BatchSlice[];
  /** padded length of dim 1 when any input was padded */
  paddedLength?: number;
}

/** Inputs whose dim 1 is a token axis that may differ between requests. */
export function raggedInputs(feeds: Feeds, padding: PaddingValues): string[] {
  return Object.keys(feeds).filter((name) => name in padding && feeds[name].dims.length >= 2);
}

/**
 * Requests can share a batch when they have the same inputs, types and all non-batch
 * dimensions, except dim 1 of inputs that may be padded. The key groups them.
 */
export function batchKey(feeds: Feeds, padding: PaddingValues): string {
  return Object.keys(feeds)
    .sort()
    .map((name) => {
      const t = feeds[name];
      const dims = t.dims.slice(1).map((d, i) => (i === 0 && name in padding ? '*' : String(d)));
      return `${name}:${t.type}[${dims.join(',')}]`;
    })
    .join('|');
}

function typedCtor(data: unknown): { new (n: number): NumericData } {
  return (data as { constructor: { new (n: number): NumericData } }).constructor;
}

function fill(target: NumericData, value: number, from: number, to: number): void {
  if (target instanceof BigInt64Array || target instanceof BigUint64Array) target.fill(BigInt(value), from, to);
  else (target as Float32Array).fill(value, from, to);
}

/** Concatenates requests along dim 0; ragged inputs are right-padded along dim 1 with their pad value. */
export function mergeFeeds(requests: Feeds[], padding: PaddingValues, make: MakeTensor): MergedBatch {
  if (requests.length === 0) throw new Error('mergeFeeds needs at least one request');
  const names = Object.keys(requests[0]);
  const ragged = new Set(raggedInputs(requests[0], padding));
  const slices: BatchSlice[] = [];
  let offset = 0;
  for (const feeds of requests) {
    const rows = feeds[names[0]].dims[0];
    const slice: BatchSlice = { offset, rows };
    if (ragged.size) slice.length = feeds[[...ragged][0]].dims[1];
    slices.push(slice);
    offset += rows;
  }
  const paddedLength = ragged.size ? Math.max(...slices.map((s) => s.length ?? 0)) : undefined;
  const merged: Feeds = {};
  for (const name of names) {
    const first = requests[0][name];
    const isRagged = ragged.has(name);
    const inner = first.dims.slice(isRagged ? 2 : 1).reduce((a, b) => a * b, 1);
    const cols = isRagged ? paddedLength! : 1;
    const rowSize = cols * inner;
    const out = new (typedCtor(first.data))(offset * rowSize);
    requests.forEach((feeds, r) => {
      const t = feeds[name];
      const src = t.data as NumericData;
      const { offset: o, rows } = slices[r];
      if (!isRagged) {
        (out as Float32Array).set(src as Float32Array, o * rowSize);
        return;
      }
      const len = t.dims[1];
      for (let row = 0; row < rows; row++) {
        const dst = (o + row) * rowSize;
        (out as Float32Array).set((src as Float32Array).subarray(row * len * inner, (row + 1) * len * inner), dst);
        if (len < paddedLength!) fill(out, padding[name], dst + len * inner, dst + rowSize);
      }
    });
    const dims = isRagged ? [offset, paddedLength!, ...first.dims.slice(2)] : [offset, ...first.dims.slice(1)];
    merged[name] = make(first.type, out, dims);
  }
  return { feeds: merged, slices, paddedLength };
}

/**
 * Cuts merged outputs back per request. Outputs listed in `sequenceOutputs` (whose dim 1
 * follows the padded token axis) are trimmed back to the request's own length, so a
 * batched result is exactly the unbatched one.
 */
export function splitOutputs(outputs: Feeds, batch: MergedBatch, sequenceOutputs: ReadonlySet<string>, make: MakeTensor): Feeds[] {
  return batch.slices.map((slice) => {
    const result: Feeds = {};
    for (const [name, t] of Object.entries(outputs)) {
      const data = t.data as NumericData;
      const trim = sequenceOutputs.has(name) && batch.paddedLength !== undefined && t.dims.length >= 2 && t.dims[1] === batch.paddedLength;
      const rowSize = t.dims.slice(1).reduce((a, b) => a * b, 1);
      if (!trim) {
        const part = data.slice(slice.offset * rowSize, (slice.offset + slice.rows) * rowSize) as NumericData;
        result[name] = make(t.type, part, [slice.rows, ...t.dims.slice(1)]);
        continue;
      }
      const inner = t.dims.slice(2).reduce((a, b) => a * b, 1);
      const len = slice.length!;
      const part = new (typedCtor(data))(slice.rows * len * inner);
      for (let row = 0; row < slice.rows; row++) {
        const src = (slice.offset + row) * rowSize;
        (part as Float32Array).set((data as Float32Array).subarray(src, src + len * inner), row * len * inner);
      }
      result[name] = make(t.type, part, [slice.rows, len, ...t.dims.slice(2)]);
    }
    return result;
  });
}
