/**
 * Vocabulary-wide reductions for the sampler. The loops take Float32Array only: a hot
 * loop that sees two array types turns polymorphic in V8 and runs several times slower. Math.exp costs ~12 ns in V8, so one
 * pass over a 50k vocabulary is ~0.6 ms, as much as the rest of a sampling step; this
 * exp is ~2x faster at a relative error below 1e-8, far finer than float32 logits.
 */

const LOG2E = 1.4426950408889634;
const LN2 = 0.6931471805599453;
const POW2_BIAS = 1100;
/** 2^k for integer k in [-1100, 1099], so the scale step is a table read. */
const POW2 = new Float64Array(2 * POW2_BIAS);
for (let k = 0; k < POW2.length; k++) POW2[k] = Math.pow(2, k - POW2_BIAS);

/**
 * e^x for x <= 0 (the sampler always subtracts the max first); 0 below -745, where
 * doubles underflow anyway. Range reduction to 2^k * e^y with |y| <= ln2/2, then a
 * degree-7 Taylor polynomial (truncation error < 1e-8 relative).
 */
export function expNonPositive(x: number): number {
  if (!(x > -745)) return 0;
  const t = x * LOG2E;
  // floor(t + 0.5), not Math.round: V8's round branches on the data, and on a shuffled
  // logits row the mispredictions doubled the cost of the whole pass.
  const k = Math.floor(t + 0.5);
  const y = (t - k) * LN2;
  const p = 1 + y * (1 + y * (0.5 + y * (1 / 6 + y * (1 / 24 + y * (1 / 120 + y * (1 / 720 + y * (1 / 5040)))))));
  return p * POW2[k + POW2_BIAS];
}

/** Index of the largest value, the lowest index among equals; throws on NaN. */
export function argmax(values: Float32Array, n = values.length): number {
  let best = 0;
  let bestValue = values[0];
  for (let i = 1; i < n; i++) {
    const v = values[i];
    if (v > bestValue) {
      bestValue = v;
      best = i;
    } else if (v !== v) {
      throw new Error('logits contain NaN');
    }
  }
  if (bestValue !== bestValue) throw new Error('logits contain NaN');
  return best;
}

/** log(sum(exp(values[0..n)))) computed stably (shifted by the max). */
export function logSumExp(values: Float32Array, n = values.length): number {
  // Its own max loop rather than argmax(): inlining argmax here kept V8 from inlining
  // the exp, which made this 3x slower.
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
  if (max === -Infinity || max === Infinity) return max;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += expNonPositive(values[i] - max);
  return max + Math.log(sum);
}
