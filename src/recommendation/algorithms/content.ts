/**
 * The content source for items the model does not know (added after its training: no
 * neighbours, no factors): an item scores its best cosine to the user's recent items, times the
 * user's weight on that item, when the cosine reaches `minSimilarity`; `because` names that item.
 */
export interface ContentScores {
  /** over the serving space (only the new items' positions are set) */
  values: Float64Array;
  /** space index -> the recent item it is most like */
  because: Map<number, string>;
}

export function contentScores(
  spaceSize: number,
  candidates: { j: number; id: string }[],
  recent: { id: string; weight: number }[],
  vectors: Map<string, Float32Array>,
  minSimilarity: number,
): ContentScores | null {
  const values = new Float64Array(spaceSize);
  const because = new Map<number, string>();
  for (const c of candidates) {
    const v = vectors.get(c.id);
    if (!v) continue;
    let best = 0;
    let from = '';
    for (const r of recent) {
      const u = vectors.get(r.id);
      if (!u || r.id === c.id) continue;
      const cos = cosine(u, v);
      if (cos < minSimilarity) continue;
      const s = cos * r.weight;
      if (s > best) {
        best = s;
        from = r.id;
      }
    }
    if (best > 0) {
      values[c.j] = best;
      because.set(c.j, from);
    }
  }
  return because.size ? { values, because } : null;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
