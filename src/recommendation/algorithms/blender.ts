/** A source's scores by item id (a model folded in over the user's history, popularity, content). */
export type SourceScores = Map<string, number>;

export interface BlendedItem {
  item: string;
  score: number;
  /** each source's share of the score (weight * normalized score), largest first */
  sources: { source: string; score: number }[];
}

/**
 * Blends sources by weight. Each source is first divided by its largest score so that the
 * weights, not the sources' scales, decide (an EASE score and a decayed event count are not
 * comparable). Negative scores (dislikes folded in) stay negative. Sources weighted 0 or
 * with no positive score are skipped.
 */
export function blend(sources: Record<string, SourceScores>, weights: Record<string, number>): Map<string, BlendedItem> {
  const out = new Map<string, BlendedItem>();
  for (const [name, scores] of Object.entries(sources)) {
    const weight = weights[name] ?? 0;
    if (weight === 0 || scores.size === 0) continue;
    let max = 0;
    for (const s of scores.values()) if (s > max) max = s;
    if (max <= 0) continue;
    for (const [item, s] of scores) {
      if (s === 0) continue;
      const share = (weight * s) / max;
      const b = out.get(item) ?? { item, score: 0, sources: [] };
      b.score += share;
      b.sources.push({ source: name, score: share });
      out.set(item, b);
    }
  }
  for (const b of out.values()) b.sources.sort((x, y) => y.score - x.score);
  return out;
}

export interface RankOptions {
  k: number;
  /** items never returned (seen, disliked, filtered out) */
  exclude?: (item: string) => boolean;
  /** at most this many per group (diversity), with the item's group */
  maxPerGroup?: number;
  groupOf?: (item: string) => string | null;
}

/** The k best positive items, ties by id, skipping excluded ones and capping each group. */
export function rank(items: Iterable<BlendedItem>, options: RankOptions): BlendedItem[] {
  const sorted = [...items].filter((b) => b.score > 0 && !options.exclude?.(b.item)).sort((a, b) => b.score - a.score || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0));
  if (!options.maxPerGroup || !options.groupOf) return sorted.slice(0, options.k);
  const perGroup = new Map<string, number>();
  const out: BlendedItem[] = [];
  for (const b of sorted) {
    if (out.length >= options.k) break;
    const g = options.groupOf(b.item) ?? '';
    const n = perGroup.get(g) ?? 0;
    if (n >= options.maxPerGroup) continue;
    perGroup.set(g, n + 1);
    out.push(b);
  }
  return out;
}
