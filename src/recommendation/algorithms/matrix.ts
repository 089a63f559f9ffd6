import { Interaction } from './types';

/** A sparse user x item matrix of positive cells, by row (users) and by column (items). */
export interface SparseMatrix {
  users: number;
  items: number;
  /** CSR by user: rowPtr[u]..rowPtr[u+1] index cols/vals */
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
  /** CSC by item */
  colPtr: Int32Array;
  rows: Int32Array;
  colVals: Float64Array;
}

/** Builds the matrix from interactions; cells at or below zero (net dislikes) are left out of training. */
export function buildMatrix(users: number, items: number, cells: Interaction[]): SparseMatrix {
  const pos = cells.filter((c) => c.value > 0);
  const rowPtr = new Int32Array(users + 1);
  const colPtr = new Int32Array(items + 1);
  for (const c of pos) {
    rowPtr[c.user + 1]++;
    colPtr[c.item + 1]++;
  }
  for (let u = 0; u < users; u++) rowPtr[u + 1] += rowPtr[u];
  for (let i = 0; i < items; i++) colPtr[i + 1] += colPtr[i];
  const cols = new Int32Array(pos.length);
  const vals = new Float64Array(pos.length);
  const rows = new Int32Array(pos.length);
  const colVals = new Float64Array(pos.length);
  const rFill = rowPtr.slice(0, users);
  const cFill = colPtr.slice(0, items);
  for (const c of pos) {
    const r = rFill[c.user]++;
    cols[r] = c.item;
    vals[r] = c.value;
    const k = cFill[c.item]++;
    rows[k] = c.user;
    colVals[k] = c.value;
  }
  return { users, items, rowPtr, cols, vals, colPtr, rows, colVals };
}

/** X^T X as a dense row-major n x n matrix (item co-occurrence weighted by the cells). */
export function gram(x: SparseMatrix): Float64Array {
  const n = x.items;
  const g = new Float64Array(n * n);
  for (let u = 0; u < x.users; u++) {
    for (let a = x.rowPtr[u]; a < x.rowPtr[u + 1]; a++) {
      const i = x.cols[a];
      const vi = x.vals[a];
      const row = i * n;
      for (let b = x.rowPtr[u]; b < x.rowPtr[u + 1]; b++) g[row + x.cols[b]] += vi * x.vals[b];
    }
  }
  return g;
}
