import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import { EmbeddingsService } from '../embeddings/embeddings.service';
import { scoreAls, solveUser } from './algorithms/als';
import { BlendedItem, SourceScores } from './algorithms/blender';
import { Contribution, neighborsOf, scoreHistory } from './algorithms/neighbors';
import { blendDense, ServingSpace, servingSpace, topItems } from './algorithms/serving';
import { EventAggregate, EventType } from './algorithms/types';
import { netInteractions } from './algorithms/weights';
import { CatalogEntry, ItemsRepository } from './items.repository';
import { Catalog, RecCacheService, ServedModel } from './rec-cache.service';
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
}

@Injectable()
export class RecommendService {
  /** per catalog snapshot (a new snapshot or popularity makes a new view; the old ones go with their snapshot) */
  private readonly views = new WeakMap<Catalog, ServingView>();
  private readonly foldedHistories = new WeakMap<HistoryEvent[], { model: ServedModel | null; net: Map<string, number>; modelHistory: Map<number, number> }>();

  constructor(
    private readonly cache: RecCacheService,
    private readonly items: ItemsRepository,
    private readonly embeddings: EmbeddingsService,
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
    const scored: { source: string; values: Float64Array }[] = [];
    const contributions = new Map<string, Map<number, Contribution[]>>();
    if (model && modelHistory.size > 0) {
      for (const [name, table] of Object.entries(model.artifact.tables)) {
        if (!this.settings.blendWeights[name]) continue;
        const r = scoreHistory(table, modelHistory, o.explain);
        scored.push({ source: name, values: r.scores });
        if (r.contributions) contributions.set(name, r.contributions);
      }
      // factor models: the user vector re-solved from the current history (recalculate_user), times the item factors
      for (const [name, factors] of Object.entries(model.artifact.factors ?? {})) {
        if (!this.settings.blendWeights[name]) continue;
        scored.push({ source: name, values: scoreAls(factors, solveUser(factors, modelHistory, model.grams[name])) });
      }
    }
    const personalized = scored.length > 0;
    const blended = blendDense(view.space, scored, personalized ? this.settings.blendWeights : { popularity: 1 });
    // excluded: not in the catalog, unavailable or filtered out, disliked, seen (unless asked for)
    const allowed = this.entryFilter(o);
    const excluded = new Uint8Array(view.space.items.length);
    for (const [item, value] of net) {
      const j = view.space.index.get(item);
      if (j !== undefined && (value < 0 || o.excludeSeen)) excluded[j] = 1;
    }
    const ranked = topItems(view.space, blended, {
      k: o.k,
      excluded: (j) => excluded[j] === 1 || !allowed(view.entries[j]),
      maxPerGroup: o.maxPerCategory,
      groupOf: (j) => view.entries[j]?.category ?? null,
      withSources: o.explain,
    });
    return {
      userId,
      strategy: personalized ? 'personalized' : 'popular',
      modelVersion: model?.version ?? null,
      items: ranked.map((b) => this.present(b, catalog, o.explain ? this.because(b, model, contributions, history, catalog) : undefined, o.explain)),
    };
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
    const space = servingSpace(model?.artifact.items ?? [], model?.index ?? new Map(), popularity);
    const built: ServingView = { model, popularity, space, entries: space.items.map((id) => catalog.byId.get(id)) };
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
    const candidates = catalog.entries.filter((e) => e.available || e.id === itemId);
    const texts = await this.items.texts(project, candidates.map((c) => c.id));
    const { vectors } = await this.embeddings.embed(texts.map((t) => t.text), { project });
    const at = texts.findIndex((t) => t.id === itemId);
    if (at < 0) return [];
    const q = vectors[at];
    const scored = texts
      .map((t, n) => ({ id: t.id, score: t.id === itemId ? -Infinity : dot(q, vectors[n]) }))
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
  because(b: BlendedItem, model: ServedModel | null, contributions: Map<string, Map<number, Contribution[]>>, history: HistoryEvent[], catalog: Catalog): Recommended['because'] {
    if (!model) return [];
    const j = model.index.get(b.item);
    if (j === undefined) return [];
    const byFrom = new Map<number, number>();
    for (const [name, c] of contributions) {
      for (const { from, amount } of c.get(j) ?? []) byFrom.set(from, (byFrom.get(from) ?? 0) + amount * (this.settings.blendWeights[name] ?? 0));
    }
    return [...byFrom.entries()]
      .filter(([, amount]) => amount > 0)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 3)
      .map(([from]) => {
        const id = model.artifact.items[from];
        const types = history.filter((h) => h.itemId === id).map((h) => h.type);
        return { itemId: id, title: catalog.byId.get(id)?.title ?? id, event: EVENT_RANK.find((t) => types.includes(t)) ?? 'view' };
      });
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

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
