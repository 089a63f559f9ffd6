/**
 * Reciprocal rank fusion (Cormack et al. 2009): score(d) = sum over rankings of
 * weight / (k + rank), rank starting at 1. Ties keep the order of first appearance.
 */

export interface Ranking<K> {
  name: string;
  /** best first */
  ids: K[];
  weight?: number;
}

export interface Fused<K> {
  id: K;
  score: number;
  /** the rankings that contained it, with its 1-based rank in each */
  ranks: Record<string, number>;
}

export const RRF_K = 60;

export function reciprocalRankFusion<K>(rankings: Ranking<K>[], k = RRF_K): Fused<K>[] {
  const byId = new Map<K, Fused<K> & { first: number }>();
  let order = 0;
  for (const r of rankings) {
    const w = r.weight ?? 1;
    r.ids.forEach((id, i) => {
      let f = byId.get(id);
      if (!f) byId.set(id, (f = { id, score: 0, ranks: {}, first: order++ }));
      if (f.ranks[r.name] !== undefined) return; // a ranking lists an id once
      f.ranks[r.name] = i + 1;
      f.score += w / (k + i + 1);
    });
  }
  return [...byId.values()].sort((a, b) => b.score - a.score || a.first - b.first).map(({ id, score, ranks }) => ({ id, score, ranks }));
}
