/** One item's weighted events in a time bucket (or one event). */
export interface PopularityRow {
  item: string;
  /** the events' summed weight (negative for dislikes) */
  weight: number;
  /** epoch ms */
  ts: number;
}

/**
 * Popularity with exponential time decay: score = sum of weight * 0.5^(age / halfLife).
 * Events from the future (clock skew) count as now. Items whose score is not positive are left out.
 */
export function decayedPopularity(rows: Iterable<PopularityRow>, now: number, halfLifeMs: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const age = Math.max(0, now - r.ts);
    const decay = halfLifeMs > 0 ? Math.pow(0.5, age / halfLifeMs) : 1;
    out.set(r.item, (out.get(r.item) ?? 0) + r.weight * decay);
  }
  for (const [item, s] of out) if (!(s > 0)) out.delete(item);
  return out;
}
