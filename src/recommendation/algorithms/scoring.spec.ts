import { decodeArtifact, encodeArtifact } from './artifact';
import { blend, rank } from './blender';
import { holdout } from './holdout';
import { evaluateRankings } from './metrics';
import { decayedPopularity } from './popularity';
import { DEFAULT_EVENT_WEIGHTS } from './types';
import { eventWeight, netInteractions } from './weights';

describe('event weights', () => {
  it('orders purchase > add_to_cart > click > view, dislike negative, ratings by value', () => {
    const w = (t: Parameters<typeof eventWeight>[0], value = 0) => eventWeight(t, 1, value, DEFAULT_EVENT_WEIGHTS);
    expect(w('purchase')).toBeGreaterThan(w('add_to_cart'));
    expect(w('add_to_cart')).toBeGreaterThan(w('click'));
    expect(w('click')).toBeGreaterThan(w('view'));
    expect(w('dislike')).toBeLessThan(0);
    expect(w('rating', 5)).toBe(8);
    expect(w('rating', 2.5)).toBe(4);
  });

  it('nets a pair to [-1, 1]: a view and a dislike is negative, two purchases saturate', () => {
    const cells = netInteractions(
      [
        { userId: 'u', itemId: 'a', type: 'view', count: 1, valueSum: 0, lastTs: 1 },
        { userId: 'u', itemId: 'a', type: 'dislike', count: 1, valueSum: 0, lastTs: 5 },
        { userId: 'u', itemId: 'b', type: 'purchase', count: 2, valueSum: 0, lastTs: 3 },
        { userId: 'u', itemId: 'c', type: 'click', count: 1, valueSum: 0, lastTs: 2 },
      ],
      DEFAULT_EVENT_WEIGHTS,
    ).get('u')!;
    expect(cells.get('a')).toEqual({ value: -7 / 8, ts: 5 });
    expect(cells.get('b')!.value).toBe(1);
    expect(cells.get('c')!.value).toBe(0.25);
  });
});

describe('decayedPopularity', () => {
  it('halves a weight per half-life and drops items that are not positive', () => {
    const day = 86_400_000;
    const p = decayedPopularity(
      [
        { item: 'new', weight: 8, ts: 10 * day },
        { item: 'old', weight: 8, ts: 9 * day },
        { item: 'old', weight: 2, ts: 12 * day }, // future: counts as now
        { item: 'hated', weight: 1, ts: 10 * day },
        { item: 'hated', weight: -8, ts: 10 * day },
      ],
      10 * day,
      day,
    );
    expect(p.get('new')).toBe(8);
    expect(p.get('old')).toBeCloseTo(4 + 2, 10);
    expect(p.has('hated')).toBe(false);
  });
});

describe('blend and rank', () => {
  it('normalizes each source by its maximum, then weighs; lists each source share', () => {
    const b = blend({ ease: new Map([['a', 0.2], ['b', 0.1]]), popularity: new Map([['b', 100], ['c', 50]]) }, { ease: 1, popularity: 0.5 });
    expect(b.get('a')!.score).toBeCloseTo(1, 10);
    expect(b.get('b')!.score).toBeCloseTo(0.5 + 0.5, 10);
    expect(b.get('c')!.score).toBeCloseTo(0.25, 10);
    expect(b.get('b')!.sources.map((s) => s.source).sort()).toEqual(['ease', 'popularity']);
  });

  it('ranks by score, skips excluded and non-positive items, caps per group', () => {
    const items = [
      { item: 'a', score: 3, sources: [] },
      { item: 'b', score: 2, sources: [] },
      { item: 'c', score: 1, sources: [] },
      { item: 'd', score: -1, sources: [] },
      { item: 'e', score: 0.5, sources: [] },
    ];
    expect(rank(items, { k: 10, exclude: (i) => i === 'b' }).map((r) => r.item)).toEqual(['a', 'c', 'e']);
    const group = (i: string) => (i === 'a' || i === 'b' ? 'shirts' : 'books');
    expect(rank(items, { k: 3, maxPerGroup: 1, groupOf: group }).map((r) => r.item)).toEqual(['a', 'c']);
  });
});

describe('evaluateRankings', () => {
  it('computes precision, recall, NDCG, MAP and coverage at k by hand', () => {
    const m = evaluateRankings([{ ranked: ['a', 'x', 'b'], relevant: new Set(['a', 'b', 'c']) }], 3, 10);
    expect(m.precision).toBeCloseTo(2 / 3, 10);
    expect(m.recall).toBeCloseTo(2 / 3, 10);
    const dcg = 1 + 1 / Math.log2(4);
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(m.ndcg).toBeCloseTo(dcg / idcg, 10);
    expect(m.map).toBeCloseTo((1 + 2 / 3) / 3, 10);
    expect(m.coverage).toBeCloseTo(0.3, 10);
  });
});

describe('holdout', () => {
  const cells = Array.from({ length: 10 }, (_, i) => ({ user: i % 2, item: i, value: 1, ts: i }));

  it('holds out a fraction per user, the latest ones for a time split, the same ones for the same seed', () => {
    const t = holdout(cells, 'time', 0.4, 1);
    expect(t.test.map((c) => c.item).sort((a, b) => a - b)).toEqual([6, 7, 8, 9]);
    expect(t.train).toHaveLength(6);
    expect(holdout(cells, 'random', 0.4, 7)).toEqual(holdout(cells, 'random', 0.4, 7));
  });
});

describe('artifact', () => {
  it('round-trips factor models beside the tables', () => {
    const t = { n: 2, m: 1, idx: Int32Array.from([1, 0]), w: Float32Array.from([0.5, -0.25]) };
    const als = { items: 2, factors: 3, itemFactors: Float32Array.from([1, 2, 3, -4, 5.5, 6]), regularization: 0.05, alpha: 20 };
    const back = decodeArtifact(encodeArtifact({ items: ['a', 'b'], tables: { itemknn: t }, factors: { als } }));
    expect(Array.from(back.tables.itemknn.w)).toEqual([0.5, -0.25]);
    expect(Array.from(back.factors!.als.itemFactors)).toEqual([1, 2, 3, -4, 5.5, 6]);
    expect({ ...back.factors!.als, itemFactors: null }).toEqual({ ...als, itemFactors: null });
  });

  it('round-trips item ids and neighbour tables', () => {
    const t = { n: 2, m: 1, idx: Int32Array.from([1, 0]), w: Float32Array.from([0.5, -0.25]) };
    const back = decodeArtifact(encodeArtifact({ items: ['《斗破苍穹》', 'T恤衫A'], tables: { ease: t } }));
    expect(back.items).toEqual(['《斗破苍穹》', 'T恤衫A']);
    expect(Array.from(back.tables.ease.idx)).toEqual([1, 0]);
    expect(Array.from(back.tables.ease.w)).toEqual([0.5, -0.25]);
  });
});
