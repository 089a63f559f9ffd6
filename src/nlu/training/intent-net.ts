/**
 * The intent network and its sparse training step, in plain TypeScript typed arrays.
 *
 *   z = x·inW + e·inE + inB            x: sparse hashed features [dim], e: optional dense embedding
 *   hidden > 0:  logits = dropout(relu(z))·outW + outB
 *   hidden = 0:  logits = z            (softmax regression)
 *   probs = softmax(logits)
 *
 * x has ~100 non-zeros out of 2^16, so the first layer is a gather-sum of inW rows
 * (an "EmbeddingBag"), never a dense product, both here and in the exported ONNX graph.
 * Adam on inW is lazy (TensorFlow's LazyAdam): only rows present in the batch have their
 * moments and weights updated, which keeps a step O(batch · nnz · k) instead of O(dim · k).
 */
import { Rng } from './rng';

// Module-scope aliases: inside jest's vm context every access to a global such as `Math`
// goes through an interceptor, which made the hot loops several times slower under test.
const { exp, log, sqrt } = Math;

export interface NetShape {
  /** hashed feature space size */
  dim: number;
  /** 0 = softmax regression */
  hidden: number;
  classes: number;
  /** size of the optional dense input (sentence embedding); 0 when unused */
  embeddingDim: number;
}

export interface IntentWeights {
  /** [dim, k] row-major, k = hidden || classes */
  inW: Float32Array;
  /** [embeddingDim, k] */
  inE: Float32Array;
  /** [k] */
  inB: Float32Array;
  /** [hidden, classes]; empty when hidden = 0 */
  outW: Float32Array;
  /** [classes]; empty when hidden = 0 */
  outB: Float32Array;
}

/** Training set in CSR form: example i owns ids/vals[offsets[i] .. offsets[i+1]). */
export interface CsrData {
  offsets: Int32Array;
  ids: Int32Array;
  vals: Float32Array;
  labels: Int32Array;
  /** [n, embeddingDim] or null */
  emb: Float32Array | null;
}

export function firstLayerWidth(s: NetShape): number {
  return s.hidden > 0 ? s.hidden : s.classes;
}

/** Eval-mode forward pass for one example; float64 accumulation. Writes probs into `out`. */
export function forwardExample(
  s: NetShape,
  w: IntentWeights,
  ids: ArrayLike<number>,
  vals: ArrayLike<number>,
  emb: Float32Array | null,
  embOffset: number,
  out: Float64Array,
  z: Float64Array = new Float64Array(firstLayerWidth(s)),
): Float64Array {
  const k = firstLayerWidth(s);
  for (let j = 0; j < k; j++) z[j] = w.inB[j];
  for (let n = 0; n < ids.length; n++) {
    const v = vals[n];
    if (v === 0) continue;
    const row = ids[n] * k;
    for (let j = 0; j < k; j++) z[j] += v * w.inW[row + j];
  }
  if (emb && s.embeddingDim > 0) {
    for (let e = 0; e < s.embeddingDim; e++) {
      const v = emb[embOffset + e];
      const row = e * k;
      for (let j = 0; j < k; j++) z[j] += v * w.inE[row + j];
    }
  }
  if (s.hidden === 0) {
    for (let c = 0; c < s.classes; c++) out[c] = z[c];
  } else {
    for (let c = 0; c < s.classes; c++) out[c] = w.outB[c];
    for (let h = 0; h < s.hidden; h++) {
      const a = z[h] > 0 ? z[h] : 0;
      if (a === 0) continue;
      const row = h * s.classes;
      for (let c = 0; c < s.classes; c++) out[c] += a * w.outW[row + c];
    }
  }
  softmaxInPlace(out, s.classes);
  return out;
}

export function softmaxInPlace(x: Float64Array, n: number): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i] = exp(x[i] - max);
  for (let i = 0; i < n; i++) x[i] /= sum;
}

export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** decoupled weight decay (AdamW); not applied to biases */
  weightDecay: number;
}

interface DenseGrads {
  inE: Float64Array;
  inB: Float64Array;
  outW: Float64Array;
  outB: Float64Array;
}

interface AdamStep {
  /** learning rate with Adam's bias corrections folded in */
  lrT: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 - lr · weightDecay */
  decay: number;
}

/** Adam on p[pOff .. pOff+n) with gradient g[gOff ..); a plain function so V8 inlines and specializes it. */
function adamUpdate(p: Float32Array, m: Float32Array, v: Float32Array, g: Float64Array, pOff: number, gOff: number, n: number, h: AdamStep, decayed: boolean): void {
  const { lrT, beta1, beta2, epsilon } = h;
  const decay = decayed ? h.decay : 1;
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  for (let j = 0; j < n; j++) {
    const gj = g[gOff + j];
    const idx = pOff + j;
    const mj = beta1 * m[idx] + c1 * gj;
    const vj = beta2 * v[idx] + c2 * gj * gj;
    m[idx] = mj;
    v[idx] = vj;
    p[idx] = p[idx] * decay - (lrT * mj) / (sqrt(vj) + epsilon);
  }
}

function uniformArray(n: number, limit: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * limit;
  return a;
}

