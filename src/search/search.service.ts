import { Injectable } from '@nestjs/common';
import { BadInputError } from '../common/errors';
import { AppConfig, settingNumber } from '../config/app-config';
import { EmbeddingsService } from '../embeddings/embeddings.service';
import { RerankService } from '../rerank/rerank.service';
import { ChunksRepository } from './chunks.repository';
import { CollectionsService } from './collections.service';
import { compileFilter, FilterError } from './filters/filter-compiler';
import { queryTerms } from './ingest/prepare';
import { reciprocalRankFusion, RRF_K } from './ranking/rrf';
import type { ChunkHit, Collection, SearchMode, VectorPlan } from './search.types';

export interface SearchQuery {
  query: string;
  k?: number;
  mode?: SearchMode;
  filter?: Record<string, unknown>;
  /** hnsw.ef_search of this query (default SEARCH_HNSW_EF_SEARCH) */
  efSearch?: number;
  /** RRF weights of hybrid search (default 1 each) */
  weights?: { vector?: number; keyword?: number };
  rerank?: boolean;
  rerankModel?: string;
  /** candidates handed to the reranker (default max(3k, 20), at most 200) */
  candidates?: number;
}

export interface SearchHit extends Omit<ChunkHit, 'score'> {
  score: number;
  foundBy: ('vector' | 'keyword')[];
  scores: { vector?: number; keyword?: number; rrf?: number; rerank?: number };
}

export interface SearchResponse {
  collection: string;
  mode: SearchMode;
  model: string;
  reranker: string | null;
  plan: { vector?: VectorPlan };
  results: SearchHit[];
}

export const DEFAULT_K = 10;

/** Vector, keyword and hybrid (RRF) search over a collection's chunks, optionally reranked by a cross-encoder. */
@Injectable()
export class SearchService {
  private readonly exactMaxRows: number;
  private readonly maxScanTuples: number;
  private readonly efSearch: number;

  constructor(
    private readonly collections: CollectionsService,
    private readonly chunks: ChunksRepository,
    private readonly embeddings: EmbeddingsService,
    private readonly reranker: RerankService,
    config: AppConfig,
  ) {
    this.exactMaxRows = settingNumber(config, 'SEARCH_EXACT_FILTER_MAX_ROWS');
    this.maxScanTuples = settingNumber(config, 'SEARCH_HNSW_MAX_SCAN_TUPLES');
    this.efSearch = settingNumber(config, 'SEARCH_HNSW_EF_SEARCH');
  }

  async search(project: string, name: string, q: SearchQuery): Promise<SearchResponse> {
    const k = q.k ?? DEFAULT_K;
    const mode = q.mode ?? 'hybrid';
    if (q.rerank && !this.reranker.available(q.rerankModel)) {
      throw new BadInputError(
        q.rerankModel
          ? `Reranker ${q.rerankModel} is not installed (or not loaded); installed rerankers: ${this.reranker.rerankers().join(', ') || 'none'}`
          : 'rerank needs a reranker (a cross-encoder such as bge-reranker) and none is installed: npm run models:pull -- <reranker>, or search without rerank',
        { field: 'rerank' },
      );
    }
    await this.guard(async () => compileFilter(q.filter, 'metadata', 1));
    const c = await this.collections.usable(project, name);
    const depth = q.rerank ? Math.min(200, q.candidates ?? Math.max(3 * k, 20)) : mode === 'hybrid' ? Math.min(200, 2 * k + 10) : k;
    const plan: SearchResponse['plan'] = {};
    const [vector, keyword] = await Promise.all([
      mode === 'keyword' ? Promise.resolve<ChunkHit[]>([]) : this.vector(c, q, depth, project).then((r) => ((plan.vector = r.plan), r.hits)),
      mode === 'vector' ? Promise.resolve<ChunkHit[]>([]) : this.guard(() => this.chunks.keyword(c, queryTerms(q.query), depth, q.filter)),
    ]);
    let hits = this.fuse(mode, vector, keyword, q.weights);
    let reranker: string | null = null;
    if (q.rerank && hits.length) {
      const out = await this.reranker.rerank(q.query, hits.map((h) => h.text), { model: q.rerankModel });
      reranker = out.model;
      hits = out.results.map((r) => ({ ...hits[r.index], score: r.score, scores: { ...hits[r.index].scores, rerank: r.score } }));
    }
    return { collection: c.name, mode, model: c.model, reranker, plan, results: hits.slice(0, k) };
  }

  private async vector(c: Collection, q: SearchQuery, k: number, project: string) {
    const out = await this.embeddings.embed([q.query], { model: c.model, kind: 'query', dimensions: c.requestedDim ?? undefined, project });
    this.collections.checkModel(c, out.dim);
    return this.guard(() => this.chunks.vector(c, { vector: out.vectors[0], k, filter: q.filter, exactMaxRows: this.exactMaxRows, maxScanTuples: this.maxScanTuples, efSearch: q.efSearch ?? this.efSearch }));
  }

  private fuse(mode: SearchMode, vector: ChunkHit[], keyword: ChunkHit[], weights: SearchQuery['weights'] = {}): SearchHit[] {
    if (mode === 'vector') return vector.map((h) => ({ ...h, foundBy: ['vector'], scores: { vector: h.score } }));
    if (mode === 'keyword') return keyword.map((h) => ({ ...h, foundBy: ['keyword'], scores: { keyword: h.score } }));
    const byId = new Map<string, { hit: ChunkHit; vector?: number; keyword?: number }>();
    for (const h of vector) byId.set(h.chunkId, { hit: h, vector: h.score });
    for (const h of keyword) byId.set(h.chunkId, { ...(byId.get(h.chunkId) ?? { hit: h }), keyword: h.score });
    const fused = reciprocalRankFusion(
      [
        { name: 'vector', ids: vector.map((h) => h.chunkId), weight: weights.vector ?? 1 },
        { name: 'keyword', ids: keyword.map((h) => h.chunkId), weight: weights.keyword ?? 1 },
      ],
      RRF_K,
    );
    return fused.map((f) => {
      const e = byId.get(f.id)!;
      const foundBy = (['vector', 'keyword'] as const).filter((m) => f.ranks[m] !== undefined);
      return { ...e.hit, score: f.score, foundBy: [...foundBy], scores: { vector: e.vector, keyword: e.keyword, rrf: f.score } };
    });
  }

  /** A bad filter is the caller's 400, found while compiling it. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof FilterError) throw new BadInputError(err.message, { field: 'filter' });
      throw err;
    }
  }
}
