import { Inject, Injectable, Logger } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import { scoreAls, solveUser } from './algorithms/als';
import { BlendedItem, SourceScores } from './algorithms/blender';
import { ContentScores, contentScores, cosine } from './algorithms/content';
import { graphFeeds, graphTop, overFetch } from './algorithms/graph-scoring';
import { Contribution, neighborsOf, scoreHistory } from './algorithms/neighbors';
import { blendDense, ServingSpace, servingSpace, TopOptions, topItems } from './algorithms/serving';
import { ServingGraph } from './algorithms/serving-graph';
import { EventAggregate, EventType } from './algorithms/types';
import { netInteractions } from './algorithms/weights';
import { CatalogEntry, ItemsRepository } from './items.repository';
import { ItemVectorsService } from './item-vectors.service';
import { Catalog, RecCacheService, ServedModel } from './rec-cache.service';
import { RecGraphsService } from './rec-graphs.service';
import { REC_SETTINGS, RecSettings } from './rec-settings';
import type { HistoryEvent } from './rec.types';

/** What a request asks for (GET users/:id): k 10, seen items excluded, no explanations unless asked. */
export interface RecommendQuery {
  k?: number;
  /** one or several: an item matches by its category or a sub-category */
  category?: string[];
  minPrice?: number;
  maxPrice?: number;
  excludeSeen?: boolean;
  explain?: boolean;
  /** at most this many per category */
  maxPerCategory?: number;
}

type RecommendOptions = Required<Pick<RecommendQuery, 'k' | 'excludeSeen' | 'explain'>> & Omit<RecommendQuery, 'k' | 'excludeSeen' | 'explain'>;

export interface Recommended {
  itemId: string;
  title: string;
  category: string | null;
  price: number | null;
  score: number;
  sources?: { source: string; score: number }[];
  because?: { itemId: string; title: string; event: EventType }[];
}

export interface Recommendations {
  userId: string;
  /** personalized: from the user's history; popular: cold start (no usable history) */
  strategy: 'personalized' | 'popular';
  modelVersion: number | null;
  items: Recommended[];
}

/** How strongly an event type speaks for an item, for naming it in an explanation. */
const EVENT_RANK: EventType[] = ['purchase', 'add_to_cart', 'rating', 'click', 'view', 'dislike'];

/** How many of the user's latest liked items the content source compares new items with. */
const CONTENT_RECENT_ITEMS = 10;

/**
 * Serving: the user's current history (read at request time: fold-in) scored by every
 * item-item model of the active version, blended with popularity; filters, seen-item
 * exclusion and diversity apply before the top k; explanations name the sources and the
 * history items that contributed most.
 */
/** A serving space with the catalog entries aligned to it, for one catalog snapshot, model and popularity. */
interface ServingView {
  model: ServedModel | null;
  popularity: Map<string, number>;
  space: ServingSpace;
  entries: (CatalogEntry | undefined)[];
  /** available catalog items the model does not know (added after its training), by space index */
  newItems: { j: number; id: string }[];
}

@Injectable()
export class RecommendService {
  private readonly logger = new Logger('Recommendation');
  /** per catalog snapshot (a new snapshot or popularity makes a new view; the old ones go with their snapshot) */
  private readonly views = new WeakMap<Catalog, ServingView>();
  private readonly foldedHistories = new WeakMap<HistoryEvent[], { model: ServedModel | null; net: Map<string, number>; modelHistory: Map<number, number> }>();

  constructor(
    private readonly cache: RecCacheService,
    private readonly items: ItemsRepository,
    private readonly vectors: ItemVectorsService,
    private readonly graphs: RecGraphsService,
    @Inject(REC_SETTINGS) private readonly settings: RecSettings,
  ) {}

