import { rankByLogit, sigmoid } from './scores';

describe('rankByLogit', () => {
  it('sorts by descending logit with sigmoid scores, ties in request order', () => {
    const ranked = rankByLogit([0, 2.5, -1, 2.5, 10]);
    expect(ranked.map((r) => r.index)).toEqual([4, 1, 3, 0, 2]);
    expect(ranked[3]).toEqual({ index: 0, logit: 0, score: 0.5 });
    expect(ranked[0].score).toBeCloseTo(1 / (1 + Math.exp(-10)), 12);
  });

  it('keeps the top n (all when n exceeds the list)', () => {
    expect(rankByLogit([1, 3, 2], 2).map((r) => r.index)).toEqual([1, 2]);
    expect(rankByLogit([1, 3, 2], 10)).toHaveLength(3);
  });

  it('computes sigmoid without overflow at both ends', () => {
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-2) + sigmoid(2)).toBeCloseTo(1, 12);
  });
});
