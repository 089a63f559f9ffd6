/**
 * Evaluation helpers for intents and entities. Plain TypeScript, no dependencies.
 * Conventions: a class with no support and no predictions is left out of macro averages;
 * precision (recall) with no predictions (no gold items) is 0, as in scikit-learn's
 * zero_division=0.
 */
import { Rng } from './rng';

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** number of gold examples of the class */
  support: number;
}

export interface ConfusionMatrix {
  labels: string[];
  /** matrix[gold][predicted], indexed like labels */
  matrix: number[][];
}

function assertSameLength(gold: readonly unknown[], pred: readonly unknown[]): void {
  if (gold.length !== pred.length) throw new Error(`gold has ${gold.length} items, predictions ${pred.length}`);
}

function prf(tp: number, fp: number, fn: number): Omit<ClassScores, 'support'> {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

export function accuracy(gold: readonly string[], pred: readonly string[]): number {
  assertSameLength(gold, pred);
  if (gold.length === 0) return 0;
  let ok = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] === pred[i]) ok++;
  return ok / gold.length;
}

/** Precision/recall/F1 per label seen in gold or predictions, sorted by label. */
export function perClassScores(gold: readonly string[], pred: readonly string[]): Record<string, ClassScores> {
  assertSameLength(gold, pred);
  const labels = [...new Set([...gold, ...pred])].sort();
  const out: Record<string, ClassScores> = {};
  for (const label of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < gold.length; i++) {
      if (pred[i] === label && gold[i] === label) tp++;
      else if (pred[i] === label) fp++;
      else if (gold[i] === label) fn++;
    }
    out[label] = { ...prf(tp, fp, fn), support: tp + fn };
  }
  return out;
}

/** Unweighted mean F1 over labels that occur in gold or predictions. */
export function macroF1(gold: readonly string[], pred: readonly string[]): number {
  const scores = Object.values(perClassScores(gold, pred));
  return scores.length === 0 ? 0 : scores.reduce((s, c) => s + c.f1, 0) / scores.length;
}

export function confusionMatrix(gold: readonly string[], pred: readonly string[], labels?: readonly string[]): ConfusionMatrix {
  assertSameLength(gold, pred);
  const all = labels ? [...labels] : [...new Set([...gold, ...pred])].sort();
  const index = new Map(all.map((l, i) => [l, i]));
  const matrix = all.map(() => all.map(() => 0));
  for (let i = 0; i < gold.length; i++) {
    const g = index.get(gold[i]);
    const p = index.get(pred[i]);
    if (g === undefined || p === undefined) throw new Error(`label "${g === undefined ? gold[i] : pred[i]}" is not in the given labels`);
    matrix[g][p]++;
  }
  return { labels: all, matrix };
}

/** Share of gold out-of-scope examples that were predicted out-of-scope (0 when there are none). */
export function outOfScopeRecall(gold: readonly string[], pred: readonly string[], oosLabel: string): number {
  assertSameLength(gold, pred);
  let total = 0;
  let hit = 0;
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] !== oosLabel) continue;
    total++;
    if (pred[i] === oosLabel) hit++;
  }
  return total === 0 ? 0 : hit / total;
}

export interface Span {
  entity: string;
  start: number;
  end: number;
}

export interface EntityScores {
  perType: Record<string, ClassScores>;
  /** micro-averaged over all types */
  overall: ClassScores;
}

/**
 * Exact-match entity scores: a predicted span counts only when start, end and type all
 * equal a gold span of the same utterance (each gold span can be matched once).
 */
export function entityScores(gold: readonly (readonly Span[])[], pred: readonly (readonly Span[])[]): EntityScores {
  assertSameLength(gold, pred);
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (type: string, key: 'tp' | 'fp' | 'fn') => {
    const c = counts.get(type) ?? { tp: 0, fp: 0, fn: 0 };
    c[key]++;
    counts.set(type, c);
  };
  for (let i = 0; i < gold.length; i++) {
    const unmatched = new Map<string, number>();
    for (const g of gold[i]) {
      const k = `${g.entity}\u0000${g.start}\u0000${g.end}`;
      unmatched.set(k, (unmatched.get(k) ?? 0) + 1);
    }
    for (const p of pred[i]) {
      const k = `${p.entity}\u0000${p.start}\u0000${p.end}`;
      const left = unmatched.get(k) ?? 0;
      if (left > 0) {
        unmatched.set(k, left - 1);
        bump(p.entity, 'tp');
      } else bump(p.entity, 'fp');
    }
    for (const [k, left] of unmatched) for (let j = 0; j < left; j++) bump(k.split('\u0000')[0], 'fn');
  }
  const perType: Record<string, ClassScores> = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const type of [...counts.keys()].sort()) {
    const c = counts.get(type) as { tp: number; fp: number; fn: number };
    perType[type] = { ...prf(c.tp, c.fp, c.fn), support: c.tp + c.fn };
    tp += c.tp;
    fp += c.fp;
    fn += c.fn;
  }
  return { perType, overall: { ...prf(tp, fp, fn), support: tp + fn } };
}

export interface Fold {
  train: number[];
  test: number[];
}

/**
 * k folds over indices 0..n-1, shuffled with `seed`; test folds are disjoint, cover every
 * index once and differ in size by at most one.
 */
export function kFoldSplits(n: number, k: number, seed: number): Fold[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(k) || k < 2 || k > n) throw new Error(`k must be an integer in [2, n=${n}], got ${k}`);
  const order = Array.from({ length: n }, (_, i) => i);
  new Rng(seed).shuffle(order);
  const folds: Fold[] = [];
  let pos = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    const test = order.slice(pos, pos + size).sort((a, b) => a - b);
    const train = [...order.slice(0, pos), ...order.slice(pos + size)].sort((a, b) => a - b);
    folds.push({ train, test });
    pos += size;
  }
  return folds;
}
