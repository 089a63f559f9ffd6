import { PrefixCache } from './prefix-cache';

const shape = { layers: 2, kvHeads: 2, headDim: 3, bytesPerToken: 2 * 2 * 2 * 3 * 4 };
const { kvHeads: H, headDim: D } = shape;
const B = 4;

/** [rows, H, len, D] per layer whose value encodes (layer, kind, row, head, column, d), so a misplaced copy shows. */
function tensors(kind: number, rows: number, len: number): Float32Array[] {
  return Array.from({ length: shape.layers }, (_, layer) => {
    const t = new Float32Array(rows * H * len * D);
    for (let r = 0; r < rows; r++) for (let h = 0; h < H; h++) for (let c = 0; c < len; c++) for (let d = 0; d < D; d++) t[((r * H + h) * len + c) * D + d] = layer * 1e5 + kind * 1e4 + r * 1000 + h * 100 + c + d / 10;
    return t;
  });
}

const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

describe('PrefixCache', () => {
  it('finds whole blocks of a cached prompt and copies them where its tokens were computed', () => {
    const cache = new PrefixCache(shape, 1 << 20, B);
    // row 1 of a batch of 2, 10 columns, the sequence's token 0 at column 1 (one padding column)
    const keys = tensors(0, 2, 10);
    const values = tensors(1, 2, 10);
    cache.insert(ids(9), { keys, values, row: 1, srcLen: 10, start: 1 });
    expect(cache.stats()).toMatchObject({ blocks: 2, bytes: 2 * B * shape.bytesPerToken });
    const match = cache.lookup(ids(12));
    expect(match.tokens).toBe(8);
    // into row 0 of a past of 3 rows x 11 columns, from column 2; copy 7 of the 8 cached tokens
    const pastK = Array.from({ length: 2 }, () => new Float32Array(3 * H * 11 * D));
    const pastV = Array.from({ length: 2 }, () => new Float32Array(3 * H * 11 * D));
    cache.copyInto(match, 7, pastK, pastV, 0, 11, 2);
    for (let layer = 0; layer < 2; layer++) {
      for (let h = 0; h < H; h++) {
        for (let c = 0; c < 11; c++) {
          const got = Array.from(pastK[layer].subarray((h * 11 + c) * D, (h * 11 + c + 1) * D));
          const t = c - 2;
          const want = t >= 0 && t < 7 ? Array.from(keys[layer].subarray(((1 * H + h) * 10 + 1 + t) * D, ((1 * H + h) * 10 + 2 + t) * D)) : [0, 0, 0];
          expect(got).toEqual(want);
          const gotV = pastV[layer][(h * 11 + c) * D];
          expect(gotV).toBe(t >= 0 && t < 7 ? values[layer][((1 * H + h) * 10 + 1 + t) * D] : 0);
        }
      }
    }
    // other rows untouched
    expect(pastK[0].subarray(H * 11 * D).every((x) => x === 0)).toBe(true);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 0, reusedTokens: 7 });
  });

  it('keeps the last prompt token out of a match, and matches a shared start only (a partial hit)', () => {
    const cache = new PrefixCache(shape, 1 << 20, B);
    cache.insert(ids(12), { keys: tensors(0, 1, 12), values: tensors(1, 1, 12), row: 0, srcLen: 12, start: 0 });
    expect(cache.lookup(ids(12)).tokens).toBe(8);
    expect(cache.lookup(ids(13)).tokens).toBe(12);
    // same first 5 tokens, then different: one block
    expect(cache.lookup([...ids(5), 99, 98, 97, 96, 95]).tokens).toBe(4);
    // the same tokens at other positions are another prefix
    expect(cache.lookup([0, ...ids(12)]).tokens).toBe(0);
    expect(cache.stats()).toMatchObject({ hits: 3, misses: 1 });
  });

  it('evicts least recently used leaves within the budget and never cuts a chain in the middle', () => {
    const blockBytes = B * shape.bytesPerToken;
    const cache = new PrefixCache(shape, 4 * blockBytes, B);
    const put = (prompt: number[]) => cache.insert(prompt, { keys: tensors(0, 1, prompt.length), values: tensors(1, 1, prompt.length), row: 0, srcLen: prompt.length, start: 0 });
    const a = ids(12); // 3 blocks
    const b = [...ids(4), 50, 51, 52, 53]; // shares a's first block: 1 new
    put(a);
    put(b);
    expect(cache.stats()).toMatchObject({ blocks: 4, evictions: 0 });
    cache.lookup([...b, 0]); // b is now more recent than a's tail
    const c = ids(8, 200); // 2 new blocks: a's last two go (leaves first: block 3, then block 2)
    put(c);
    expect(cache.stats()).toMatchObject({ blocks: 4, evictions: 2, bytes: 4 * blockBytes });
    expect(cache.lookup([...a, 0]).tokens).toBe(4);
    expect(cache.lookup([...b, 0]).tokens).toBe(8);
    expect(cache.lookup([...c, 0]).tokens).toBe(8);
    // a prompt longer than the whole budget keeps its first blocks
    put(ids(40, 500));
    expect(cache.stats().blocks).toBe(4);
    expect(cache.lookup(ids(41, 500)).tokens).toBe(16);
  });

  it('is off with a budget below one block, and a smaller budget evicts at once', () => {
    const off = new PrefixCache(shape, 0, B);
    off.insert(ids(8), { keys: tensors(0, 1, 8), values: tensors(1, 1, 8), row: 0, srcLen: 8, start: 0 });
    expect(off.lookup(ids(9)).tokens).toBe(0);
    expect(off.stats()).toMatchObject({ blocks: 0, hits: 0, misses: 0 });
    const cache = new PrefixCache(shape, 1 << 20, B);
    cache.insert(ids(8), { keys: tensors(0, 1, 8), values: tensors(1, 1, 8), row: 0, srcLen: 8, start: 0 });
    cache.setLimit(B * shape.bytesPerToken);
    expect(cache.stats()).toMatchObject({ blocks: 1, evictions: 1 });
  });
});
