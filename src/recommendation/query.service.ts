import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConflictError, UnavailableError } from '../common/errors';
import { EmbeddingsService } from '../embeddings/embeddings.service';
import { NluService } from '../nlu/nlu.service';
import { blend, rank, SourceScores } from './algorithms/blender';
import { fold, latinWords, namedInText, TitleWordIndex, WordMatch } from './algorithms/text-match';
import { CATEGORY_ENTITY, PRODUCT_ENTITY } from './catalog.service';
import { EventsRepository } from './events.repository';
import { ItemVectorsService } from './item-vectors.service';
import { Catalog, RecCacheService } from './rec-cache.service';
import { REC_SETTINGS, RecSettings } from './rec-settings';
import { Recommended, RecommendService } from './recommend.service';

export interface TextQuery {
  text: string;
  userId?: string;
  k?: number;
  excludeSeen?: boolean;
}

export interface MatchedWord extends WordMatch {
  /** nlu: an entity of the project's NLU model; catalog: found by name in the text */
  via: 'nlu' | 'catalog';
}

export interface QueryRecommendations {
  text: string;
  userId: string | null;
  /** whether the user's history took part */
  personalized: boolean;
  /** used: the project's NLU parsed the text; unavailable: it has no model (or it is loading): catalog names only */
  nlu: 'used' | 'unavailable';
  matched: MatchedWord[];
  modelVersion: number | null;
  items: (Recommended & { matched: string[] })[];
}

/**
 * Source weights of a text query (each source scaled to its best first): words of the text
 * that name items, embedding similarity of text and item, the neighbours of items the text
 * names, the user's profile, popularity to break ties.
 */
export const QUERY_WEIGHTS: Record<string, number> = { text: 1, content: 0.5, similar: 0.5, profile: 0.5, popularity: 0.05 };

/**
 * POST query: "我正在浏览T恤衫，请推荐一些" / "recommend some books like 斗破苍穹". Category and
 * product words come from the project's NLU entities (catalog titles and categories are its
 * gazetteer values `product` / `category`; built-in category forms such as 体恤 -> T恤 too),
 * and from catalog names found in the text. Named categories filter, named products are the
 * anchors whose neighbours are recommended (and are left out themselves), title words score.
 */
@Injectable()
export class QueryService {
  private readonly logger = new Logger('Recommendation');
  private readonly indexes = new WeakMap<Catalog, TitleWordIndex>();
  /** catalog snapshots whose words were registered with the NLU (a restart forgets run-time values) */
  private readonly registered = new WeakSet<Catalog>();

  constructor(
    private readonly recommend: RecommendService,
    private readonly cache: RecCacheService,
    private readonly events: EventsRepository,
    private readonly nlu: NluService,
    private readonly embeddings: EmbeddingsService,
    private readonly itemVectorsService: ItemVectorsService,
    @Inject(REC_SETTINGS) private readonly settings: RecSettings,
  ) {}

  async query(project: string, q: TextQuery): Promise<QueryRecommendations> {
    const k = q.k ?? 10;
    const [catalog, popularity, model, history] = await Promise.all([
      this.cache.catalog(project),
      this.cache.popularity(project),
      this.cache.model(project),
      q.userId ? this.events.history(project, q.userId, this.settings.historyLimit) : Promise.resolve([]),
    ]);
    const { matched, nlu } = await this.resolve(project, q.text, catalog);
    const categories = new Set(matched.filter((m) => m.kind === 'category').map((m) => m.category!));
    const products = new Set(matched.filter((m) => m.kind === 'product').flatMap((m) => m.items));
    const allowed = this.recommend.filter(catalog, { category: categories.size ? [...categories] : undefined });

    const text: SourceScores = new Map();
    for (const m of matched) if (m.kind === 'title-word') for (const id of m.items) text.set(id, (text.get(id) ?? 0) + 1);
    const net = this.recommend.net(history);
    const profile = this.recommend.itemItem(model, net, true);
    const seeds = this.recommend.itemItem(model, new Map([...products].map((id) => [id, 1])), false);
    const sources: Record<string, SourceScores> = {
      text,
      content: await this.content(project, q.text, catalog, allowed),
      similar: this.combined(seeds.sources),
      profile: this.combined(profile.sources),
      popularity,
    };
    const seen = new Set(history.map((h) => h.itemId));
    const ranked = rank(blend(sources, QUERY_WEIGHTS).values(), {
      k,
      exclude: (id) => !allowed(id) || products.has(id) || (net.get(id) ?? 0) < 0 || (!!q.excludeSeen && seen.has(id)),
    });
    return {
      text: q.text,
      userId: q.userId ?? null,
      personalized: sources.profile.size > 0,
      nlu,
      matched,
      modelVersion: model?.version ?? null,
      items: ranked.map((b) => ({
        ...this.recommend.present(b, catalog, this.recommend.because(b, model, profile.contributions, history, catalog), true),
        matched: matched.filter((m) => m.items.includes(b.item) || (m.category && this.inCategory(catalog, b.item, m.category))).map((m) => m.text),
      })),
    };
  }

