import type { CausalLmShape } from './model-shape';

interface RowSource {
  /** row index in `keys` / `values` */
  src: number;
  /** padding columns before the copied ones in the new layout */
  pad: number;
  /** columns copied: the last `len` of the source row */
  len: number;
  keys: Float32Array[];
  values: Float32Array[];
  srcLen: number;
}

/**
 * The KV cache of the running batch: per layer, keys and values as [rows, heads, len, dim]
 * float32, left-padded so every row ends at the same column. A row's real tokens are
 * always its last columns (rows join left-padded and grow at the end), so each row is
 * described by its padding: `pads[r]` leading columns that the attention mask hides.
 * Rows join (after their prefill) and leave (done or cancelled) between decode steps;
 * each change re-lays the arrays out, which costs a copy of the cache (joiners come in
 * groups, see prefill-plan.ts, so one copy per group), while a decode step just adopts
 * the model's `present` outputs.
 */
export class BatchKvCache {
  /** layer-major: keys[i] and values[i] */
  keys: Float32Array[] = [];
  values: Float32Array[] = [];
  /** per row: leading padding columns */
  pads: number[] = [];
  length = 0;

  constructor(private readonly shape: Pick<CausalLmShape, 'layers' | 'kvHeads' | 'headDim'>) {
    for (let i = 0; i < shape.layers; i++) {
      this.keys.push(new Float32Array(0));
      this.values.push(new Float32Array(0));
    }
  }

  get rows(): number {
    return this.pads.length;
  }

  get bytes(): number {
    return this.rows * this.length * this.shape.layers * 2 * this.shape.kvHeads * this.shape.headDim * 4;
  }

  private relayout(sources: RowSource[], newLen: number): void {
    const { kvHeads: H, headDim: D } = this.shape;
    const rows = sources.length;
    const keys: Float32Array[] = [];
    const values: Float32Array[] = [];
    for (let layer = 0; layer < this.shape.layers; layer++) {
      const k = new Float32Array(rows * H * newLen * D);
      const v = new Float32Array(rows * H * newLen * D);
      sources.forEach((r, dst) => {
        const kSrc = r.keys[layer];
        const vSrc = r.values[layer];
        for (let h = 0; h < H; h++) {
          const s = ((r.src * H + h) * r.srcLen + (r.srcLen - r.len)) * D;
          const d = ((dst * H + h) * newLen + r.pad) * D;
          k.set(kSrc.subarray(s, s + r.len * D), d);
          v.set(vSrc.subarray(s, s + r.len * D), d);
        }
      });
      keys.push(k);
      values.push(v);
    }
    this.keys = keys;
    this.values = values;
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
      const shift = newLen - this.length;
      const sources: RowSource[] = this.pads.map((_, i) => ({ src: i, pad: shift, len: this.length, keys: this.keys, values: this.values, srcLen: this.length }));
      lens.forEach((len, i) => sources.push({ src: i, pad: newLen - len, len, keys: presentKeys, values: presentValues, srcLen }));
      this.relayout(sources, newLen);
      this.pads = this.pads.map((p) => p + shift);
    }
    for (const len of lens) this.pads.push(newLen - len);
    return first;
  }

  /** Keeps only the listed rows, then drops leading columns that are padding in every row. */
  keepRows(keep: number[]): void {
    if (keep.length === this.rows) return;
    const trim = keep.length === 0 ? this.length : Math.min(...keep.map((r) => this.pads[r]));
    const newLen = this.length - trim;
    this.relayout(
      keep.map((src) => ({ src, pad: 0, len: newLen, keys: this.keys, values: this.values, srcLen: this.length })),
      newLen,
    );
    this.pads = keep.map((r) => this.pads[r] - trim);
  }

  /** After a decode step: the model's present tensors are the cache, one column longer. */
  adopt(presentKeys: Float32Array[], presentValues: Float32Array[]): void {
    this.keys = presentKeys;
    this.values = presentValues;
    this.length += 1;
  }

  /** attention_mask for the next decode step: each row's real columns plus the new token. */
  stepMask(): BigInt64Array {
    const L = this.length + 1;
    const out = new BigInt64Array(this.rows * L);
    this.pads.forEach((pad, r) => out.fill(1n, r * L + pad, (r + 1) * L));
    return out;
  }

  clear(): void {
    this.keepRows([]);
  }
}
