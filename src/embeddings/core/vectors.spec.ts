import { dot, fromBase64, l2Normalize, poolHidden, splitRows, toBase64, truncateDims } from './vectors';

// batch 2, seq 3, dim 2; row 0 has 2 real tokens, row 1 all 3
const hidden = Float32Array.from([1, 2, 3, 4, 100, 100, 5, 6, 7, 8, 9, 10]);
const dims = [2, 3, 2];

describe('pooling', () => {
  it('mean pools only the real tokens (the padding position is ignored)', () => {
    const [a, b] = poolHidden(hidden, dims, [2, 3], 'mean');
    expect(Array.from(a)).toEqual([2, 3]);
    expect(Array.from(b)).toEqual([7, 8]);
  });

  it('cls takes the first token, last the last real one', () => {
    expect(poolHidden(hidden, dims, [2, 3], 'cls').map((v) => Array.from(v))).toEqual([[1, 2], [5, 6]]);
    expect(poolHidden(hidden, dims, [2, 3], 'last').map((v) => Array.from(v))).toEqual([[3, 4], [9, 10]]);
  });

  it('refuses a length list that does not match the batch', () => {
    expect(() => poolHidden(hidden, dims, [2], 'mean')).toThrow('expected 2 lengths');
  });

  it('splits a 2-D output into rows', () => {
    expect(splitRows(Float32Array.from([1, 2, 3, 4]), 2, 2).map((v) => Array.from(v))).toEqual([[1, 2], [3, 4]]);
  });
});

describe('normalization and Matryoshka truncation', () => {
  it('scales to unit length and leaves a zero vector alone', () => {
    expect(Array.from(l2Normalize(Float32Array.from([3, 4])))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(l2Normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });

  it('keeps the first k dimensions and renormalizes them, without touching the input', () => {
    const v = l2Normalize(Float32Array.from([3, 4, 12]));
    const t = truncateDims(v, 2);
    expect(t.length).toBe(2);
    expect(dot(t, t)).toBeCloseTo(1, 6);
    expect(t[0] / t[1]).toBeCloseTo(0.75, 6);
    expect(v.length).toBe(3);
  });
});

describe('base64 (OpenAI encoding_format)', () => {
  it('is the little-endian float32 bytes', () => {
    const v = Float32Array.from([1, -0.5, 0.25]);
    const s = toBase64(v);
    expect(Buffer.from(s, 'base64')).toEqual(Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xbf, 0, 0, 0x80, 0x3e]));
    expect(Array.from(fromBase64(s))).toEqual([1, -0.5, 0.25]);
  });
});
