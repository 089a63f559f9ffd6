import { batchKey, Feeds, MakeTensor, mergeFeeds, splitOutputs, TensorLike } from './batch-tensors';

const make: MakeTensor = (type, data, dims) => ({ type, data, dims });
const ids = (rows: number[][]): TensorLike => make('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
const dense = (rows: number[][]): TensorLike => make('float32', Float32Array.from(rows.flat()), [rows.length, rows[0].length]);

describe('mergeFeeds / splitOutputs', () => {
  const padding = { input_ids: 9, attention_mask: 0 };

  it('right-pads ragged token inputs with their pad values and concatenates dense ones', () => {
    const a: Feeds = { input_ids: ids([[1, 2, 3]]), attention_mask: ids([[1, 1, 1]]), extra: dense([[0.5, 0.25]]) };
    const b: Feeds = { input_ids: ids([[4], [5]]), attention_mask: ids([[1], [1]]), extra: dense([[1, 2], [3, 4]]) };
    const merged = mergeFeeds([a, b], padding, make);
    expect(merged.paddedLength).toBe(3);
    expect(merged.slices).toEqual([
      { offset: 0, rows: 1, length: 3 },
      { offset: 1, rows: 2, length: 1 },
    ]);
    expect(merged.feeds.input_ids.dims).toEqual([3, 3]);
    expect([...(merged.feeds.input_ids.data as BigInt64Array)].map(Number)).toEqual([1, 2, 3, 4, 9, 9, 5, 9, 9]);
    expect([...(merged.feeds.attention_mask.data as BigInt64Array)].map(Number)).toEqual([1, 1, 1, 1, 0, 0, 1, 0, 0]);
    expect([...(merged.feeds.extra.data as Float32Array)]).toEqual([0.5, 0.25, 1, 2, 3, 4]);
  });

  it('splits outputs back and trims sequence outputs to each request length', () => {
    const a: Feeds = { input_ids: ids([[1, 2]]), attention_mask: ids([[1, 1]]) };
    const b: Feeds = { input_ids: ids([[3]]), attention_mask: ids([[1]]) };
    const merged = mergeFeeds([a, b], padding, make);
    // hidden [2, 2, 2]: row r, position p, channel c = 100r + 10p + c
    const hidden = make('float32', Float32Array.from([0, 1, 10, 11, 100, 101, 110, 111]), [2, 2, 2]);
    const pooled = make('float32', Float32Array.from([7, 8]), [2, 1]);
    const [ra, rb] = splitOutputs({ hidden, pooled }, merged, new Set(['hidden']), make);
    expect(ra.hidden.dims).toEqual([1, 2, 2]);
    expect([...(ra.hidden.data as Float32Array)]).toEqual([0, 1, 10, 11]);
    expect(rb.hidden.dims).toEqual([1, 1, 2]);
    expect([...(rb.hidden.data as Float32Array)]).toEqual([100, 101]);
    expect([...(rb.pooled.data as Float32Array)]).toEqual([8]);
  });

  it('groups requests by shape signature, ignoring only the padded axis', () => {
    const k1 = batchKey({ input_ids: ids([[1, 2]]), extra: dense([[1, 2]]) }, padding);
    const k2 = batchKey({ input_ids: ids([[1, 2, 3, 4]]), extra: dense([[1, 2]]) }, padding);
    const k3 = batchKey({ input_ids: ids([[1, 2]]), extra: dense([[1, 2, 3]]) }, padding);
    expect(k1).toBe(k2);
    expect(k1).not.toBe(k3);
  });
});
