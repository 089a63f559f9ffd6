import { BatchKvCache } from './kv-cache';

const shape = { layers: 2, kvHeads: 2, headDim: 3 };
const H = shape.kvHeads;
const D = shape.headDim;

/**
 * A [rows, H, len, D] tensor whose value at (row, head, column, d) encodes all four,
 * (tag * 1000 + row * 100 + head * 10 + column + d / 10), so any misplaced copy shows.
 */
function tensor(tag: number, rows: number, len: number): Float32Array {
  const t = new Float32Array(rows * H * len * D);
  for (let r = 0; r < rows; r++) for (let h = 0; h < H; h++) for (let c = 0; c < len; c++) for (let d = 0; d < D; d++) t[((r * H + h) * len + c) * D + d] = tag * 1000 + r * 100 + h * 10 + c + d / 10;
  return t;
}

/** Row `r`, head `h` of a cache layer as [column][d]. */
function slice(data: Float32Array, r: number, h: number, len: number): number[][] {
  return Array.from({ length: len }, (_, c) => Array.from(data.subarray(((r * H + h) * len + c) * D, ((r * H + h) * len + c + 1) * D)));
}

const layer = (tag: number, rows: number, len: number) => Array.from({ length: shape.layers }, (_, i) => tensor(tag + i, rows, len));

describe('BatchKvCache', () => {
  it('adopts unpadded rows into an empty cache without copying', () => {
    const cache = new BatchKvCache(shape);
    const keys = layer(1, 2, 4);
    const values = layer(5, 2, 4);
    expect(cache.addRows(keys, values, 4, [4, 4])).toBe(0);
    expect(cache.keys[1]).toBe(keys[1]);
    expect(cache.values[0]).toBe(values[0]);
    expect(cache.length).toBe(4);
    expect(cache.pads).toEqual([0, 0]);
  });

  it('adds a left-padded group behind existing rows: each row keeps its last tokens, right-aligned, padding zeroed', () => {
    const cache = new BatchKvCache(shape);
    cache.addRows(layer(1, 1, 3), layer(5, 1, 3), 3, [3]);
    // A group of two prefilled together, padded to 5: row 0 has 2 real tokens, row 1 has 5.
    const keys = layer(2, 2, 5);
    const values = layer(6, 2, 5);
    expect(cache.addRows(keys, values, 5, [2, 5])).toBe(1);
    expect(cache.rows).toBe(3);
    expect(cache.length).toBe(5);
    expect(cache.pads).toEqual([2, 3, 0]);
    const zeros = [0, 0, 0];
    for (let h = 0; h < H; h++) {
      // the old row, shifted right by two columns
      expect(slice(cache.keys[1], 0, h, 5)).toEqual([zeros, zeros, ...slice(tensor(2, 1, 3), 0, h, 3)]);
      // group row 0: its last two columns (3, 4) only
      expect(slice(cache.keys[0], 1, h, 5)).toEqual([zeros, zeros, zeros, ...slice(keys[0], 0, h, 5).slice(3)]);
      expect(slice(cache.values[1], 2, h, 5)).toEqual(slice(values[1], 1, h, 5));
    }
  });

  it('after rows leave, trims the columns that are padding in every remaining row', () => {
    const cache = new BatchKvCache(shape);
    cache.addRows(layer(1, 2, 6), layer(5, 2, 6), 6, [2, 6]);
    cache.keepRows([0]);
    expect(cache.length).toBe(2);
    expect(cache.pads).toEqual([0]);
    expect(slice(cache.keys[0], 0, 1, 2)).toEqual(slice(tensor(1, 1, 6), 0, 1, 6).slice(4));
    expect(cache.bytes).toBe(1 * 2 * shape.layers * 2 * H * D * 4);
  });

  it('builds each decode step\'s attention mask from the padding, and grows by one column per adopted step', () => {
    const cache = new BatchKvCache(shape);
    cache.addRows(layer(1, 2, 3), layer(5, 2, 3), 3, [1, 3]);
    expect(Array.from(cache.stepMask(), Number)).toEqual([0, 0, 1, 1, /* row 1 */ 1, 1, 1, 1]);
    cache.adopt(layer(3, 2, 4), layer(7, 2, 4));
    expect(cache.length).toBe(4);
    expect(Array.from(cache.stepMask(), Number)).toEqual([0, 0, 1, 1, 1, /* row 1 */ 1, 1, 1, 1, 1]);
  });
});
