import { blend, rank } from './blender';
import { DecayedSums, decayedPopularity } from './popularity';
import { blendDense, servingSpace, topItems } from './serving';

/** A small seeded generator (tests must be repeatable). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('DecayedSums', () => {
  it('gives what decayedPopularity gives over the same events, added one at a time', () => {
    const hour = 3_600_000;
    const rows = [
      { item: 'a', weight: 8, ts: 100 * hour },
      { item: 'a', weight: 1, ts: 20 * hour },
      { item: 'b', weight: 2, ts: 90 * hour },
      { item: 'c', weight: 1, ts: 99 * hour },
      { item: 'c', weight: -8, ts: 99 * hour },
    ];
    const now = 101 * hour;
    const sums = new DecayedSums(24 * hour, 50 * hour);
    for (const r of rows) sums.add(r.item, r.weight, r.ts);
    const expected = decayedPopularity(rows, now, 24 * hour);
    const got = sums.positive(now);
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [item, s] of expected) expect(got.get(item)).toBeCloseTo(s, 10);
  });

  it('rebases before its factors overflow (a short half-life over a long time)', () => {
    const sums = new DecayedSums(1000, 0);
    sums.add('old', 1, 0);
    sums.add('new', 1, 2_000_000); // 2000 half-lives later: 2^2000 would overflow without a rebase
    const p = sums.positive(2_000_000);
    expect(p.get('new')).toBeCloseTo(1, 10);
    expect(p.has('old')).toBe(false); // 2^-2000: nothing left
  });

  it('without decay (half-life 0) sums the weights', () => {
    const sums = new DecayedSums(0, 0);
    sums.add('a', 2, 5);
    sums.add('a', 3, 1e12);
    expect(sums.positive(2e12).get('a')).toBe(5);
  });
});

describe('blendDense and topItems', () => {
  it('rank the same items with the same scores and sources as blend() then rank(), on random data', () => {
    const next = rng(3);
    for (let round = 0; round < 20; round++) {
      const modelItems = Array.from({ length: 40 }, (_, i) => `m${String(i).padStart(2, '0')}`);
      const index = new Map(modelItems.map((id, i) => [id, i]));
      const popularity = new Map<string, number>();
      for (let i = 0; i < 60; i++) if (next() < 0.5) popularity.set(i < 40 ? modelItems[i] : `new${i}`, Math.round(next() * 5));
      const ease = new Float64Array(40).map(() => (next() < 0.6 ? Math.round((next() - 0.3) * 8) / 4 : 0));
      const knn = new Float64Array(40).map(() => (next() < 0.4 ? Math.round(next() * 4) / 4 : 0));
      const weights = { ease: 1, itemknn: 0.5, popularity: 0.05 };
      const excluded = new Set(modelItems.filter(() => next() < 0.2));
      const groupOf = (id: string) => `g${id.charCodeAt(id.length - 1) % 3}`;
      const k = 1 + Math.floor(next() * 12);
      const maxPerGroup = round % 2 ? 2 : undefined;

      const toMap = (v: Float64Array) => new Map([...v].map((s, j) => [modelItems[j], s] as [string, number]).filter(([, s]) => s !== 0));
      const expected = rank(blend({ popularity, ease: toMap(ease), itemknn: toMap(knn) }, weights).values(), { k, exclude: (id) => excluded.has(id), maxPerGroup, groupOf });

      const space = servingSpace(modelItems, index, popularity);
      const got = topItems(space, blendDense(space, [{ source: 'ease', values: ease }, { source: 'itemknn', values: knn }], weights), {
        k,
        excluded: (j) => excluded.has(space.items[j]),
        maxPerGroup,
        groupOf: (j) => groupOf(space.items[j]),
        withSources: true,
      });
      expect(got.map((b) => b.item)).toEqual(expected.map((b) => b.item));
      got.forEach((b, n) => {
        expect(b.score).toBeCloseTo(expected[n].score, 12);
        expect(b.sources.map((s) => s.source).sort()).toEqual(expected[n].sources.map((s) => s.source).sort());
      });
    }
  });

  it('leaves out a source whose best score is not positive and items whose blend is not positive', () => {
    const space = servingSpace(['a', 'b'], new Map([['a', 0], ['b', 1]]), new Map([['b', 2]]));
    const blended = blendDense(space, [{ source: 'ease', values: new Float64Array([-1, 0]) }], { ease: 1, popularity: 1 });
    expect(blended.sources.map((s) => s.source)).toEqual(['popularity']);
    expect(topItems(space, blended, { k: 5, excluded: () => false }).map((b) => b.item)).toEqual(['b']);
  });
});
