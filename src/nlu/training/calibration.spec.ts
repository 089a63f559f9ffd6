import { calibrateThreshold, inScopeQuantile, ScoredPrediction } from './calibration';
import { Rng } from './rng';

const ok = (confidence: number): ScoredPrediction => ({ confidence, correct: true });
const bad = (confidence: number): ScoredPrediction => ({ confidence, correct: false });
const oos = (confidence: number, predictedOutOfScope = false): ScoredPrediction => ({ confidence, correct: predictedOutOfScope, goldOutOfScope: true, predictedOutOfScope });

/**
 * Held-out predictions of a model that is right 85% of the time: correct ones mostly
 * confident with a long low tail, wrong ones spread low (the shape of a 31-intent set).
 */
function inScopeDraw(n: number, rng: Rng): ScoredPrediction[] {
  return Array.from({ length: n }, () => (rng.next() < 0.85 ? ok(1 - 0.9 * rng.next() ** 4) : bad(0.1 + 0.6 * rng.next())));
}

/** Served in-scope accuracy at t: right and not rejected. */
const served = (preds: ScoredPrediction[], t: number) => preds.filter((p) => p.correct && p.confidence >= t).length / preds.length;
const topOne = (preds: ScoredPrediction[]) => preds.filter((p) => p.correct).length / preds.length;

describe('calibrateThreshold', () => {
  it('without out-of-scope examples costs at most half a point of in-scope accuracy on new data', () => {
    const rng = new Rng(3);
    const heldOut = inScopeDraw(3000, rng);
    const c = calibrateThreshold(heldOut);
    expect(c).toMatchObject({ setting: 'auto', objective: 'balanced', method: 'in_scope', outOfScopeExamples: 0, outOfScopeRecall: null });
    // the wrong predictions (15%, up to .7) do not drag the threshold up: it stays under almost every correct one
    expect(c.threshold).toBeGreaterThan(0.1);
    expect(c.inScopeCorrect - c.inScopeAccepted).toBeLessThanOrEqual(Math.floor(0.0025 * c.inScopeCorrect));
    expect(c.topOneAccuracy! - c.inScopeAccuracy!).toBeLessThanOrEqual(0.005);
    for (let draw = 0; draw < 5; draw++) {
      const test = inScopeDraw(2000, rng);
      expect(topOne(test) - served(test, c.threshold)).toBeLessThanOrEqual(0.005);
    }
    // every objective falls back to the same rule when there is nothing out of scope to recall
    expect(calibrateThreshold(heldOut, { objective: 'accuracy' }).threshold).toBe(c.threshold);
  });

  it('the in-scope quantile rejects at most the allowed share of correct predictions, and keeps ties together', () => {
    const preds = Array.from({ length: 400 }, (_, i) => ok(0.2 + i / 1000)); // .2 .. .599
    const t = inScopeQuantile(preds, 0.005); // 2 of 400 may go
    expect(preds.filter((p) => p.confidence < t)).toHaveLength(2);
    expect(inScopeQuantile([ok(0.3), ok(0.3), ok(0.9)], 0.5)).toBeLessThan(0.3);
    expect(inScopeQuantile([ok(0.4), bad(0.1)], 0.005)).toBeCloseTo(0.4, 5); // < 200 correct: none rejected
    expect(inScopeQuantile([bad(0.4)], 0.005)).toBe(0);
  });

  it('with out-of-scope examples, balances in-scope accuracy and out-of-scope recall', () => {
    // in-scope: correct at .9 .8 .7 .6, one wrong at .95; out-of-scope texts at .5 .65 .3
    const preds = [ok(0.9), ok(0.8), ok(0.7), ok(0.6), bad(0.95), oos(0.5), oos(0.65), oos(0.3)];
    const c = calibrateThreshold(preds, { maxThreshold: 0.99 });
    expect(c.method).toBe('balanced');
    // t=.55: 4/5 in-scope right, 2/3 rejected -> .733; t=.675: 3/5, 3/3 -> .8, the best
    expect(c.threshold).toBeCloseTo(0.675, 10);
    expect(c.score).toBeCloseTo(0.8, 10);
    expect(c).toMatchObject({ inScopeExamples: 5, inScopeCorrect: 4, inScopeAccepted: 3, outOfScopeExamples: 3, outOfScopeRejected: 3, capped: false });
    expect(c.outOfScopeRecall).toBe(1);
    // the cap bounds the search and says so
    const capped = calibrateThreshold(preds, { maxThreshold: 0.6 });
    expect(capped.threshold).toBeLessThanOrEqual(0.6);
    expect(capped.capped).toBe(true);
  });

  it('with an out-of-scope class, counts its predictions as recalled and weighs the few out-of-scope examples as much as all in-scope ones', () => {
    // 20 in-scope (18 right, spread .5-.95), 4 out-of-scope: 2 predicted as the class, 2 missed at .35 and .45
    const inScope = [...Array.from({ length: 18 }, (_, i) => ok(0.5 + i * 0.025)), bad(0.4), bad(0.9)];
    const preds = [...inScope, oos(0.8, true), oos(0.99, true), oos(0.35), oos(0.45)];
    const balanced = calibrateThreshold(preds);
    // t just above .45 rejects both misses and no correct prediction: ½·18/20 + ½·4/4
    expect(balanced.threshold).toBeCloseTo(0.475, 10);
    expect(balanced.outOfScopeRecall).toBe(1);
    expect(balanced.inScopeAccuracy).toBeCloseTo(0.9, 10);
    // plain accuracy: same point here, and no threshold when none strictly helps
    expect(calibrateThreshold(preds, { objective: 'accuracy' }).score).toBeCloseTo(22 / 24, 10);
    const none = calibrateThreshold([ok(0.6), bad(0.4), ok(0.9), oos(0.95, true)], { objective: 'accuracy' });
    expect(none).toMatchObject({ threshold: 0, method: 'accuracy' });
    // in_scope ignores the out-of-scope examples
    const keep = calibrateThreshold(preds, { objective: 'in_scope' });
    expect(keep.method).toBe('in_scope');
    expect(keep.threshold).toBeLessThan(0.5);
    expect(keep.threshold).toBeCloseTo(0.5, 5); // under 200 correct predictions none may go: just under the lowest
    expect(keep.outOfScopeRejected).toBe(4);
  });

  it('a fixed threshold or off is used as given, with the held-out figures at it', () => {
    const preds = [ok(0.9), ok(0.5), bad(0.3), oos(0.2)];
    expect(calibrateThreshold(preds, { setting: 0.6 })).toMatchObject({ threshold: 0.6, setting: 'fixed', method: 'fixed', inScopeAccepted: 1, outOfScopeRejected: 1 });
    expect(calibrateThreshold(preds, { setting: 'off' })).toMatchObject({ threshold: 0, setting: 'off', method: 'off', outOfScopeRejected: 0 });
    expect(() => calibrateThreshold(preds, { setting: 1.5 })).toThrow(/\[0, 1\]/);
    // nothing held out: nothing to calibrate on
    expect(calibrateThreshold([])).toMatchObject({ threshold: 0, method: 'none', topOneAccuracy: null });
  });
});
