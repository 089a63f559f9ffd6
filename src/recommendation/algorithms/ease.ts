import { spdInverse } from './linalg';
import { gram, SparseMatrix } from './matrix';
import { NeighborTableBuilder } from './neighbors';
import { NeighborTable } from './types';

export interface EaseOptions {
  /** L2 regularization added to the Gram matrix's diagonal */
  lambda: number;
  /** neighbours kept per item (the largest |B_ij| of each row) */
  neighbors: number;
}

/**
 * EASE (Steck 2019): the item-item matrix B minimizing |X - XB|^2 + lambda |B|^2 with a zero
 * diagonal has the closed form P = (X^T X + lambda I)^-1, B = I - P / diag(P), i.e.
 * B_ij = -P_ij / P_jj and B_ii = 0. One dense inverse: O(n^3) time and n^2 doubles of memory.
 */
export function easeMatrix(x: SparseMatrix, lambda: number, onProgress?: (done: number, total: number) => void): Float64Array {
  const n = x.items;
  const g = gram(x);
  for (let i = 0; i < n; i++) g[i * n + i] += lambda;
  const p = spdInverse(g, n, onProgress);
  const diag = new Float64Array(n);
  for (let j = 0; j < n; j++) diag[j] = p[j * n + j];
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < n; j++) p[ri + j] = i === j ? 0 : -p[ri + j] / diag[j];
  }
  return p;
}

/** EASE as a neighbour table: row i lends B_ij to item j. */
export function trainEase(x: SparseMatrix, options: EaseOptions, onProgress?: (done: number, total: number) => void): NeighborTable {
  const n = x.items;
  const b = easeMatrix(x, options.lambda, onProgress);
  const builder = new NeighborTableBuilder(n, options.neighbors);
  for (let i = 0; i < n; i++) builder.setRow(i, b.subarray(i * n, (i + 1) * n));
  return builder.table;
}