  /** The text's catalog words: NLU entities (when the project has a model) and names found in the text, without repeats. */
  private async resolve(project: string, text: string, catalog: Catalog): Promise<{ matched: MatchedWord[]; nlu: 'used' | 'unavailable' }> {
    this.registerWords(project, catalog);
    const matched: MatchedWord[] = [];
    const seen = new Set<string>();
    const push = (m: WordMatch, via: MatchedWord['via']) => {
      const key = `${m.kind}\u0000${m.category ?? ''}\u0000${[...m.items].sort().join(',')}`;
      if (seen.has(key) || (m.kind !== 'category' && m.items.length === 0)) return;
      seen.add(key);
      matched.push({ ...m, via });
    };
    let nlu: 'used' | 'unavailable' = 'used';
    try {
      const parsed = await this.nlu.parse(text, undefined, { project });
      for (const e of parsed.entities) {
        if (e.entity !== PRODUCT_ENTITY && e.entity !== CATEGORY_ENTITY) continue;
        for (const m of this.fromEntity(e.text, typeof e.value === 'string' ? e.value : e.text, catalog)) push(m, 'nlu');
      }
    } catch (err) {
      if (!(err instanceof ConflictError || err instanceof UnavailableError)) throw err;
      nlu = 'unavailable';
    }
    const named = namedInText(text, catalog.entries);
    for (const m of named) push(m, 'catalog');
    // a title word inside a named product's title is that product again
    const productTitles = named.filter((m) => m.kind === 'product').map((m) => fold(m.text));
    for (const m of this.index(catalog).match(text)) if (!productTitles.some((t) => t.includes(m.text))) push(m, 'catalog');
    return { matched, nlu };
  }

  /** An NLU entity in catalog terms: a category of the catalog, a full title, else a word of titles (体恤 -> T恤 -> T恤衫A/B/C). */
  private fromEntity(surface: string, value: string, catalog: Catalog): WordMatch[] {
    const forms = [...new Set([value, surface].map((s) => fold(s).trim()).filter((s) => s.length >= 2))];
    const stems = forms.map((f) => latinWords(f).join(' '));
    const out: WordMatch[] = [];
    const categories = new Set<string>();
    for (const e of catalog.entries) for (const c of [e.category, ...e.subCategories]) if (c) categories.add(c);
    for (const c of categories) if (forms.includes(fold(c)) || (stems.includes(latinWords(fold(c)).join(' ')) && latinWords(fold(c)).length)) out.push({ text: surface, kind: 'category', category: c, items: [] });
    if (out.length) return out;
    const titled = catalog.entries.filter((e) => forms.includes(fold(e.title)));
    if (titled.length) return [{ text: surface, kind: 'product', items: titled.map((e) => e.id) }];
    const containing = catalog.entries.filter((e) => forms.some((f) => fold(e.title).includes(f))).map((e) => e.id);
    return containing.length ? [{ text: surface, kind: 'title-word', items: containing.sort() }] : [];
  }

  /** Cosine of the text and each allowed item's text through the embeddings module (item vectors kept until an item's text changes). */
  private async content(project: string, text: string, catalog: Catalog, allowed: (id: string) => boolean): Promise<SourceScores> {
    const [vectors, query] = await Promise.all([this.itemVectors(project, catalog), this.embeddings.embed([text], { project, kind: 'query' })]);
    const q = query.vectors[0];
    const out: SourceScores = new Map();
    for (const [id, v] of vectors) {
      if (!allowed(id)) continue;
      let s = 0;
      for (let i = 0; i < q.length; i++) s += q[i] * v[i];
      if (s > 0) out.set(id, s);
    }
    return out;
  }

  private itemVectors(project: string, catalog: Catalog): Promise<Map<string, Float32Array>> {
    return this.itemVectorsService.vectors(project, catalog, catalog.entries.filter((e) => e.available).map((e) => e.id));
  }

  /** The item-item sources blended into one (their blend weights), so "similar" and "profile" each count once. */
  private combined(sources: Record<string, SourceScores>): SourceScores {
    const out: SourceScores = new Map();
    for (const b of blend(sources, this.settings.blendWeights).values()) out.set(b.item, b.score);
    return out;
  }

  private index(catalog: Catalog): TitleWordIndex {
    let index = this.indexes.get(catalog);
    if (!index) {
      index = new TitleWordIndex(catalog.entries);
      this.indexes.set(catalog, index);
    }
    return index;
  }

  /** Catalog words are NLU gazetteer values; upserts register them, and this covers items written before a restart. */
  private registerWords(project: string, catalog: Catalog): void {
    if (this.registered.has(catalog)) return;
    this.registered.add(catalog);
    const added = this.nlu.registerLookupValues(project, PRODUCT_ENTITY, catalog.entries.map((e) => e.title));
    this.nlu.registerLookupValues(project, CATEGORY_ENTITY, catalog.entries.flatMap((e) => [e.category ?? '', ...e.subCategories]).filter(Boolean));
    if (added) this.logger.debug(`${added} catalog titles of project ${project} registered as NLU product values`);
  }

  private inCategory(catalog: Catalog, id: string, category: string): boolean {
    const e = catalog.byId.get(id);
    return !!e && (e.category === category || e.subCategories.includes(category));
  }
}
