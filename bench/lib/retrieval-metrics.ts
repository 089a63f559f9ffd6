/** Scoring for bench:search: exact nearest neighbours, recall against them, nDCG. Plain TypeScript. */

/** Row-major unit vectors, one per item. */
export interface VectorTable {
  dim: number;
  data: Float32Array;
  count: number;
}

export function similarity(t: VectorTable, i: number, q: Float32Array): number {
  let s = 0;
  const o = i * t.dim;
  for (let d = 0; d < t.dim; d++) s += t.data[o + d] * q[d];
  return s;
}

/** Exact top-k by cosine (vectors are normalized) over the items `allow` accepts: indices and similarities, best first. */
export function exactTopK(t: VectorTable, q: Float32Array, k: number, allow?: (i: number) => boolean): { index: number; score: number }[] {
  const best: { index: number; score: number }[] = [];
  for (let i = 0; i < t.count; i++) {
    if (allow && !allow(i)) continue;
    const s = similarity(t, i, q);
    if (best.length < k || s > best[best.length - 1].score) {
      let at = best.length;
      while (at > 0 && best[at - 1].score < s) at--;
      best.splice(at, 0, { index: i, score: s });
      if (best.length > k) best.pop();
    }
  }
  return best;
}

/**
 * recall@k with ties: a returned item counts when its true similarity reaches the exact k-th
 * similarity (less a float tolerance), so equally near items are interchangeable, as in
 * ann-benchmarks. Returned items are scored with the bench's own vectors, not the server's
 * reported scores. Divided by the exact list's length (k, or fewer when fewer items match).
 */
export function recallAtK(exact: { score: number }[], returnedSimilarities: number[], eps = 1e-5): number {
  if (exact.length === 0) return 1;
  const kth = exact[exact.length - 1].score;
  const hits = returnedSimilarities.slice(0, exact.length).filter((s) => s >= kth - eps).length;
  return Math.min(1, hits / exact.length);
}

/** nDCG@k with binary relevance. */
export function ndcgAtK(ranked: string[], relevant: Set<string>, k: number): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    if (relevant.has(id)) dcg += 1 / Math.log2(i + 2);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return ideal === 0 ? 0 : dcg / ideal;
}

export const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
