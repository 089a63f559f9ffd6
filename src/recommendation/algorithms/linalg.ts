/**
 * The inverse of a symmetric positive definite n x n matrix (row-major), through its
 * Cholesky factor: A = L L^T, M = L^-1 row by row, A^-1 = M^T M. About n^3 / 2
 * multiply-adds, every inner loop over contiguous memory. `a` is overwritten.
 */
export function spdInverse(a: Float64Array, n: number, onRow?: (done: number, total: number) => void): Float64Array {
  // Cholesky in place: the lower triangle of `a` becomes L
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(d > 0)) throw new Error(`matrix is not positive definite (pivot ${j}: ${d})`);
    d = Math.sqrt(d);
    a[rj + j] = d;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s / d;
    }
    onRow?.(j + 1, 3 * n);
  }
  // M = L^-1, row i: (e_i - sum_k<i L[i,k] M[k,:]) / L[i,i]
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < i; k++) {
      const l = a[ri + k];
      if (l === 0) continue;
      const rk = k * n;
      for (let c = 0; c <= k; c++) m[ri + c] -= l * m[rk + c];
    }
    m[ri + i] += 1;
    const inv = 1 / a[ri + i];
    for (let c = 0; c <= i; c++) m[ri + c] *= inv;
    onRow?.(n + i + 1, 3 * n);
  }
  // A^-1 = M^T M: a rank-one update per row of M (lower triangle, then mirrored)
  const p = a;
  p.fill(0);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let r = 0; r <= i; r++) {
      const v = m[ri + r];
      if (v === 0) continue;
      const rr = r * n;
      for (let c = 0; c <= r; c++) p[rr + c] += v * m[ri + c];
    }
    onRow?.(2 * n + i + 1, 3 * n);
  }
  for (let r = 0; r < n; r++) for (let c = 0; c < r; c++) p[c * n + r] = p[r * n + c];
  return p;
}
