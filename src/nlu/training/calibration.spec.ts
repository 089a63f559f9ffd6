import { calibrateThreshold, percentile } from './calibration';

const opts = { percentile: 5, fromTrainingSet: false, maxThreshold: 0.99 };
const ok = (c: number) => ({ confidence: c, correct: true });
const bad = (c: number) => ({ confidence: c, correct: false });

describe('calibrateThreshold', () => {
  it('with out-of-scope texts, maximizes ½ in-scope accuracy + ½ out-of-scope recall', () => {
    // correct in-scope at .9 .8 .7 .6, one wrong at .95; out-of-scope at .5 .65 .3
    const c = calibrateThreshold([ok(0.9), ok(0.8), ok(0.7), ok(0.6), bad(0.95)], [0.5, 0.65, 0.3], opts);
    expect(c.method).toBe('oos');
    // t=0.55 (between .5 and .6): accepts 4/5 correct -> 0.8, rejects 2/3 -> score 0.7333
    // t=0.675 (between .65 and .7): 3/5 -> 0.6, rejects 3/3 -> 0.8 — the best
    expect(c.threshold).toBeCloseTo(0.675, 10);
    expect(c.score).toBeCloseTo(0.8, 10);
    expect(c.inScopeAccepted).toBe(3);
    expect(c.outOfScopeRejected).toBe(3);
  });

  it('with an out-of-scope class, maximizes accuracy where rejected predictions become out-of-scope', () => {
    const p = (confidence: number, correct: boolean, goldOutOfScope = false) => ({ confidence, correct, goldOutOfScope, predictedOutOfScope: false });
    // two out-of-scope examples mispredicted at .3 and .4, a correct in-scope one at .45,
    // a wrong in-scope confusion at .5 (rejecting it does not make it right), correct ones above
    const inScope = [p(0.3, false, true), p(0.4, false, true), p(0.45, true), p(0.5, false), p(0.8, true), p(0.9, true), p(0.95, true)];
    const c = calibrateThreshold(inScope, [], { ...opts, outOfScopeClass: true });
    expect(c.method).toBe('accuracy');
    // t = .425 rejects both out-of-scope examples and keeps every correct prediction: 6/7
    expect(c.threshold).toBeCloseTo(0.425, 10);
    expect(c.score).toBeCloseTo(6 / 7, 10);
    expect(c.inScopeAccepted).toBe(4);
    // when no threshold strictly helps, there is none (ties go to the lowest t)
    const none = calibrateThreshold([p(0.6, true), p(0.4, false), p(0.9, true)], [], { ...opts, outOfScopeClass: true });
    expect(none).toMatchObject({ threshold: 0, method: 'accuracy' });
    expect(none.score).toBeCloseTo(2 / 3, 10);
    // and the cap bounds the search, not just the result
    const capped = calibrateThreshold([p(0.6, true), p(0.75, false, true), p(0.9, true)], [], { ...opts, maxThreshold: 0.7, outOfScopeClass: true });
    expect(capped.threshold).toBe(0);
  });

  it('uses wrong predictions as stand-ins for out-of-scope input when there are enough', () => {
    const inScope = [ok(0.99), ok(0.97), ok(0.95), ok(0.9), bad(0.4), bad(0.45), bad(0.5), bad(0.55), bad(0.92)];
    const c = calibrateThreshold(inScope, [], opts);
    expect(c.method).toBe('errors');
    // between .55 and .9: accept 4/4 correct, reject 4/5 wrong -> 0.9
    expect(c.threshold).toBeCloseTo(0.725, 10);
    expect(c.score).toBeCloseTo(0.9, 10);
  });

  it('otherwise takes a low percentile of correct-prediction confidences, capped', () => {
    const inScope = Array.from({ length: 20 }, (_, i) => ok(0.5 + i * 0.025)); // .5 .. .975
    const c = calibrateThreshold(inScope, [], opts);
    expect(c.method).toBe('percentile');
    expect(c.threshold).toBeCloseTo(0.5, 5); // nearest-rank 5th percentile of 20 values = the smallest
    expect(c.inScopeAccepted).toBe(20);
    const capped = calibrateThreshold(inScope.map((p) => ok(p.confidence / 2 + 0.5)), [], { ...opts, maxThreshold: 0.7 });
    expect(capped.threshold).toBe(0.7);
    expect(calibrateThreshold(inScope, [], { ...opts, fromTrainingSet: true }).method).toBe('percentile-train');
    expect(calibrateThreshold([], [], opts)).toMatchObject({ threshold: 0, method: 'none' });
  });

  it('percentile uses nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 40)).toBe(2);
    expect(percentile([5, 1, 4, 2, 3], 100)).toBe(5);
    expect(percentile([], 50)).toBe(0);
  });
});
