import { NeighborTable } from './types';

/** Keeps, per row, the `m` entries of largest magnitude (the diagonal excluded). */
export class NeighborTableBuilder {
  readonly table: NeighborTable;

  constructor(n: number, m: number) {
    const width = Math.max(1, Math.min(m, n - 1));
    this.table = { n, m: width, idx: new Int32Array(n * width).fill(-1), w: new Float32Array(n * width) };
  }

  /** Row `i` from its dense values (length n). */
  setRow(i: number, values: ArrayLike<number>): void {
    const { m, idx, w } = this.table;
    const order: number[] = [];
    for (let j = 0; j < values.length; j++) if (j !== i && values[j] !== 0) order.push(j);
    order.sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b);
    const base = i * m;
    for (let s = 0; s < Math.min(m, order.length); s++) {
      idx[base + s] = order[s];
      w[base + s] = values[order[s]];
    }
  }
}

/** What one history item lent to a scored item. */
export interface Contribution {
  from: number;
  amount: number;
}

/**
 * Scores every item from a history (item index -> weight): score(j) = sum_i x(i) * W[i -> j].
 * This is the fold-in of item-item models: the history is read at request time, so an event
 * a second old already counts. `contributions` (when asked) keeps, per scored item, what each
 * history item added, for "because you bought X".
 */
export function scoreHistory(t: NeighborTable, history: Map<number, number>, withContributions = false): { scores: Float64Array; contributions?: Map<number, Contribution[]> } {
  const scores = new Float64Array(t.n);
  const contributions = withContributions ? new Map<number, Contribution[]>() : undefined;
  for (const [i, x] of history) {
    if (i < 0 || i >= t.n || x === 0) continue;
    const base = i * t.m;
    for (let s = 0; s < t.m; s++) {
      const j = t.idx[base + s];
      if (j < 0) break;
      const amount = x * t.w[base + s];
      scores[j] += amount;
      if (contributions) {
        const list = contributions.get(j) ?? [];
        list.push({ from: i, amount });
        contributions.set(j, list);
      }
    }
  }
  return { scores, contributions };
}

/** The neighbours of one item, strongest first. */
export function neighborsOf(t: NeighborTable, i: number): { item: number; weight: number }[] {
  const out: { item: number; weight: number }[] = [];
  for (let s = 0; s < t.m; s++) {
    const j = t.idx[i * t.m + s];
    if (j < 0) break;
    out.push({ item: j, weight: t.w[i * t.m + s] });
  }
  return out.sort((a, b) => b.weight - a.weight);
}