  async forUser(project: string, userId: string, query: RecommendQuery): Promise<Recommendations> {
    const o: RecommendOptions = { ...query, k: query.k ?? 10, excludeSeen: query.excludeSeen ?? true, explain: query.explain ?? false };
    const [catalog, popularity, model, history] = await Promise.all([
      this.cache.catalog(project),
      this.cache.popularity(project),
      this.cache.model(project),
      this.cache.history(project, userId),
    ]);
    const view = this.view(catalog, model, popularity);
    const { net, modelHistory } = this.folded(history, model);
    // excluded: not in the catalog, unavailable or filtered out, disliked, seen (unless asked for)
    const allowed = this.entryFilter(o);
    const excludedMask = new Uint8Array(view.space.items.length);
    for (const [item, value] of net) {
      const j = view.space.index.get(item);
      if (j !== undefined && (value < 0 || o.excludeSeen)) excludedMask[j] = 1;
    }
    const top: TopOptions = {
      k: o.k,
      excluded: (j) => excludedMask[j] === 1 || !allowed(view.entries[j]),
      maxPerGroup: o.maxPerCategory,
      groupOf: (j) => view.entries[j]?.category ?? null,
      withSources: o.explain,
    };
    const content = model ? await this.content(project, catalog, view, net, top.excluded) : null;
    let ranked: BlendedItem[] | null = null;
    let personalized = false;
    const contributions = new Map<string, Map<number, Contribution[]>>();
    // the ONNX graph of the version through the pool (REC_SERVING=onnx); explanations need the per-source detail of TypeScript
    const graph = model && !o.explain && modelHistory.size > 0 ? this.graphs.graphFor(project, model) : null;
    if (graph) {
      ranked = await this.graphRank(graph, view, model!, modelHistory, content, top).catch((err: unknown) => {
        this.logger.debug(`Recommendation graph ${graph.poolId} failed, scoring in TypeScript: ${(err as Error).message}`);
        return null;
      });
      personalized = ranked !== null;
    }
    if (!ranked) {
      const scored = this.sources(model, modelHistory, o.explain, contributions);
      if (content) scored.push({ source: 'content', values: content.values });
      personalized = scored.length > 0;
      ranked = topItems(view.space, blendDense(view.space, scored, personalized ? this.settings.blendWeights : { popularity: 1 }), top);
    }
    return {
      userId,
      strategy: personalized ? 'personalized' : 'popular',
      modelVersion: model?.version ?? null,
      items: ranked.map((b) => this.present(b, catalog, o.explain ? this.because(b, model, contributions, history, catalog, content, view) : undefined, o.explain)),
    };
  }

  /** Every weighted source of the version over the user's history (item-item fold-in; factor models re-solve the user). */
  private sources(model: ServedModel | null, modelHistory: Map<number, number>, explain: boolean, contributions: Map<string, Map<number, Contribution[]>>): { source: string; values: ArrayLike<number> }[] {
    const scored: { source: string; values: ArrayLike<number> }[] = [];
    if (!model || modelHistory.size === 0) return scored;
    for (const [name, table] of Object.entries(model.artifact.tables)) {
      if (!this.settings.blendWeights[name]) continue;
      const r = scoreHistory(table, modelHistory, explain);
      scored.push({ source: name, values: r.scores });
      if (r.contributions) contributions.set(name, r.contributions);
    }
    // factor models: the user vector re-solved from the current history (recalculate_user), times the item factors
    for (const [name, factors] of Object.entries(model.artifact.factors ?? {})) {
      if (!this.settings.blendWeights[name]) continue;
      scored.push({ source: name, values: scoreAls(factors, solveUser(factors, modelHistory, model.grams[name])) });
    }
    return scored;
  }

  /**
   * The version's sources through its ONNX graph in the pool (popularity and content in its bias),
   * over-fetching the model's items when a category cap may skip some.
   */
  private async graphRank(g: { poolId: string; graph: ServingGraph }, view: ServingView, model: ServedModel, modelHistory: Map<number, number>, content: ContentScores | null, top: TopOptions): Promise<BlendedItem[]> {
    const base = blendDense(view.space, content ? [{ source: 'content', values: content.values }] : [], this.settings.blendWeights).total;
    const users = Object.fromEntries(g.graph.factorInputs.map((name) => [name, solveUser(model.artifact.factors![name], modelHistory, model.grams[name])]));
    const all = view.space.modelItems;
    let fetched = overFetch(top.k, all, top.maxPerGroup);
    for (;;) {
      const out = await this.graphs.run(g.poolId, graphFeeds(g.graph, modelHistory, users, base, top.excluded, fetched));
      const ranked = graphTop(view.space, out, fetched, base, top);
      if (ranked) return ranked;
      fetched = all;
    }
  }

