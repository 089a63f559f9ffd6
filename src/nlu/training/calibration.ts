/**
 * Out-of-scope threshold calibration: below the threshold, the top intent's probability is
 * not trusted and the caller falls back (e.g. to "nlu_fallback").
 *
 * Methods, in order of preference:
 *  - 'accuracy': out-of-scope is itself one of the intents (the bundled data's
 *      `out_of_scope`), so the fallback is a prediction that can be right or wrong like
 *      any other. t maximizes plain validation accuracy with every prediction under t
 *      replaced by out-of-scope: a rejected prediction counts as correct exactly when the
 *      example is out-of-scope. Ties go to the lowest t, so t = 0 (no threshold) unless
 *      a threshold strictly helps. Why not the balanced 'errors' score: with the class
 *      present, the network already routes most unrelated text to it, and the wrong
 *      predictions that remain are mostly confusions between in-scope intents (affirm vs
 *      greet); rejecting them gains nothing, while the balanced score, which weighs the
 *      few errors as much as all correct predictions, pushed t to the 0.7 cap and sent
 *      45% of correct in-scope predictions to out-of-scope (held-out accuracy 0.76 -> 0.60
 *      on the bundled data).
 *  - 'oos': out-of-scope texts were given separately (not as a class). Pick t maximizing the balanced score
 *      ½·(in-scope accuracy with rejection counted as an error) + ½·(out-of-scope recall),
 *    i.e. the share of validation utterances that end up correct on each side.
 *  - 'errors': no out-of-scope texts, but the validation split has at least MIN_ERRORS
 *    wrong predictions: they stand in for out-of-scope input and t maximizes
 *      ½·(share of correct predictions accepted) + ½·(share of wrong predictions rejected).
 *  - 'percentile': otherwise, t is the p-th percentile (default 5th) of the confidences of
 *    correct validation predictions, so ~95% of correct in-scope predictions pass.
 *    Without a validation split the training set is used, which is overconfident
 *    ('percentile-train'), so the threshold is then a floor rather than a measurement.
 * Candidate thresholds are the midpoints between adjacent observed confidences, so t sits
 * in a gap rather than on a data point.
 *
 * The result is capped (maxThreshold, 0.7 by default in the trainer): validation examples
 * come from the same distribution as the training set, so the network is nearly always
 * very sure of them and an uncapped threshold lands at ~0.99, rejecting genuine new
 * paraphrases. On the synthetic set, held-out paraphrase templates had median confidence
 * 0.99 but a long low tail (min 0.45), while unrelated utterances mostly scored < 0.6;
 * at 0.7, 90% of paraphrases were accepted and 90% of unrelated utterances rejected.
 */

export type CalibrationMethod = 'accuracy' | 'oos' | 'errors' | 'percentile' | 'percentile-train' | 'none';

export interface ThresholdCalibration {
  threshold: number;
  method: CalibrationMethod;
  /** validation accuracy ('accuracy') or the balanced score ('oos' and 'errors') at the threshold, otherwise null */
  score: number | null;
  /** in-scope examples whose prediction is correct and accepted at the threshold */
  inScopeAccepted: number;
  inScopeExamples: number;
  /** out-of-scope examples rejected at the threshold ('oos' only) */
  outOfScopeRejected: number;
  outOfScopeExamples: number;
}

export interface ScoredPrediction {
  confidence: number;
  correct: boolean;
  /** with an out-of-scope class: the prediction is that class */
  predictedOutOfScope?: boolean;
  /** with an out-of-scope class: the example belongs to it */
  goldOutOfScope?: boolean;
}

const MIN_ERRORS = 5;

function candidates(values: number[]): number[] {
  const u = [...new Set(values)].sort((a, b) => a - b);
  const out = [0];
  for (let i = 0; i + 1 < u.length; i++) out.push((u[i] + u[i + 1]) / 2);
  if (u.length > 0) out.push(Math.min(1, u[u.length - 1] + 1e-6));
  return out;
}

/**
 * Threshold maximizing ½·(accepted pos / posTotal) + ½·(rejected neg / neg.length);
 * ties go to the lowest t (accept more).
 */
function balancedThreshold(pos: number[], neg: number[], posTotal = pos.length): { t: number; score: number } {
  let best = { t: 0, score: -1 };
  for (const t of candidates([...pos, ...neg])) {
    const acc = posTotal ? pos.filter((c) => c >= t).length / posTotal : 1;
    const rej = neg.length ? neg.filter((c) => c < t).length / neg.length : 1;
    const score = 0.5 * acc + 0.5 * rej;
    if (score > best.score + 1e-12) best = { t, score };
  }
  return best;
}

/**
 * Threshold maximizing accuracy when predictions under it become out-of-scope; ties go to
 * the lowest t. One pass over the predictions sorted by confidence.
 */
function accuracyThreshold(predictions: ScoredPrediction[], maxThreshold: number): { t: number; score: number } {
  // Raising t past confidence c flips that prediction from `correct` to `goldOutOfScope`.
  const byConf = [...predictions].sort((a, b) => a.confidence - b.confidence);
  let correct = predictions.filter((p) => p.correct).length;
  let best = { t: 0, score: correct };
  for (let i = 0; i < byConf.length; i++) {
    const p = byConf[i];
    correct += Number(p.goldOutOfScope === true) - Number(p.correct);
    const next = byConf[i + 1]?.confidence;
    if (next === p.confidence) continue; // t can only fall between distinct confidences
    const t = next === undefined ? Math.min(1, p.confidence + 1e-6) : (p.confidence + next) / 2;
    if (t > maxThreshold) break;
    if (correct > best.score) best = { t, score: correct };
  }
  return { t: best.t, score: predictions.length ? best.score / predictions.length : 0 };
}

/** Lower percentile (nearest-rank) of values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length) - 1;
  return s[Math.min(s.length - 1, Math.max(0, rank))];
}

export function calibrateThreshold(
  inScope: ScoredPrediction[],
  outOfScope: number[],
  options: { percentile: number; fromTrainingSet: boolean; maxThreshold: number; outOfScopeClass?: boolean },
): ThresholdCalibration {
  const correct = inScope.filter((p) => p.correct).map((p) => p.confidence);
  const wrong = inScope.filter((p) => !p.correct).map((p) => p.confidence);
  const finish = (threshold: number, method: CalibrationMethod, score: number | null): ThresholdCalibration => {
    const t = Math.min(options.maxThreshold, Math.max(0, threshold));
    return {
      threshold: t,
      method,
      score,
      inScopeAccepted: correct.filter((c) => c >= t).length,
      inScopeExamples: inScope.length,
      outOfScopeRejected: outOfScope.filter((c) => c < t).length,
      outOfScopeExamples: outOfScope.length,
    };
  };
  if (inScope.length === 0) return finish(0, 'none', null);
  if (options.outOfScopeClass) {
    const { t, score } = accuracyThreshold(inScope, options.maxThreshold);
    return finish(t, 'accuracy', score);
  }
  if (outOfScope.length > 0) {
    // a wrong in-scope prediction stays wrong whether accepted or not, hence posTotal = all in-scope
    const { t, score } = balancedThreshold(correct, outOfScope, inScope.length);
    return finish(t, 'oos', score);
  }
  if (wrong.length >= MIN_ERRORS && correct.length > 0) {
    const { t, score } = balancedThreshold(correct, wrong);
    return finish(t, 'errors', score);
  }
  // just below the percentile value, so that value itself is accepted
  const t = Math.max(0, percentile(correct, options.percentile) - 1e-6);
  return finish(t, options.fromTrainingSet ? 'percentile-train' : 'percentile', null);
}
