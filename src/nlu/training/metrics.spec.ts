import { accuracy, confusionMatrix, entityScores, kFoldSplits, macroF1, outOfScopeRecall, perClassScores } from './metrics';

describe('intent metrics', () => {
  // gold: a a a b b c ; pred: a a b b c c
  const gold = ['a', 'a', 'a', 'b', 'b', 'c'];
  const pred = ['a', 'a', 'b', 'b', 'c', 'c'];

  it('computes accuracy, per-class scores and macro-F1 by hand', () => {
    expect(accuracy(gold, pred)).toBeCloseTo(4 / 6, 12);
    const s = perClassScores(gold, pred);
    // a: tp 2, fp 0, fn 1 -> P 1, R 2/3, F1 0.8
    expect(s.a).toEqual({ precision: 1, recall: 2 / 3, f1: 0.8, support: 3 });
    // b: tp 1, fp 1, fn 1 -> P .5, R .5, F1 .5
    expect(s.b).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    // c: tp 1, fp 1, fn 0 -> P .5, R 1, F1 2/3
    expect(s.c.precision).toBe(0.5);
    expect(s.c.recall).toBe(1);
    expect(s.c.f1).toBeCloseTo(2 / 3, 12);
    expect(macroF1(gold, pred)).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
    expect(() => accuracy(['a'], [])).toThrow(/1 items/);
  });

  it('builds a confusion matrix [gold][pred]', () => {
    expect(confusionMatrix(gold, pred)).toEqual({
      labels: ['a', 'b', 'c'],
      matrix: [
        [2, 1, 0],
        [0, 1, 1],
        [0, 0, 1],
      ],
    });
    expect(confusionMatrix(['x'], ['y'], ['y', 'x']).matrix).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(() => confusionMatrix(['x'], ['z'], ['x'])).toThrow(/not in the given labels/);
  });

  it('measures out-of-scope recall', () => {
    expect(outOfScopeRecall(['oos', 'oos', 'a', 'oos'], ['oos', 'a', 'oos', 'oos'], 'oos')).toBeCloseTo(2 / 3, 12);
    expect(outOfScopeRecall(['a'], ['a'], 'oos')).toBe(0);
  });
});

describe('entityScores', () => {
  it('counts exact span+type matches only', () => {
    const gold = [
      [
        { entity: 'city', start: 0, end: 2 },
        { entity: 'date', start: 2, end: 4 },
      ],
      [{ entity: 'city', start: 5, end: 10 }],
    ];
    const pred = [
      [
        { entity: 'city', start: 0, end: 2 }, // tp
        { entity: 'date', start: 2, end: 5 }, // fp (wrong end) + fn for the gold date
      ],
      [
        { entity: 'date', start: 5, end: 10 }, // fp (wrong type) + fn city
        { entity: 'city', start: 5, end: 10 }, // tp
        { entity: 'city', start: 5, end: 10 }, // fp: the gold span is used up
      ],
    ];
    const s = entityScores(gold, pred);
    // city: tp 2, fp 1, fn 0 ; date: tp 0, fp 2, fn 1
    expect(s.perType.city).toEqual({ precision: 2 / 3, recall: 1, f1: 0.8, support: 2 });
    expect(s.perType.date).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    // micro: tp 2, fp 3, fn 1 -> P .4, R 2/3, F1 .5
    expect(s.overall.precision).toBeCloseTo(0.4, 12);
    expect(s.overall.recall).toBeCloseTo(2 / 3, 12);
    expect(s.overall.f1).toBeCloseTo(0.5, 12);
    expect(s.overall.support).toBe(3);
  });
});

describe('kFoldSplits', () => {
  it('partitions every index into exactly one test fold, deterministically', () => {
    const folds = kFoldSplits(10, 3, 42);
    expect(folds.map((f) => f.test.length)).toEqual([4, 3, 3]);
    const all = folds.flatMap((f) => f.test).sort((a, b) => a - b);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const f of folds) {
      expect(f.train.length + f.test.length).toBe(10);
      expect(f.train.some((i) => f.test.includes(i))).toBe(false);
    }
    expect(kFoldSplits(10, 3, 42)).toEqual(folds);
    expect(kFoldSplits(10, 3, 43)).not.toEqual(folds);
    expect(folds[0].test).not.toEqual([0, 1, 2, 3]); // shuffled
    expect(() => kFoldSplits(3, 4, 1)).toThrow(/k must be/);
  });
});
