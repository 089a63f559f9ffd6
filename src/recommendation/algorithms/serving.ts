import { BlendedItem } from './blender';

/**
 * The item space one request is scored in: the model's items (their indices in the artifact)
 * followed by the items only popularity knows and the other catalog items the model does not
 * know (added after the training: the content source scores them), with popularity aligned to
 * it. Built once per (catalog snapshot, model version, popularity scores) and shared by requests.
 */
export interface ServingSpace {
  items: string[];
  /** the first `modelItems` items are the model's, in artifact order */
  modelItems: number;
  index: Map<string, number>;
  popularity: Float64Array;
  popularityMax: number;
}

export function servingSpace(modelItems: string[], modelIndex: Map<string, number>, popularity: Map<string, number>, others: Iterable<string> = []): ServingSpace {
  const items = [...modelItems];
  const index = new Map(modelIndex);
  for (const item of [...popularity.keys(), ...others]) {
    if (!index.has(item)) {
      index.set(item, items.length);
      items.push(item);
    }
  }
  const pop = new Float64Array(items.length);
  let max = 0;
  for (const [item, s] of popularity) {
    const j = index.get(item)!;
    pop[j] = s;
    if (s > max) max = s;
  }
  return { items, modelItems: modelItems.length, index, popularity: pop, popularityMax: max };
}

/** One source's scores over the space's first `values.length` items, times `scale` (its weight over its best score). */
export interface ScaledSource {
  source: string;
  values: ArrayLike<number>;
  scale: number;
}

/**
 * The blend of `blend()` over dense arrays: each source divided by its best score, times its
 * weight (a source whose best is not positive is left out). Returns the sources kept and the
 * total per item of the space.
 */
export function blendDense(space: ServingSpace, models: { source: string; values: ArrayLike<number> }[], weights: Record<string, number>): { total: Float64Array; sources: ScaledSource[] } {
  const total = new Float64Array(space.items.length);
  const sources: ScaledSource[] = [];
  const add = (source: string, values: ArrayLike<number>) => {
    const weight = weights[source] ?? 0;
    if (weight === 0) return;
    let max = 0;
    for (let j = 0; j < values.length; j++) if (values[j] > max) max = values[j];
    if (max <= 0) return;
    const scale = weight / max;
    for (let j = 0; j < values.length; j++) total[j] += values[j] * scale;
    sources.push({ source, values, scale });
  };
  add('popularity', space.popularity);
  for (const m of models) add(m.source, m.values);
  return { total, sources };
}

export interface TopOptions {
  k: number;
  /** items of the space never returned (seen, disliked, filtered out) */
  excluded: (j: number) => boolean;
  /** at most this many per group (diversity), with the item's group */
  maxPerGroup?: number;
  groupOf?: (j: number) => string | null;
  /** each item's sources (share of its score), for explanations */
  withSources?: boolean;
}

/**
 * The k best positive items of a dense blend, ties by id, excluded items skipped and each group
 * capped: what `rank(blend(...))` gives, without building an object per item (a bounded
 * selection; a full sort of the candidates only with a group cap).
 */
export function topItems(space: ServingSpace, blended: { total: Float64Array; sources: ScaledSource[] }, o: TopOptions): BlendedItem[] {
  const { total } = blended;
  const { items } = space;
  const better = (a: number, b: number) => total[a] > total[b] || (total[a] === total[b] && items[a] < items[b]);
  let chosen: number[];
  if (o.maxPerGroup && o.groupOf) {
    const candidates: number[] = [];
    for (let j = 0; j < total.length; j++) if (total[j] > 0 && !o.excluded(j)) candidates.push(j);
    candidates.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
    chosen = [];
    const perGroup = new Map<string, number>();
    for (const j of candidates) {
      if (chosen.length >= o.k) break;
      const g = o.groupOf(j) ?? '';
      const n = perGroup.get(g) ?? 0;
      if (n >= o.maxPerGroup) continue;
      perGroup.set(g, n + 1);
      chosen.push(j);
    }
  } else {
    // `chosen` sorted best first; a candidate enters if it beats the worst kept
    chosen = [];
    for (let j = 0; j < total.length; j++) {
      if (!(total[j] > 0)) continue;
      if (chosen.length === o.k && !better(j, chosen[chosen.length - 1])) continue;
      if (o.excluded(j)) continue;
      let at = chosen.length;
      while (at > 0 && better(j, chosen[at - 1])) at--;
      chosen.splice(at, 0, j);
      if (chosen.length > o.k) chosen.pop();
    }
  }
  return chosen.map((j) => ({ item: items[j], score: total[j], sources: o.withSources ? sourcesOf(blended.sources, j) : [] }));
}

function sourcesOf(sources: ScaledSource[], j: number): { source: string; score: number }[] {
  const out: { source: string; score: number }[] = [];
  for (const s of sources) {
    const v = j < s.values.length ? s.values[j] * s.scale : 0;
    if (v !== 0) out.push({ source: s.source, score: v });
  }
  return out.sort((x, y) => y.score - x.score);
}