  /** Items newer than the model, by the similarity of their text to the user's recent items (when any of them passes the filters). */
  private async content(project: string, catalog: Catalog, view: ServingView, net: Map<string, number>, excluded: (j: number) => boolean): Promise<ContentScores | null> {
    if (!this.settings.blendWeights.content) return null;
    const candidates = view.newItems.filter((c) => !excluded(c.j));
    const recent = [...net].filter(([, w]) => w > 0).slice(0, CONTENT_RECENT_ITEMS).map(([id, weight]) => ({ id, weight }));
    if (candidates.length === 0 || recent.length === 0) return null;
    const vectors = await this.vectors.vectors(project, catalog, [...new Set([...recent.map((r) => r.id), ...candidates.map((c) => c.id)])]);
    return contentScores(view.space.items.length, candidates, recent, vectors, this.settings.contentMinSimilarity);
  }

  /**
   * A history's net weights by item id and by model index. Cached histories are shared arrays
   * (a new event replaces the user's array), so this is computed once per history and version.
   */
  private folded(history: HistoryEvent[], model: ServedModel | null): { net: Map<string, number>; modelHistory: Map<number, number> } {
    const hit = this.foldedHistories.get(history);
    if (hit && hit.model === model) return hit;
    const net = this.net(history);
    const modelHistory = new Map<number, number>();
    if (model) {
      for (const [item, value] of net) {
        const i = model.index.get(item);
        if (i !== undefined) modelHistory.set(i, value);
      }
    }
    const out = { model, net, modelHistory };
    this.foldedHistories.set(history, out);
    return out;
  }

  /** The serving space of the current catalog, model and popularity, with the catalog entries aligned to it (rebuilt when one changes). */
  private view(catalog: Catalog, model: ServedModel | null, popularity: Map<string, number>): ServingView {
    const v = this.views.get(catalog);
    if (v && v.model === model && v.popularity === popularity) return v;
    const unknown = model ? catalog.entries.filter((e) => e.available && !model.index.has(e.id)).map((e) => e.id) : [];
    const space = servingSpace(model?.artifact.items ?? [], model?.index ?? new Map(), popularity, unknown);
    const newItems = unknown.map((id) => ({ j: space.index.get(id)!, id }));
    const built: ServingView = { model, popularity, space, entries: space.items.map((id) => catalog.byId.get(id)), newItems };
    this.views.set(catalog, built);
    return built;
  }

  /**
   * The item-item sources of the active version folded in over a history (item -> net weight):
   * score_j = sum_i x_i W_ij per model with a blend weight; with `explain`, what each history item lent.
   */
  itemItem(model: ServedModel | null, net: Map<string, number>, explain: boolean): { sources: Record<string, SourceScores>; contributions: Map<string, Map<number, Contribution[]>> } {
    const sources: Record<string, SourceScores> = {};
    const contributions = new Map<string, Map<number, Contribution[]>>();
    if (!model) return { sources, contributions };
    const modelHistory = new Map<number, number>();
    for (const [item, value] of net) {
      const i = model.index.get(item);
      if (i !== undefined) modelHistory.set(i, value);
    }
    if (modelHistory.size === 0) return { sources, contributions };
    for (const [name, table] of Object.entries(model.artifact.tables)) {
      if (!this.settings.blendWeights[name]) continue;
      const scored = scoreHistory(table, modelHistory, explain);
      const s: SourceScores = new Map();
      scored.scores.forEach((v, j) => v !== 0 && s.set(model.artifact.items[j], v));
      sources[name] = s;
      if (scored.contributions) contributions.set(name, scored.contributions);
    }
    return { sources, contributions };
  }

  /** Items like this one: the active model's neighbours, or content similarity for an item the model has not seen. */
  async similar(project: string, itemId: string, k = 10): Promise<{ itemId: string; source: string; items: Recommended[] }> {
    const [catalog, model] = await Promise.all([this.cache.catalog(project), this.cache.model(project)]);
    if (!catalog.byId.has(itemId) && !(await this.items.get(project, itemId))) throw new NotFoundError(`No item ${itemId} in this project's catalog`);
    const i = model?.index.get(itemId);
    for (const name of ['itemknn', 'ease']) {
      const table = model?.artifact.tables[name];
      if (!table || i === undefined) continue;
      const found = neighborsOf(table, i)
        .filter((n) => n.weight > 0 && catalog.byId.get(model!.artifact.items[n.item])?.available)
        .slice(0, k)
        .map((n) => this.present({ item: model!.artifact.items[n.item], score: n.weight, sources: [] }, catalog, undefined, false));
      if (found.length) return { itemId, source: name, items: found };
    }
    return { itemId, source: 'content', items: await this.contentSimilar(project, itemId, catalog, k) };
  }

