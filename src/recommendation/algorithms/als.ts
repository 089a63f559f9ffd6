import { SparseMatrix } from './matrix';

/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky 2008) with the conjugate-gradient solver of
 * Takács et al. that the `implicit` library uses: a cell r_ui > 0 is a preference of 1 with
 * confidence c_ui = 1 + alpha * r_ui, every other cell a preference of 0 with confidence 1. The
 * loss is sum_ui c_ui (p_ui - x_u . y_i)^2 + lambda (|X|^2 + |Y|^2). Each half-step solves, for
 * every user (then every item),
 *   (Y^T Y + lambda I + sum_{i in u} (c_ui - 1) y_i y_i^T) x_u = sum_{i in u} c_ui y_i
 * with a few CG steps started from the current x_u, so one step costs O(nnz * k + users * k^2).
 */
export interface AlsOptions {
  factors: number;
  regularization: number;
  alpha: number;
  iterations: number;
  /** CG steps per solve (implicit's default is 3) */
  cgSteps: number;
  seed: number;
}

export interface AlsModel {
  items: number;
  factors: number;
  /** items x factors, row-major */
  itemFactors: Float32Array;
  regularization: number;
  alpha: number;
}

/** Trains on the positive cells; returns the item factors (users are re-solved from their history when served) and the user factors of training. */
export function trainAls(x: SparseMatrix, o: AlsOptions, progress: (done: number, total: number) => void = () => undefined): { model: AlsModel; userFactors: Float64Array; loss: number[] } {
  const k = o.factors;
  const next = lcg(o.seed);
  const init = (n: number) => Float64Array.from({ length: n * k }, () => (next() - 0.5) * (0.1 / Math.sqrt(k)));
  const xu = init(x.users);
  const yi = init(x.items);
  const loss: number[] = [];
  for (let it = 0; it < o.iterations; it++) {
    cgHalfStep(xu, yi, x.users, x.rowPtr, x.cols, x.vals, k, o);
    cgHalfStep(yi, xu, x.items, x.colPtr, x.rows, x.colVals, k, o);
    loss.push(alsLoss(x, xu, yi, k, o));
    progress(it + 1, o.iterations);
  }
  return { model: { items: x.items, factors: k, itemFactors: Float32Array.from(yi), regularization: o.regularization, alpha: o.alpha }, userFactors: xu, loss };
}

/** The full objective (for tests and progress): confidence-weighted squared error over every cell plus the L2 term. */
export function alsLoss(x: SparseMatrix, xu: Float64Array, yi: Float64Array, k: number, o: Pick<AlsOptions, 'alpha' | 'regularization'>): number {
  // sum over all cells of (0 - x.y)^2 = sum_u x_u^T (Y^T Y) x_u; then correct the observed cells
  const g = gramOf(yi, x.items, k);
  let total = 0;
  for (let u = 0; u < x.users; u++) {
    const xo = u * k;
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let b = 0; b < k; b++) s += g[a * k + b] * xu[xo + b];
      total += xu[xo + a] * s;
    }
    for (let p = x.rowPtr[u]; p < x.rowPtr[u + 1]; p++) {
      const d = dotAt(xu, xo, yi, x.cols[p] * k, k);
      const c = 1 + o.alpha * x.vals[p];
      total += c * (1 - d) * (1 - d) - d * d;
    }
  }
  let norms = 0;
  for (const v of xu) norms += v * v;
  for (const v of yi) norms += v * v;
  return total + o.regularization * norms;
}

/**
 * The user vector that the trained item factors give a history (item -> value; values at or
 * below 0 are left out, as in training): implicit's recalculate_user, solved exactly
 * (a k x k Cholesky), so an event a second old counts without retraining.
 */
export function solveUser(model: AlsModel, history: Map<number, number>, gram: Float64Array = itemGram(model)): Float64Array {
  const k = model.factors;
  const a = Float64Array.from(gram);
  for (let d = 0; d < k; d++) a[d * k + d] += model.regularization;
  const b = new Float64Array(k);
  const y = model.itemFactors;
  for (const [i, r] of history) {
    if (!(r > 0) || i < 0 || i >= model.items) continue;
    const c = 1 + model.alpha * r;
    const o = i * k;
    for (let p = 0; p < k; p++) {
      b[p] += c * y[o + p];
      const yp = (c - 1) * y[o + p];
      for (let q = 0; q < k; q++) a[p * k + q] += yp * y[o + q];
    }
  }
  return choleskySolve(a, b, k);
}