/** Weights plus optimizer state; one instance per training run. */
export class IntentNetTrainer {
  readonly weights: IntentWeights;
  /** rows of inW that received a gradient at least once */
  readonly touched: Uint8Array;
  private readonly k: number;
  private readonly m: IntentWeights;
  private readonly v: IntentWeights;
  private readonly g: DenseGrads; // inW's gradient lives in gRows, one row per id in the batch
  private readonly slotOf: Int32Array; // row -> slot in gRows for the current batch, -1 if absent
  private batchRows: number[] = [];
  private gRows = new Float64Array(0);
  private step = 0;
  private best: { weights: IntentWeights; touched: Uint8Array } | null = null;
  private readonly z: Float64Array;
  private readonly a: Float64Array;
  private readonly mask: Float64Array;
  private readonly probs: Float64Array;
  private readonly dz: Float64Array;

  constructor(
    readonly shape: NetShape,
    private readonly adam: AdamConfig,
    rng: Rng,
    /** half-width of the uniform init of inW (inputs are L2-normalized, so z's scale ≈ this) */
    initScale = 0.5,
  ) {
    const { dim, hidden, classes, embeddingDim } = shape;
    const k = (this.k = firstLayerWidth(shape));
    const zeros = (): IntentWeights => ({
      inW: new Float32Array(dim * k),
      inE: new Float32Array(embeddingDim * k),
      inB: new Float32Array(k),
      outW: new Float32Array(hidden * classes),
      outB: new Float32Array(hidden > 0 ? classes : 0),
    });
    // Softmax regression is convex: zero init is fine and leaves unseen rows exactly zero.
    this.weights = {
      inW: hidden > 0 ? uniformArray(dim * k, initScale, rng) : new Float32Array(dim * k),
      inE: uniformArray(embeddingDim * k, Math.sqrt(6 / (embeddingDim + k)), rng),
      inB: new Float32Array(k),
      outW: uniformArray(hidden * classes, Math.sqrt(6 / (hidden + classes)), rng),
      outB: new Float32Array(hidden > 0 ? classes : 0),
    };
    this.m = zeros();
    this.v = zeros();
    this.g = {
      inE: new Float64Array(embeddingDim * k),
      inB: new Float64Array(k),
      outW: new Float64Array(hidden * classes),
      outB: new Float64Array(hidden > 0 ? classes : 0),
    };
    this.touched = new Uint8Array(dim);
    this.slotOf = new Int32Array(dim).fill(-1);
    this.z = new Float64Array(k);
    this.a = new Float64Array(k);
    this.mask = new Float64Array(k);
    this.probs = new Float64Array(classes);
    this.dz = new Float64Array(k);
  }

  /**
   * Forward + backward over `batch` (example indices into `data`), accumulating gradients
   * of the mean class-weighted cross-entropy. Returns the summed weighted loss.
   * Arrays are read into locals first: V8 keeps them in registers in the hot loops.
   */
  computeGradients(batch: ArrayLike<number>, data: CsrData, classWeight: Float64Array, dropout: number, rng: Rng): number {
    const { hidden, classes, embeddingDim } = this.shape;
    const { k, z, a, mask, probs, dz, slotOf } = this;
    const { inW, inE, inB, outW, outB } = this.weights;
    const { offsets, ids, vals, labels, emb } = data;
    const g = this.g;
    this.resetGradients(batch, data);
    const gRows = this.gRows;
    const gInB = g.inB;
    const gOutW = g.outW;
    const scale = 1 / batch.length;
    const keepScale = 1 / (1 - dropout);
    let loss = 0;
    for (let b = 0; b < batch.length; b++) {
      const i = batch[b];
      const lo = offsets[i];
      const hi = offsets[i + 1];
      const y = labels[i];
      const embOff = i * embeddingDim;
      for (let j = 0; j < k; j++) z[j] = inB[j];
      for (let n = lo; n < hi; n++) {
        const val = vals[n];
        const row = ids[n] * k;
        for (let j = 0; j < k; j++) z[j] += val * inW[row + j];
      }
      if (emb) {
        for (let e = 0; e < embeddingDim; e++) {
          const val = emb[embOff + e];
          const row = e * k;
          for (let j = 0; j < k; j++) z[j] += val * inE[row + j];
        }
      }
      if (hidden > 0) {
        for (let c = 0; c < classes; c++) probs[c] = outB[c];
        for (let h = 0; h < hidden; h++) {
          mask[h] = dropout > 0 && rng.next() < dropout ? 0 : keepScale;
          const ah = z[h] > 0 ? z[h] * mask[h] : 0;
          a[h] = ah;
          if (ah === 0) continue;
          const row = h * classes;
          for (let c = 0; c < classes; c++) probs[c] += ah * outW[row + c];
        }
      } else {
        for (let c = 0; c < classes; c++) probs[c] = z[c];
      }
      softmaxInPlace(probs, classes);
      const cw = classWeight[y];
      loss += -cw * log(probs[y] > 1e-12 ? probs[y] : 1e-12);
      // probs becomes dLoss/dlogits
      const f = cw * scale;
      for (let c = 0; c < classes; c++) probs[c] = f * (c === y ? probs[c] - 1 : probs[c]);
      if (hidden > 0) {
        for (let c = 0; c < classes; c++) g.outB[c] += probs[c];
        for (let h = 0; h < hidden; h++) {
          // a unit that was off (ReLU or dropout) gets and passes back no gradient
          const ah = a[h];
          if (ah === 0) {
            dz[h] = 0;
            continue;
          }
          const row = h * classes;
          let d = 0;
          for (let c = 0; c < classes; c++) {
            gOutW[row + c] += ah * probs[c];
            d += outW[row + c] * probs[c];
          }
          dz[h] = d * mask[h];
        }
      } else {
        for (let c = 0; c < classes; c++) dz[c] = probs[c];
      }
      for (let j = 0; j < k; j++) gInB[j] += dz[j];
      if (emb) {
        for (let e = 0; e < embeddingDim; e++) {
          const val = emb[embOff + e];
          const row = e * k;
          for (let j = 0; j < k; j++) g.inE[row + j] += val * dz[j];
        }
      }
      for (let n = lo; n < hi; n++) {
        const val = vals[n];
        const slot = slotOf[ids[n]] * k;
        for (let j = 0; j < k; j++) gRows[slot + j] += val * dz[j];
      }
    }
    return loss;
  }

