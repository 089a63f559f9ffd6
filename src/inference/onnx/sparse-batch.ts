/**
 * Padding of hashed sparse rows into the [batch, nnz] id / value tensors that the project's
 * EmbeddingBag-style graphs take (NLU intent classifier, built-in lexical encoder).
 */

export interface SparseRow {
  indices: ArrayLike<number>;
  values: ArrayLike<number>;
}

export interface SparseBatch {
  /** [batch, width] row-major, padded with id 0 */
  ids: BigInt64Array;
  /** [batch, width] row-major, padded with 0 */
  values: Float32Array;
  batch: number;
  /** max non-zeros over the batch, at least 1 so tensors are never empty */
  width: number;
}

/** Pads a batch of sparse rows to a common width; padding has value 0 so it adds nothing. */
export function packSparseBatch(rows: SparseRow[]): SparseBatch {
  const width = Math.max(1, ...rows.map((r) => r.indices.length));
  const ids = new BigInt64Array(rows.length * width);
  const values = new Float32Array(rows.length * width);
  rows.forEach((r, b) => {
    for (let n = 0; n < r.indices.length; n++) {
      ids[b * width + n] = BigInt(r.indices[n]);
      values[b * width + n] = r.values[n];
    }
  });
  return { ids, values, batch: rows.length, width };
}
