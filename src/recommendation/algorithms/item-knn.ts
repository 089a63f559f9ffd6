import { SparseMatrix } from './matrix';
import { NeighborTableBuilder } from './neighbors';
import { NeighborTable } from './types';

export interface ItemKnnOptions {
  /** neighbours kept per item */
  neighbors: number;
  /** added to the norms' product: similarities resting on few co-occurrences shrink towards 0 */
  shrinkage: number;
}

/**
 * Item-based kNN: sim(i, j) = x_i . x_j / (|x_i| |x_j| + shrinkage) over the item columns of
 * the user x item matrix. Computed a row at a time from the sparse columns (memory O(n) per
 * row, any catalog size); the cost is the sum over users of their history length squared.
 */
export function trainItemKnn(x: SparseMatrix, options: ItemKnnOptions, onItem?: (done: number, total: number) => void): NeighborTable {
  const n = x.items;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = x.colPtr[i]; k < x.colPtr[i + 1]; k++) s += x.colVals[k] * x.colVals[k];
    norms[i] = Math.sqrt(s);
  }
  const builder = new NeighborTableBuilder(n, options.neighbors);
  const acc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    for (let k = x.colPtr[i]; k < x.colPtr[i + 1]; k++) {
      const u = x.rows[k];
      const vi = x.colVals[k];
      for (let a = x.rowPtr[u]; a < x.rowPtr[u + 1]; a++) acc[x.cols[a]] += vi * x.vals[a];
    }
    for (let j = 0; j < n; j++) if (acc[j] !== 0) acc[j] /= norms[i] * norms[j] + options.shrinkage;
    builder.setRow(i, acc);
    onItem?.(i + 1, n);
  }
  return builder.table;
}
