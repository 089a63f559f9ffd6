import { expNonPositive, logSumExp } from './fast-math';
import { choiceSeed, Prng } from './prng';
import { selectMass, selectTop, topNInto } from './select';

/** Ranking used everywhere: key descending, then id ascending. */
const rank = (ids: number[], keys: number[]) =>
  ids.map((id, i) => ({ id, k: keys[i] })).sort((a, b) => b.k - a.k || a.id - b.id);

function randomRow(rng: Prng, n: number, ties: boolean): { ids: Int32Array; keys: Float64Array } {
  const ids = new Int32Array(n).map((_, i) => i);
  // Few distinct values when testing ties, so the id tie-break decides.
  const keys = new Float64Array(n).map(() => (ties ? Math.floor(rng.nextFloat() * 5) : rng.nextFloat() * 10));
  return { ids, keys };
}

describe('selectTop', () => {
  it('puts exactly the k best (ties by lower id) first, for random rows and every k', () => {
    const rng = new Prng(1);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(rng.nextFloat() * 300);
      const { ids, keys } = randomRow(rng, n, trial % 2 === 0);
      const want = rank(Array.from(ids), Array.from(keys));
      const k = 1 + Math.floor(rng.nextFloat() * n);
      selectTop(ids, keys, n, k);
      expect(Array.from(ids.subarray(0, k)).sort((a, b) => a - b)).toEqual(want.slice(0, k).map((x) => x.id).sort((a, b) => a - b));
      // keys travel with their ids
      for (let i = 0; i < n; i++) expect(keys[i]).toBe(want.find((x) => x.id === ids[i])!.k);
    }
  });
});

describe('selectMass', () => {
  it('keeps the smallest best-ranked set whose mass reaches the target', () => {
    const rng = new Prng(2);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rng.nextFloat() * 200);
      const { ids, keys } = randomRow(rng, n, trial % 3 === 0);
      const total = keys.reduce((s, x) => s + x, 0);
      const target = (0.05 + rng.nextFloat() * 0.9) * total;
      const want: number[] = [];
      let before = 0;
      for (const x of rank(Array.from(ids), Array.from(keys))) {
        if (before >= target) break;
        want.push(x.id);
        before += x.k;
      }
      const m = selectMass(ids, keys, n, target);
      expect(Array.from(ids.subarray(0, m)).sort((a, b) => a - b)).toEqual(want.sort((a, b) => a - b));
    }
  });

  it('keeps at least one token', () => {
    const ids = Int32Array.from([0, 1, 2]);
    const keys = Float64Array.from([0.2, 0.5, 0.3]);
    expect(selectMass(ids, keys, 3, 1e-9)).toBe(1);
    expect(ids[0]).toBe(1);
  });
});

describe('topNInto', () => {
  it('returns the n best of a row, best first, ties by lower id', () => {
    const row = Float32Array.from([1, 5, 3, 5, -1, 3]);
    const ids = new Int32Array(4);
    const keys = new Float64Array(4);
    expect(topNInto(row, row.length, 4, ids, keys)).toBe(4);
    expect(Array.from(ids)).toEqual([1, 3, 2, 5]);
    expect(Array.from(keys)).toEqual([5, 5, 3, 3]);
    expect(topNInto(row, 2, 4, ids, keys)).toBe(2);
    expect(Array.from(ids.subarray(0, 2))).toEqual([1, 0]);
  });
});

describe('fast math', () => {
  it('expNonPositive agrees with Math.exp to 1e-8 relative and underflows to 0', () => {
    // Below -708 doubles are subnormal and neither side keeps relative precision.
    for (let x = -708; x <= 0; x += 0.0371) expect(Math.abs(expNonPositive(x) / Math.exp(x) - 1)).toBeLessThan(1e-8);
    expect(expNonPositive(0)).toBe(1);
    expect(expNonPositive(-800)).toBe(0);
    expect(expNonPositive(-Infinity)).toBe(0);
  });

  it('logSumExp is stable for large logits', () => {
    expect(logSumExp(Float32Array.from([1000, 1000]))).toBeCloseTo(1000 + Math.log(2), 9);
    expect(logSumExp(Float32Array.from([-Infinity, -Infinity]))).toBe(-Infinity);
  });
});

describe('Prng', () => {
  it('is reproducible per seed and uniform on [0, 1)', () => {
    const a = new Prng(123);
    const b = new Prng(123);
    const xs = Array.from({ length: 20000 }, () => a.nextFloat());
    expect(Array.from({ length: 20000 }, () => b.nextFloat())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const buckets = new Array(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]++;
    for (const c of buckets) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });

  it('derives distinct per-choice seeds, keeping the seed for choice 0', () => {
    expect(choiceSeed(42, 0)).toBe(42);
    const seeds = new Set(Array.from({ length: 128 }, (_, i) => choiceSeed(42, i)));
    expect(seeds.size).toBe(128);
    for (const s of seeds) expect(Number.isSafeInteger(s)).toBe(true);
    expect(choiceSeed(42, 1)).toBe(choiceSeed(42, 1));
    expect(choiceSeed(42, 1)).not.toBe(choiceSeed(43, 1));
  });
});