  /** Cosine of item texts (title, categories, tags, description) through the embeddings module. */
  private async contentSimilar(project: string, itemId: string, catalog: Catalog, k: number): Promise<Recommended[]> {
    const candidates = catalog.entries.filter((e) => e.available || e.id === itemId).map((e) => e.id);
    const vectors = await this.vectors.vectors(project, catalog, candidates.includes(itemId) ? candidates : [...candidates, itemId]);
    const q = vectors.get(itemId);
    if (!q) return [];
    const scored = [...vectors]
      .map(([id, v]) => ({ id, score: id === itemId ? -Infinity : cosine(q, v) }))
      .filter((s) => s.score > 0)
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, k);
    return scored.map((s) => this.present({ item: s.id, score: s.score, sources: [] }, catalog, undefined, false));
  }

  /** Net weight per item of a history, saturated to [-1, 1]. */
  net(history: HistoryEvent[]): Map<string, number> {
    const agg = new Map<string, EventAggregate>();
    for (const h of history) {
      const key = `${h.itemId}\u0000${h.type}`;
      const a = agg.get(key) ?? { userId: '', itemId: h.itemId, type: h.type, count: 0, valueSum: 0, lastTs: 0 };
      a.count++;
      a.valueSum += h.value ?? 0;
      a.lastTs = Math.max(a.lastTs, h.ts);
      agg.set(key, a);
    }
    const cells = netInteractions([...agg.values()], this.settings.weights).get('') ?? new Map<string, { value: number }>();
    return new Map([...cells].map(([item, c]) => [item, c.value]));
  }

  filter(catalog: Catalog, o: Pick<RecommendQuery, 'category' | 'minPrice' | 'maxPrice'>): (id: string) => boolean {
    const ok = this.entryFilter(o);
    return (id) => ok(catalog.byId.get(id));
  }

  /** Whether a catalog entry passes the request's filters (available, categories, price range). */
  entryFilter(o: Pick<RecommendQuery, 'category' | 'minPrice' | 'maxPrice'>): (e: CatalogEntry | undefined) => boolean {
    const cats = o.category?.length ? new Set(o.category) : null;
    return (e) => {
      if (!e || !e.available) return false;
      if (cats && !(e.category !== null && cats.has(e.category)) && !e.subCategories.some((c) => cats.has(c))) return false;
      if (o.minPrice !== undefined && (e.price === null || e.price < o.minPrice)) return false;
      if (o.maxPrice !== undefined && (e.price === null || e.price > o.maxPrice)) return false;
      return true;
    };
  }

  /** The history items that lent the item the most, over the item-item sources, weighted like the blend. */
  because(b: BlendedItem, model: ServedModel | null, contributions: Map<string, Map<number, Contribution[]>>, history: HistoryEvent[], catalog: Catalog, content?: ContentScores | null, view?: ServingView): Recommended['because'] {
    if (!model) return [];
    const j = model.index.get(b.item);
    const like = content && view ? content.because.get(view.space.index.get(b.item) ?? -1) : undefined;
    if (like) return [this.namedEvent(like, history, catalog)];
    if (j === undefined) return [];
    const byFrom = new Map<number, number>();
    for (const [name, c] of contributions) {
      for (const { from, amount } of c.get(j) ?? []) byFrom.set(from, (byFrom.get(from) ?? 0) + amount * (this.settings.blendWeights[name] ?? 0));
    }
    return [...byFrom.entries()]
      .filter(([, amount]) => amount > 0)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 3)
      .map(([from]) => this.namedEvent(model.artifact.items[from], history, catalog));
  }

  /** A history item with the strongest event the user had on it. */
  private namedEvent(id: string, history: HistoryEvent[], catalog: Catalog): NonNullable<Recommended['because']>[number] {
    const types = history.filter((h) => h.itemId === id).map((h) => h.type);
    return { itemId: id, title: catalog.byId.get(id)?.title ?? id, event: EVENT_RANK.find((t) => types.includes(t)) ?? 'view' };
  }

  present(b: BlendedItem, catalog: Catalog, because: Recommended['because'], explain: boolean): Recommended {
    const e: CatalogEntry | undefined = catalog.byId.get(b.item);
    const out: Recommended = { itemId: b.item, title: e?.title ?? b.item, category: e?.category ?? null, price: e?.price ?? null, score: Number(b.score.toFixed(6)) };
    if (explain) {
      out.sources = b.sources.map((s) => ({ source: s.source, score: Number(s.score.toFixed(6)) }));
      out.because = because ?? [];
    }
    return out;
  }
}