  private resetGradients(batch: ArrayLike<number>, data: CsrData): void {
    for (const r of this.batchRows) this.slotOf[r] = -1;
    this.batchRows = [];
    for (let b = 0; b < batch.length; b++) {
      const i = batch[b];
      for (let n = data.offsets[i]; n < data.offsets[i + 1]; n++) {
        const r = data.ids[n];
        if (this.slotOf[r] < 0) {
          this.slotOf[r] = this.batchRows.length;
          this.batchRows.push(r);
        }
      }
    }
    const need = this.batchRows.length * this.k;
    if (this.gRows.length < need) this.gRows = new Float64Array(Math.max(need, this.gRows.length * 2));
    else this.gRows.fill(0, 0, need);
    const g = this.g;
    g.inE.fill(0);
    g.inB.fill(0);
    g.outW.fill(0);
    g.outB.fill(0);
  }

  /** The accumulated gradient of inW[row, j] (for gradient checks); 0 for rows not in the batch. */
  gradInW(row: number, j: number): number {
    const slot = this.slotOf[row];
    return slot < 0 ? 0 : this.gRows[slot * this.k + j];
  }

  /** The accumulated dense gradients (for gradient checks). */
  get denseGradients(): Readonly<DenseGrads> {
    return this.g;
  }

  /** One Adam step with the gradients from computeGradients(). */
  applyAdam(): void {
    const { learningRate: lr, beta1, beta2, epsilon, weightDecay } = this.adam;
    this.step++;
    const lrT = (lr * sqrt(1 - beta2 ** this.step)) / (1 - beta1 ** this.step);
    const decay = 1 - lr * weightDecay;
    const { weights: w, m, v, g, k } = this;
    const h: AdamStep = { lrT, beta1, beta2, epsilon, decay };
    adamUpdate(w.inE, m.inE, v.inE, g.inE, 0, 0, w.inE.length, h, true);
    adamUpdate(w.inB, m.inB, v.inB, g.inB, 0, 0, w.inB.length, h, false);
    adamUpdate(w.outW, m.outW, v.outW, g.outW, 0, 0, w.outW.length, h, true);
    adamUpdate(w.outB, m.outB, v.outB, g.outB, 0, 0, w.outB.length, h, false);
    const rows = this.batchRows;
    for (let s = 0; s < rows.length; s++) {
      const r = rows[s];
      this.touched[r] = 1;
      adamUpdate(w.inW, m.inW, v.inW, this.gRows, r * k, s * k, k, h, true);
    }
  }

  /**
   * Remembers the current weights as the best so far (early stopping). The copy goes into
   * buffers allocated once: a fresh 16 MB copy per improving epoch kept the GC busy.
   */
  keepBest(): void {
    const w = this.weights;
    if (!this.best) {
      this.best = { weights: { inW: w.inW.slice(), inE: w.inE.slice(), inB: w.inB.slice(), outW: w.outW.slice(), outB: w.outB.slice() }, touched: this.touched.slice() };
      return;
    }
    const b = this.best.weights;
    b.inW.set(w.inW);
    b.inE.set(w.inE);
    b.inB.set(w.inB);
    b.outW.set(w.outW);
    b.outB.set(w.outB);
    this.best.touched.set(this.touched);
  }

  /**
   * The kept weights (the current ones if none were kept), with inW rows that had not been
   * trained at that point set to zero: they still hold their random init, and features
   * never seen in training must add nothing at parse time (the export also drops them).
   */
  bestWeights(): IntentWeights {
    if (!this.best) this.keepBest();
    const { weights, touched } = this.best as { weights: IntentWeights; touched: Uint8Array };
    const k = this.k;
    for (let r = 0; r < this.shape.dim; r++) if (!touched[r]) weights.inW.fill(0, r * k, (r + 1) * k);
    return weights;
  }
}