/** score_j = x_u . y_j for every item: the user vector times the item matrix. */
export function scoreAls(model: AlsModel, user: Float64Array): Float64Array {
  const k = model.factors;
  const y = model.itemFactors;
  const out = new Float64Array(model.items);
  for (let j = 0; j < model.items; j++) {
    let s = 0;
    const o = j * k;
    for (let p = 0; p < k; p++) s += user[p] * y[o + p];
    out[j] = s;
  }
  return out;
}

/** Y^T Y of the item factors (k x k), what every user solve starts from: computed once per served version. */
export function itemGram(model: AlsModel): Float64Array {
  return gramOf(model.itemFactors, model.items, model.factors);
}

function cgHalfStep(target: Float64Array, other: Float64Array, rowsN: number, ptr: Int32Array, idx: Int32Array, vals: Float64Array, k: number, o: AlsOptions): void {
  const g = gramOf(other, other.length / k, k);
  const r = new Float64Array(k);
  const p = new Float64Array(k);
  const ap = new Float64Array(k);
  for (let u = 0; u < rowsN; u++) {
    const xo = u * k;
    // r = b - A x, with b = sum c y_i and A x = (G + lambda I) x + sum (c - 1)(y_i . x) y_i
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let b = 0; b < k; b++) s += g[a * k + b] * target[xo + b];
      r[a] = -s - o.regularization * target[xo + a];
    }
    for (let q = ptr[u]; q < ptr[u + 1]; q++) {
      const yo = idx[q] * k;
      const c = 1 + o.alpha * vals[q];
      const f = c - (c - 1) * dotAt(other, yo, target, xo, k);
      for (let a = 0; a < k; a++) r[a] += f * other[yo + a];
    }
    p.set(r);
    let rs = dot(r, r);
    for (let step = 0; step < o.cgSteps && rs > 1e-20; step++) {
      for (let a = 0; a < k; a++) {
        let s = 0;
        for (let b = 0; b < k; b++) s += g[a * k + b] * p[b];
        ap[a] = s + o.regularization * p[a];
      }
      for (let q = ptr[u]; q < ptr[u + 1]; q++) {
        const yo = idx[q] * k;
        const c = 1 + o.alpha * vals[q];
        let d = 0;
        for (let a = 0; a < k; a++) d += other[yo + a] * p[a];
        const f = (c - 1) * d;
        for (let a = 0; a < k; a++) ap[a] += f * other[yo + a];
      }
      const alpha = rs / dot(p, ap);
      for (let a = 0; a < k; a++) {
        target[xo + a] += alpha * p[a];
        r[a] -= alpha * ap[a];
      }
      const rsNew = dot(r, r);
      for (let a = 0; a < k; a++) p[a] = r[a] + (rsNew / rs) * p[a];
      rs = rsNew;
    }
  }
}

function gramOf(m: ArrayLike<number>, rows: number, k: number): Float64Array {
  const g = new Float64Array(k * k);
  for (let i = 0; i < rows; i++) {
    const o = i * k;
    for (let a = 0; a < k; a++) {
      const va = m[o + a];
      if (va === 0) continue;
      for (let b = a; b < k; b++) g[a * k + b] += va * m[o + b];
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) g[a * k + b] = g[b * k + a];
  return g;
}

/** Solves A x = b for a symmetric positive definite A (k x k, row-major; overwritten). */
function choleskySolve(a: Float64Array, b: Float64Array, k: number): Float64Array {
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j];
    for (let p = 0; p < j; p++) d -= a[j * k + p] * a[j * k + p];
    const l = Math.sqrt(Math.max(d, 1e-12));
    a[j * k + j] = l;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j];
      for (let p = 0; p < j; p++) s -= a[i * k + p] * a[j * k + p];
      a[i * k + j] = s / l;
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let p = 0; p < i; p++) s -= a[i * k + p] * y[p];
    y[i] = s / a[i * k + i];
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i];
    for (let p = i + 1; p < k; p++) s -= a[p * k + i] * x[p];
    x[i] = s / a[i * k + i];
  }
  return x;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function dotAt(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) s += a[ao + i] * b[bo + i];
  return s;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
