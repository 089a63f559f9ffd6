import { BlendedItem } from './blender';
import { ServingSpace, TopOptions } from './serving';
import { ServingGraph } from './serving-graph';

/** A feed as the InferencePool takes it (plain typed data; no onnxruntime import here). */
export interface GraphFeed {
  type: 'int64' | 'float32';
  data: BigInt64Array | Float32Array;
  dims: number[];
}

/**
 * The feeds of one request (batch 1) for a serving graph: the history over the model's items,
 * the factor sources' re-solved user vectors, and the bias: `base` (the blend of the sources the
 * graph does not compute: popularity) over the model's items, -inf where excluded.
 */
export function graphFeeds(graph: ServingGraph, history: Map<number, number>, users: Record<string, ArrayLike<number>>, base: Float64Array, excluded: (j: number) => boolean, k: number): Record<string, GraphFeed> {
  const h = Math.max(1, history.size);
  const items = new BigInt64Array(h);
  const weights = new Float32Array(h);
  let at = 0;
  for (const [i, x] of history) {
    if (i < 0 || i >= graph.items) continue;
    items[at] = BigInt(i);
    weights[at++] = x;
  }
  const bias = new Float32Array(graph.items);
  for (let j = 0; j < graph.items; j++) bias[j] = excluded(j) ? -Infinity : base[j];
  const feeds: Record<string, GraphFeed> = {
    history_items: { type: 'int64', data: items, dims: [1, h] },
    history_weights: { type: 'float32', data: weights, dims: [1, h] },
    bias: { type: 'float32', data: bias, dims: [1, graph.items] },
    k: { type: 'int64', data: BigInt64Array.of(BigInt(k)), dims: [1, 1] },
  };
  for (const source of graph.factorInputs) {
    const u = users[source];
    feeds[`user_${source}`] = { type: 'float32', data: Float32Array.from(u), dims: [1, u.length] };
  }
  return feeds;
}

/** How many of the model's items to ask the graph for: k, or more when a group cap may skip some. */
export function overFetch(k: number, modelItems: number, maxPerGroup?: number): number {
  return Math.min(modelItems, maxPerGroup ? Math.max(4 * k, k + 50) : k);
}

/**
 * The answer from the graph's top `fetched` model items (values, indices of its first row) and
 * the space's other items (`extra` totals, j >= modelItems): the same items `topItems` picks over
 * the whole blend, or null when the group cap skipped so many that items beyond `fetched` might
 * be needed (ask again with more).
 */
export function graphTop(space: ServingSpace, top: { values: ArrayLike<number>; indices: ArrayLike<bigint | number> }, fetched: number, extra: Float64Array, o: TopOptions): BlendedItem[] | null {
  const { items } = space;
  const cand: { j: number; score: number }[] = [];
  const take = Math.min(fetched, top.values.length);
  for (let r = 0; r < take; r++) if (top.values[r] > 0) cand.push({ j: Number(top.indices[r]), score: top.values[r] });
  // more positive model items may lie below the last fetched one
  const cut = take < space.modelItems && take > 0 && top.values[take - 1] > 0 ? top.values[take - 1] : null;
  for (let j = space.modelItems; j < extra.length; j++) if (extra[j] > 0 && !o.excluded(j)) cand.push({ j, score: extra[j] });
  cand.sort((a, b) => b.score - a.score || (items[a.j] < items[b.j] ? -1 : 1));
  const chosen: { j: number; score: number }[] = [];
  const perGroup = new Map<string, number>();
  for (const c of cand) {
    if (chosen.length >= o.k) break;
    if (cut !== null && c.score < cut) return null;
    if (o.maxPerGroup && o.groupOf) {
      const g = o.groupOf(c.j) ?? '';
      const n = perGroup.get(g) ?? 0;
      if (n >= o.maxPerGroup) continue;
      perGroup.set(g, n + 1);
    }
    chosen.push(c);
  }
  if (chosen.length < o.k && cut !== null) return null;
  return chosen.map((c) => ({ item: items[c.j], score: c.score, sources: [] }));
}
