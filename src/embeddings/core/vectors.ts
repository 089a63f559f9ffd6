/**
 * Vector math of the embeddings pipeline (tokenize -> model -> pool -> normalize), plain
 * TypeScript: pooling of a model's last_hidden_state as sentence-transformers does it,
 * L2 normalization, Matryoshka truncation and OpenAI's base64 encoding.
 */

export type Pooling = 'mean' | 'cls' | 'last';

/**
 * One vector per row of `hidden` ([batch, seq, dim], row-major), over each row's first
 * `lengths[b]` positions (right padding): mean of those tokens, the first token (CLS), or
 * the last real token (decoder embedding models).
 */
export function poolHidden(hidden: Float32Array, dims: readonly number[], lengths: readonly number[], pooling: Pooling): Float32Array[] {
  const [batch, seq, dim] = dims;
  if (lengths.length !== batch) throw new Error(`expected ${batch} lengths, got ${lengths.length}`);
  return lengths.map((len, b) => {
    const n = Math.min(Math.max(len, 1), seq);
    const v = new Float32Array(dim);
    const row = (j: number) => hidden.subarray((b * seq + j) * dim, (b * seq + j + 1) * dim);
    if (pooling === 'cls') v.set(row(0));
    else if (pooling === 'last') v.set(row(n - 1));
    else {
      const sum = new Float64Array(dim);
      for (let j = 0; j < n; j++) {
        const r = row(j);
        for (let d = 0; d < dim; d++) sum[d] += r[d];
      }
      for (let d = 0; d < dim; d++) v[d] = sum[d] / n;
    }
    return v;
  });
}

/** Rows of a 2-D output ([batch, dim]) as separate vectors. */
export function splitRows(data: Float32Array, batch: number, dim: number): Float32Array[] {
  return Array.from({ length: batch }, (_, b) => data.slice(b * dim, (b + 1) * dim));
}

/** Scales `v` to unit length in place (a zero vector stays zero). */
export function l2Normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const norm = Math.sqrt(s);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

/** The first `k` dimensions, renormalized (Matryoshka truncation). */
export function truncateDims(v: Float32Array, k: number): Float32Array {
  return l2Normalize(v.slice(0, k));
}

/** OpenAI's `encoding_format: "base64"`: the float32 values little-endian, base64-encoded. */
export function toBase64(v: Float32Array): string {
  const buf = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i], i * 4);
  return buf.toString('base64');
}

export function fromBase64(s: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  return Float32Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(i * 4));
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
