import type { CausalLmShape } from './model-shape';

/**
 * The KV cache of the running batch: per layer, keys and values as [rows, heads, len, dim]
 * float32, left-padded so every row ends at the same column. A row's `mask` marks which
 * columns are real tokens (1) or padding (0). Rows join (after their prefill) and leave (done
 * or cancelled) between decode steps; each change re-lays the arrays out, which costs a
 * copy of the cache (joiners come in groups, see prefill-plan.ts, so one copy per group),
 * while a decode step just adopts the model's `present` outputs.
 */
export class BatchKvCache {
  /** layer-major: keys[i] and values[i] */
  keys: Float32Array[] = [];
  values: Float32Array[] = [];
  /** per row: 1 for a real token column, 0 for padding */
  masks: Uint8Array[] = [];
  length = 0;

  constructor(private readonly shape: Pick<CausalLmShape, 'layers' | 'kvHeads' | 'headDim'>) {
    for (let i = 0; i < shape.layers; i++) {
      this.keys.push(new Float32Array(0));
      this.values.push(new Float32Array(0));
    }
  }

  get rows(): number {
    return this.masks.length;
  }

  get bytes(): number {
    return this.rows * this.length * this.shape.layers * 2 * this.shape.kvHeads * this.shape.headDim * 4;
  }

  private relayout(rowSources: { src: number; pad: number; len: number; from: Float32Array[] | null; fromValues: Float32Array[] | null; srcLen: number; srcRows: number }[], newLen: number): void {
    const { kvHeads: H, headDim: D } = this.shape;
    const rows = rowSources.length;
    for (let layer = 0; layer < this.shape.layers; layer++) {
      const k = new Float32Array(rows * H * newLen * D);
      const v = new Float32Array(rows * H * newLen * D);
      rowSources.forEach((r, dst) => {
        const kSrc = r.from![layer];
        const vSrc = r.fromValues![layer];
        for (let h = 0; h < H; h++) {
          const s = ((r.src * H + h) * r.srcLen + (r.srcLen - r.len)) * D;
          const d = ((dst * H + h) * newLen + r.pad) * D;
          k.set(kSrc.subarray(s, s + r.len * D), d);
          v.set(vSrc.subarray(s, s + r.len * D), d);
        }
      });
      this.keys[layer] = k;
      this.values[layer] = v;
    }
    this.length = newLen;
  }

  /**
   * Adds the rows of a prefill's present tensors ([rows, heads, srcLen, dim] per layer,
   * left-padded: row `i` holds its `lens[i]` tokens in the last columns). Returns the
   * index of the first added row.
   */
  addRows(presentKeys: Float32Array[], presentValues: Float32Array[], srcLen: number, lens: number[]): number {
    const first = this.rows;
    const newLen = Math.max(this.length, ...lens);
    if (this.rows === 0 && lens.every((len) => len === srcLen)) {
      // An empty batch joined by unpadded rows: the present tensors already are the cache.
      this.keys = presentKeys;
      this.values = presentValues;
      this.length = srcLen;
    } else {
      const sources = this.masks.map((m, i) => ({ src: i, pad: newLen - this.length, len: this.length, from: this.keys, fromValues: this.values, srcLen: this.length, srcRows: this.rows }));
      lens.forEach((len, i) => sources.push({ src: i, pad: newLen - len, len, from: presentKeys, fromValues: presentValues, srcLen, srcRows: lens.length }));
      this.relayout(sources, newLen);
    }
    this.masks = this.masks.map((m) => concatMask(new Uint8Array(newLen - m.length), m));
    for (const len of lens) {
      const mask = new Uint8Array(newLen);
      mask.fill(1, newLen - len);
      this.masks.push(mask);
    }
    return first;
  }

  /** Keeps only the listed rows, then drops leading columns that are padding in every row. */
  keepRows(keep: number[]): void {
    if (keep.length === this.rows) return;
    const trim = keep.length === 0 ? this.length : Math.min(...keep.map((r) => leadingZeros(this.masks[r])));
    const newLen = this.length - trim;
    this.relayout(
      keep.map((src) => ({ src, pad: 0, len: newLen, from: this.keys, fromValues: this.values, srcLen: this.length, srcRows: this.rows })),
      newLen,
    );
    this.masks = keep.map((r) => this.masks[r].slice(trim));
  }

  /** After a decode step: the model's present tensors are the cache, one column longer. */
  adopt(presentKeys: Float32Array[], presentValues: Float32Array[]): void {
    this.keys = presentKeys;
    this.values = presentValues;
    this.length += 1;
    this.masks = this.masks.map((m) => concatMask(m, ONE));
  }

  /** attention_mask for the next decode step: each row's mask plus the new token. */
  stepMask(): BigInt64Array {
    const L = this.length + 1;
    const out = new BigInt64Array(this.rows * L);
    this.masks.forEach((m, r) => {
      for (let j = 0; j < m.length; j++) if (m[j]) out[r * L + j] = 1n;
      out[r * L + L - 1] = 1n;
    });
    return out;
  }

  clear(): void {
    this.keepRows([]);
  }
}

const ONE = Uint8Array.of(1);

function concatMask(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function leadingZeros(m: Uint8Array): number {
  let i = 0;
  while (i < m.length && m[i] === 0) i++;
  return i;
}
