import { reciprocalRankFusion } from './rrf';

describe('reciprocalRankFusion', () => {
  it('sums 1/(k+rank) over the rankings that contain each id', () => {
    const fused = reciprocalRankFusion([
      { name: 'vector', ids: ['a', 'b', 'c'] },
      { name: 'keyword', ids: ['c', 'a', 'd'] },
    ]);
    expect(fused.map((f) => f.id)).toEqual(['a', 'c', 'b', 'd']);
    expect(fused[0].score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(fused[0].ranks).toEqual({ vector: 1, keyword: 2 });
    expect(fused[3].ranks).toEqual({ keyword: 3 });
  });

  it('weights scale a ranking and k changes how much the top ranks dominate', () => {
    const lists = [
      { name: 'vector', ids: ['a', 'b'], weight: 0.2 },
      { name: 'keyword', ids: ['b', 'a'], weight: 1 },
    ];
    expect(reciprocalRankFusion(lists).map((f) => f.id)).toEqual(['b', 'a']);
    expect(reciprocalRankFusion(lists, 1)[0].score).toBeCloseTo(0.2 / 3 + 1 / 2, 12);
  });

  it('ties keep first appearance; duplicates in one ranking count once', () => {
    expect(reciprocalRankFusion([{ name: 'x', ids: ['a', 'a'] }, { name: 'y', ids: ['b'] }]).map((f) => [f.id, f.score])).toEqual([
      ['a', 1 / 61],
      ['b', 1 / 61],
    ]);
  });

  it('empty rankings fuse to nothing', () => {
    expect(reciprocalRankFusion([{ name: 'v', ids: [] }])).toEqual([]);
  });
});
