/**
 * A fixed held-out split for evaluating NLU models on the bundled (or any) data.
 *
 * Stratified: every (lang, intent) group gives round(n * testFraction) examples to the
 * test set (at least one example always stays in train), so per-intent, per-language
 * accuracy is measurable and no intent disappears from training.
 * Deterministic: the same data, fraction and seed give the same split on every machine.
 * Each group is shuffled with its own PRNG seeded from (seed, lang, intent), so adding
 * examples of one intent does not reshuffle the split of the others.
 */
import { mulberry32 } from '../../common/random';
import type { NluTrainingData, TrainingExample } from '../core/types';

export interface TrainTestSplit {
  /** training examples plus the data set's lookups, synonyms and regexes */
  train: NluTrainingData;
  test: TrainingExample[];
}

/** FNV-1a over UTF-16 units: a stable 32-bit seed from text. */
function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Splits `data.examples` into train and test, stratified by language and intent.
 * Both sides keep the original example order. `testFraction` must be in [0, 1);
 * `seed` is any integer.
 */
export function splitTrainTest(data: NluTrainingData, testFraction: number, seed: number): TrainTestSplit {
  if (!(testFraction >= 0 && testFraction < 1)) throw new RangeError(`testFraction must be in [0, 1), got ${testFraction}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);

  const groups = new Map<string, number[]>();
  data.examples.forEach((ex, i) => {
    const key = `${ex.lang ?? ''}\u0000${ex.intent}`;
    const members = groups.get(key) ?? [];
    members.push(i);
    groups.set(key, members);
  });

  const inTest = new Set<number>();
  for (const [key, members] of groups) {
    const nTest = Math.min(Math.round(members.length * testFraction), members.length - 1);
    if (nTest <= 0) continue;
    const rand = mulberry32(hash32(key, seed | 0));
    const order = [...members];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const idx of order.slice(0, nTest)) inTest.add(idx);
  }

  const train: TrainingExample[] = [];
  const test: TrainingExample[] = [];
  data.examples.forEach((ex, i) => (inTest.has(i) ? test : train).push(ex));
  return {
    train: { examples: train, lookups: data.lookups, synonyms: data.synonyms, regexes: data.regexes },
    test,
  };
}
