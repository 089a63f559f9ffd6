import { BadInputError, ConflictError, NotFoundError } from '../common/errors';
import type { AppConfig } from '../config/app-config';
import type { EmbeddingsService } from '../embeddings/embeddings.service';
import type { JobsService } from '../jobs/jobs.service';
import type { RerankService } from '../rerank/rerank.service';
import type { ChunksRepository } from './chunks.repository';
import type { CollectionsRepository } from './collections.repository';
import { CollectionsService } from './collections.service';
import { SearchService } from './search.service';
import type { ChunkHit, Collection } from './search.types';

const COLLECTION: Collection = {
  id: '00000000-0000-4000-8000-000000000001', projectId: 'p', name: 'kb', description: '', model: 'enc', dim: 4, requestedDim: null,
  chunkTokens: 128, chunkOverlap: 16, status: 'ready', jobId: null, createdAt: new Date(), updatedAt: new Date(),
};
const hit = (id: string, score: number): ChunkHit => ({ chunkId: id, documentId: `doc-${id}`, seq: 0, start: 0, end: 1, text: `text ${id}`, metadata: {}, score });

function setup(o: { encoderDim?: number; encoderMissing?: boolean; reranker?: boolean } = {}) {
  const embeddings = {
    encoder: jest.fn(() => {
      if (o.encoderMissing) throw new NotFoundError('No embedding model named enc');
      return { id: 'enc', dim: o.encoderDim ?? 4, maxTokens: 512, builtin: false, pooling: 'mean' };
    }),
    embed: jest.fn(async (texts: string[]) => ({ model: 'enc', dim: o.encoderDim ?? 4, vectors: texts.map(() => new Float32Array(o.encoderDim ?? 4)), tokens: 1, truncated: [], maxTokens: 512 })),
  } as unknown as EmbeddingsService;
  const collectionsRepo = { get: jest.fn(async (_p: string, name: string) => (name === 'kb' ? COLLECTION : null)), dropOrphanIndexes: jest.fn(async () => []) } as unknown as CollectionsRepository;
  const chunks = {
    vector: jest.fn(async () => ({ hits: [hit('a', 0.9), hit('b', 0.8), hit('c', 0.7)], plan: 'hnsw' })),
    keyword: jest.fn(async () => [hit('c', 0.5), hit('d', 0.4)]),
  } as unknown as ChunksRepository;
  const reranker = {
    available: jest.fn(() => !!o.reranker),
    rerankers: jest.fn(() => (o.reranker ? ['rr'] : [])),
    rerank: jest.fn(async (_q: string, docs: string[]) => ({ model: 'rr', results: docs.map((_, i) => ({ index: docs.length - 1 - i, score: 1 - i / 10 })) })),
  } as unknown as RerankService;
  const config = { raw: { SEARCH_EXACT_FILTER_MAX_ROWS: '100', SEARCH_HNSW_MAX_SCAN_TUPLES: '1000' } } as unknown as AppConfig;
  const collections = new CollectionsService(collectionsRepo, chunks, embeddings, { register: jest.fn() } as unknown as JobsService);
  return { service: new SearchService(collections, chunks, embeddings, reranker, config), chunks, reranker, embeddings };
}

describe('SearchService', () => {
  it('hybrid fuses the vector and keyword rankings by RRF and says which found each hit', async () => {
    const { service } = setup();
    const res = await service.search('p', 'kb', { query: 'q', k: 3 });
    expect(res.results.map((r) => r.chunkId)).toEqual(['c', 'a', 'b']);
    expect(res.results[0]).toMatchObject({ foundBy: ['vector', 'keyword'], scores: { vector: 0.7, keyword: 0.5 } });
    expect(res.results[0].score).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(res.plan).toEqual({ vector: 'hnsw' });
  });

  it('single modes keep their own order and scores; keyword mode embeds nothing', async () => {
    const { service, embeddings } = setup();
    const res = await service.search('p', 'kb', { query: 'q', mode: 'keyword' });
    expect(res.results.map((r) => [r.chunkId, r.score, r.foundBy])).toEqual([['c', 0.5, ['keyword']], ['d', 0.4, ['keyword']]]);
    expect(embeddings.embed).not.toHaveBeenCalled();
  });

  it('rerank: 400 without a reranker, before any work; with one, its order and scores', async () => {
    const none = setup();
    await expect(none.service.search('p', 'kb', { query: 'q', rerank: true })).rejects.toThrow(BadInputError);
    expect(none.chunks.vector).not.toHaveBeenCalled();
    const { service } = setup({ reranker: true });
    const res = await service.search('p', 'kb', { query: 'q', mode: 'vector', k: 2, rerank: true });
    expect(res.reranker).toBe('rr');
    expect(res.results.map((r) => [r.chunkId, r.score])).toEqual([['c', 1], ['b', 0.9]]);
  });

  it('a bad filter is a 400 before the query runs', async () => {
    const { service, chunks } = setup();
    await expect(service.search('p', 'kb', { query: 'q', filter: { 'x y': 1 } })).rejects.toThrow(/filter key "x y" is not valid/);
    expect(chunks.vector).not.toHaveBeenCalled();
  });

  it('an encoder that is gone or gives another dimension is a 409 naming reindex; a missing collection is a 404', async () => {
    await expect(setup({ encoderMissing: true }).service.search('p', 'kb', { query: 'q' })).rejects.toThrow(ConflictError);
    await expect(setup({ encoderDim: 8 }).service.search('p', 'kb', { query: 'q' })).rejects.toThrow(/4-dimensional vectors of model enc, but enc now gives 8.*reindex/);
    await expect(setup().service.search('p', 'nope', { query: 'q' })).rejects.toThrow(NotFoundError);
  });
});
