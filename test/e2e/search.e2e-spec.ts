/**
 * Search through the public API: collections per project, zh/en documents, keyword search
 * over jieba-segmented text, vector search equal to transformers.js's feature-extraction,
 * hybrid fusion, filters that return a full k (exact and iterative index scans), deletes,
 * re-indexing after a model change, rerank, grounded answers, isolation and bad inputs.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { writeFixture } from '../../src/inference/fixtures/write-fixture';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { EmbeddingsService } from '../../src/embeddings/embeddings.service';
import { RerankService } from '../../src/rerank/rerank.service';
import { ChunksRepository } from '../../src/search/chunks.repository';
import { CollectionsService } from '../../src/search/collections.service';
import { testDatabases } from './support/databases';
import { writeTinyBert, writeTinyGpt2 } from './support/models';
import { startTestApp, TestApp } from './support/test-app';

const PLATFORM = 'sk-search-platform-1';
const USER = 'sk-search-user-1';

const DOCS = [
  { id: 'zh-flight', text: '我想预订明天从北京到上海的飞机票。请帮我选一个靠窗的座位。', metadata: { lang: 'zh', topic: 'travel' } },
  { id: 'zh-weather', text: '北京今天天气晴朗，最高气温二十五度。明天可能会下雨。', metadata: { lang: 'zh', topic: 'weather' } },
  { id: 'zh-refund', text: '退货政策：商品签收后七天内可以无理由退货。退款在三个工作日内原路返回。', metadata: { lang: 'zh', topic: 'shop' } },
  { id: 'en-flight', text: 'I want to book a flight from London to Paris next Friday. A window seat, please.', metadata: { lang: 'en', topic: 'travel' } },
  { id: 'en-weather', text: 'The weather in Paris is sunny today. Rain is expected tomorrow evening.', metadata: { lang: 'en', topic: 'weather' } },
  { id: 'en-refund', text: 'Refund policy: items can be returned within seven days. Refunds arrive in three business days.', metadata: { lang: 'en', topic: 'shop' } },
];

describe.each(testDatabases())('search on %s', (db) => {
  let t: TestApp;
  let modelsDir: string;
  const auth = (r: import('supertest').Test, key = PLATFORM, project?: string) => {
    r.set('Authorization', `Bearer ${key}`);
    if (project) r.set('X-LLMOS-Project', project);
    return r;
  };
  const post = (path: string, body: object, key?: string, project?: string) => auth(t.http().post(path), key, project).send(body);
  const get = (path: string, key?: string, project?: string) => auth(t.http().get(path), key, project);
  const del = (path: string) => auth(t.http().delete(path));
  const search = (name: string, body: object) => post(`/api/v1/collections/${name}/search`, body);
  const ids = (res: { body: { results: { documentId: string }[] } }) => res.body.results.map((r) => r.documentId);

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-search-'));
    modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    await writeTinyBert(modelsDir, 'tiny-bert');
    t = await startTestApp({
      db,
      env: {
        DATA_DIR: dataDir,
        MODELS_DIR: modelsDir,
        API_KEYS: `${PLATFORM}:platform:ops,${USER}:user:alice`,
        SEARCH_MAX_DOCUMENTS_PER_REQUEST: '1000',
        SEARCH_EXACT_FILTER_MAX_ROWS: '100',
        // pgvector's own default: the iterative-scan test below needs a pass smaller than k
        SEARCH_HNSW_EF_SEARCH: '40',
      },
    });
    await t.app.get(InferencePool).startup;
  });
  afterAll(() => t.close());

  it('creates a collection with the default encoder; names are unique per project; users may not create', async () => {
    const res = await post('/api/v1/collections', { name: 'kb', description: '知识库 / knowledge base' }).expect(201);
    expect(res.body).toMatchObject({ name: 'kb', model: 'llmos-lexical', dim: 256, status: 'ready', documents: 0, chunks: 0 });
    await post('/api/v1/collections', { name: 'kb' }).expect(409);
    await post('/api/v1/collections', { name: 'user-made' }, USER).expect(403);
    const bad = await post('/api/v1/collections', { name: 'bad name!' }).expect(400);
    expect(bad.body.message).toMatch(/name must be/);
    expect((await get('/api/v1/collections').expect(200)).body.map((c: { name: string }) => c.name)).toEqual(['kb']);
  });

  it('ingests zh and en documents in bulk; the same content again changes nothing; metadata-only changes re-embed nothing', async () => {
    const first = await post('/api/v1/collections/kb/documents', { documents: DOCS }).expect(200);
    expect(first.body.created.sort()).toEqual(DOCS.map((d) => d.id).sort());
    expect(first.body.chunks).toBeGreaterThanOrEqual(DOCS.length);
    const again = await post('/api/v1/collections/kb/documents', { documents: DOCS }).expect(200);
    expect(again.body).toEqual({ created: [], updated: [], unchanged: DOCS.map((d) => d.id), chunks: 0 });
    const meta = await post('/api/v1/collections/kb/documents', { documents: [{ ...DOCS[0], metadata: { ...DOCS[0].metadata, rank: 1 } }] }).expect(200);
    expect(meta.body).toEqual({ created: [], updated: ['zh-flight'], unchanged: [], chunks: 0 });
    const doc = await get('/api/v1/collections/kb/documents/zh-flight').expect(200);
    expect(doc.body.metadata).toEqual({ lang: 'zh', topic: 'travel', rank: 1 });
    for (const c of doc.body.chunkSpans) expect(DOCS[0].text.slice(c.start, c.end)).toBe(c.text);
    const found = await search('kb', { query: '飞机票', mode: 'keyword', filter: { rank: 1 } }).expect(200);
    expect(ids(found)).toEqual(['zh-flight']); // the chunks carry the new metadata
    const page = await get('/api/v1/collections/kb/documents?limit=2&offset=1').expect(200);
    expect(page.body).toMatchObject({ total: DOCS.length, limit: 2, offset: 1 });
    expect(page.body.items.map((d: { id: string }) => d.id)).toEqual(['en-refund', 'en-weather']);
  });

  it('keyword search finds Chinese words inside unsegmented text, and English words', async () => {
    const cases: [string, string][] = [
      ['机票', 'zh-flight'], // inside 飞机票
      ['退款', 'zh-refund'],
      ['气温', 'zh-weather'],
      ['refunds', 'en-refund'],
      ['window seat', 'en-flight'],
    ];
    for (const [query, id] of cases) {
      const res = await search('kb', { query, mode: 'keyword', k: 3 }).expect(200);
      expect(ids(res)[0]).toBe(id);
      expect(res.body.results[0].foundBy).toEqual(['keyword']);
    }
    expect((await search('kb', { query: '？！', mode: 'keyword' }).expect(200)).body.results).toEqual([]);
  });

  it('hybrid search fuses both rankings (RRF) and does at least as well as each on a labelled set', async () => {
    const labelled: [string, string][] = [
      ['明天去上海的航班', 'zh-flight'],
      ['北京天气怎么样', 'zh-weather'],
      ['怎么退货退款', 'zh-refund'],
      ['book a flight to Paris', 'en-flight'],
      ['is it sunny in Paris', 'en-weather'],
      ['how long do refunds take', 'en-refund'],
    ];
    const mrr = async (mode: string) => {
      let sum = 0;
      for (const [query, id] of labelled) {
        const rank = ids(await search('kb', { query, mode, k: 6 }).expect(200)).indexOf(id);
        sum += rank < 0 ? 0 : 1 / (rank + 1);
      }
      return sum / labelled.length;
    };
    const [vector, keyword, hybrid] = [await mrr('vector'), await mrr('keyword'), await mrr('hybrid')];
    expect(hybrid).toBeGreaterThanOrEqual(Math.max(vector, keyword) - 1e-9);
    const res = await search('kb', { query: '北京天气怎么样', k: 3 }).expect(200);
    expect(res.body.mode).toBe('hybrid');
    const top = res.body.results[0];
    expect(top).toMatchObject({ documentId: 'zh-weather', foundBy: ['vector', 'keyword'] });
    expect(top.score).toBeCloseTo(top.scores.rrf, 12);
    expect(top.score).toBeLessThanOrEqual(2 / 61 + 1e-12);
  });

  it('vector search ranks exactly as cosine similarity of transformers.js feature-extraction vectors', async () => {
    await post('/api/v1/collections', { name: 'bert', model: 'tiny-bert' }).expect(201);
    await post('/api/v1/collections/bert/documents', { documents: DOCS }).expect(200);
    const tf = require('@huggingface/transformers');
    tf.env.allowRemoteModels = false;
    tf.env.localModelPath = `${modelsDir}/`;
    const extractor = await tf.pipeline('feature-extraction', 'tiny-bert', { dtype: 'fp32' });
    const query = '北京的天气';
    const chunks: { documentId: string; text: string }[] = [];
    for (const d of DOCS) chunks.push(...(await get(`/api/v1/collections/bert/documents/${d.id}`).expect(200)).body.chunkSpans.map((c: { text: string }) => ({ documentId: d.id, text: c.text })));
    const out = await extractor([query, ...chunks.map((c) => c.text)], { pooling: 'mean', normalize: true });
    const dim = out.dims[1];
    const vec = (i: number) => (out.data as Float32Array).subarray(i * dim, (i + 1) * dim);
    const cos = chunks.map((c, i) => ({ c, s: vec(0).reduce((a: number, x: number, j: number) => a + x * vec(i + 1)[j], 0) }));
    cos.sort((a, b) => b.s - a.s);
    await extractor.dispose();
    const res = await search('bert', { query, mode: 'vector', k: chunks.length }).expect(200);
    expect(res.body.results.map((r: { text: string }) => r.text)).toEqual(cos.map((x) => x.c.text));
    res.body.results.forEach((r: { score: number }, i: number) => expect(r.score).toBeCloseTo(cos[i].s, 4));
  });

  describe('filters return a full k', () => {
    const N = 600;
    beforeAll(async () => {
      await post('/api/v1/collections', { name: 'many' }).expect(201);
      const words = ['apple', 'river', 'stone', 'cloud', 'forest', 'ocean', 'mountain', 'garden', 'city', 'desert', '苹果', '河流', '石头', '森林'];
      const documents = Array.from({ length: N }, (_, i) => ({
        id: `d${i}`,
        text: `${words[i % words.length]} ${words[(i * 7) % words.length]} ${words[(i * 3 + 1) % words.length]} item ${i}`,
        metadata: { group: i % 10, n: i, tags: i % 2 ? ['odd'] : ['even'], ...(i % 5 === 0 ? { flagged: true } : {}) },
      }));
      await post('/api/v1/collections/many/documents', { documents }).expect(200);
    });

    const check = async (filter: object, k: number, expectCount: number, plan: string, ok: (m: Record<string, unknown>) => boolean) => {
      const res = await search('many', { query: 'apple river', mode: 'vector', k, filter });
      if (res.status !== 200) throw new Error(JSON.stringify(res.body));
      expect(res.body.plan.vector).toBe(plan);
      expect(res.body.results).toHaveLength(expectCount);
      for (const r of res.body.results) expect(ok(r.metadata)).toBe(true);
      const scores = res.body.results.map((r: { score: number }) => r.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      return res.body.results;
    };

    it('a selective filter (<= SEARCH_EXACT_FILTER_MAX_ROWS matches) is an exact scan: equality, ranges, exists, arrays', async () => {
      await check({ group: 3 }, 50, 50, 'exact', (m) => m.group === 3);
      await check({ n: { gte: 100, lt: 130 } }, 50, 30, 'exact', (m) => (m.n as number) >= 100 && (m.n as number) < 130);
      await check({ flagged: { exists: true }, group: 0 }, 100, 60, 'exact', (m) => m.flagged === true && m.group === 0);
      await check({ tags: 'odd', group: { in: [1, 2] } }, 100, 60, 'exact', (m) => m.group === 1); // an array field contains the value
    });

    it('a broad filter uses the HNSW index with iterative scans, and finishes exactly when the scan stops short', async () => {
      // 30% match, k = 50 > what one ef_search pass holds (~15): the scan iterates to a full k
      const iterative = await check({ group: { in: [1, 2, 3] } }, 50, 50, 'hnsw-iterative', (m) => [1, 2, 3].includes(m.group as number));
      await check({ n: { gte: 60 } }, 50, 50, 'hnsw-iterative', (m) => (m.n as number) >= 60);
      // the same query with the scan capped at one tuple: the index gives too few, the exact scan completes k
      const c = await t.app.get(CollectionsService).resolve('default', 'many');
      const vector = (await t.app.get(EmbeddingsService).embed(['apple river'], { model: c.model, kind: 'query' })).vectors[0];
      const query = { vector, k: 50, filter: { group: { in: [1, 2, 3] } }, exactMaxRows: 100, efSearch: 40 };
      const capped = await t.app.get(ChunksRepository).vector(c, { ...query, maxScanTuples: 1 });
      expect(capped.plan).toBe('hnsw-iterative+exact');
      expect(capped.hits).toHaveLength(50);
      const exact = await t.app.get(ChunksRepository).vector(c, { ...query, exactMaxRows: 1000, maxScanTuples: 1 });
      expect(exact.plan).toBe('exact');
      expect(capped.hits.map((h) => h.chunkId)).toEqual(exact.hits.map((h) => h.chunkId));
      // relaxed order re-sorted: the iterative results are the exact top 50 here too (600 chunks, HNSW recall is 1 at this size)
      expect(new Set(iterative.map((r: { chunkId: string }) => r.chunkId))).toEqual(new Set(exact.hits.map((h) => h.chunkId)));
    });

    it('keyword and hybrid searches apply the same filters', async () => {
      const res = await search('many', { query: 'apple', k: 20, filter: { group: 4 } }).expect(200);
      expect(res.body.results.length).toBe(20);
      for (const r of res.body.results) expect(r.metadata.group).toBe(4);
    });
  });

  it('deleting a document removes its chunks; deleting a collection removes everything', async () => {
    const before = (await get('/api/v1/collections/kb').expect(200)).body;
    const doc = (await get('/api/v1/collections/kb/documents/en-refund').expect(200)).body;
    await del('/api/v1/collections/kb/documents/en-refund').expect(204);
    await get('/api/v1/collections/kb/documents/en-refund').expect(404);
    await del('/api/v1/collections/kb/documents/en-refund').expect(404);
    const after = (await get('/api/v1/collections/kb').expect(200)).body;
    expect(after).toMatchObject({ documents: before.documents - 1, chunks: before.chunks - doc.chunks });
    expect(ids(await search('kb', { query: 'refunds', mode: 'keyword' }).expect(200))).not.toContain('en-refund');
    await post('/api/v1/collections', { name: 'scratch' }).expect(201);
    await post('/api/v1/collections/scratch/documents', { documents: DOCS.slice(0, 2) }).expect(200);
    await del('/api/v1/collections/scratch').expect(204);
    await get('/api/v1/collections/scratch').expect(404);
    const [{ n }] = await t.app.get(DataSource).query(`SELECT count(*) AS n FROM search_chunks c LEFT JOIN search_collections s ON s.id = c.collection_id WHERE s.id IS NULL`);
    expect(Number(n)).toBe(0);
  });

  it('a model change refuses searches and writes (409) until a re-index job re-embeds the collection', async () => {
    await post('/api/v1/collections', { name: 'moving' }).expect(201);
    await post('/api/v1/collections/moving/documents', { documents: DOCS }).expect(200);
    const ds = t.app.get(DataSource);
    // as if the encoder the collection was made with had been removed from the store
    await ds.query(`UPDATE search_collections SET model = 'retired-encoder' WHERE name = 'moving'`);
    const gone = await search('moving', { query: '天气' }).expect(409);
    expect(gone.body.message).toMatch(/retired-encoder, which is no longer installed.*reindex/);
    await post('/api/v1/collections/moving/documents', { documents: [{ id: 'new', text: 'new text' }] }).expect(409);
    // as if the same model id now gave another dimension
    await ds.query(`UPDATE search_collections SET model = 'llmos-lexical', dim = 48 WHERE name = 'moving'`);
    expect((await search('moving', { query: '天气' }).expect(409)).body.message).toMatch(/48-dimensional vectors of model llmos-lexical, but llmos-lexical now gives 256/);
    await post('/api/v1/collections/moving/reindex', {}, USER).expect(403);
    const job = await post('/api/v1/collections/moving/reindex', { model: 'tiny-bert' }).expect(202);
    expect(job.body).toMatchObject({ kind: 'search.reindex', subject: 'moving' });
    let status = job.body;
    while (status.status === 'queued' || status.status === 'running') {
      await new Promise((r) => setTimeout(r, 50));
      status = (await get(`/api/v1/jobs/${job.body.id}`).expect(200)).body;
    }
    expect(status).toMatchObject({ status: 'succeeded', result: { model: 'tiny-bert', dim: 64 } });
    expect(status.progress.done).toBe(status.progress.total);
    expect((await get('/api/v1/collections/moving').expect(200)).body).toMatchObject({ model: 'tiny-bert', dim: 64, status: 'ready' });
    expect(ids(await search('moving', { query: '北京天气', k: 2 }).expect(200))).toContain('zh-weather');
    await get(`/api/v1/jobs/${job.body.id}`, PLATFORM, 'other-proj').expect(404);
  });

  it('rerank without a reranker is a clear 400; answers without a generation model are extractive', async () => {
    const res = await search('kb', { query: '天气', rerank: true }).expect(400);
    expect(res.body.message).toMatch(/rerank needs a reranker/);
    const answer = await post('/api/v1/collections/kb/answer', { question: '退货后多久退款？', k: 2 }).expect(200);
    expect(answer.body).toMatchObject({ mode: 'extractive', model: null, citations: [1] });
    expect(answer.body.sources[0]).toMatchObject({ n: 1, documentId: 'zh-refund' });
    expect(answer.body.answer).toBe(answer.body.sources[0].text);
  });

  it('reranks the candidates with an installed cross-encoder, in its order', async () => {
    await writeFixture('cross-encoder', 'tiny', join(modelsDir, 'tiny-reranker'));
    t.app.get(InferencePool).rescan();
    await post('/api/v1/models/tiny-reranker/load', {}).expect(200);
    const query = 'weather in Paris';
    const plain = await search('kb', { query, k: 5, candidates: 5 }).expect(200);
    const res = await search('kb', { query, k: 5, candidates: 5, rerank: true }).expect(200);
    expect(res.body.reranker).toBe('tiny-reranker');
    const theirs = await t.app.get(RerankService).rerank(query, plain.body.results.map((r: { text: string }) => r.text));
    expect(res.body.results.map((r: { text: string }) => r.text)).toEqual(theirs.results.map((r) => plain.body.results[r.index].text));
    res.body.results.forEach((r: { score: number; scores: { rerank: number } }) => expect(r.score).toBe(r.scores.rerank));
    await search('kb', { query, rerank: true, rerankModel: 'no-such-reranker' }).expect(400);
  });

  it('answers with a text-generation model from numbered sources', async () => {
    await writeTinyGpt2(modelsDir);
    t.app.get(InferencePool).rescan();
    await post('/api/v1/models/tiny-gpt2/load', {}).expect(200);
    const res = await post('/api/v1/collections/kb/answer', { question: 'refund?', k: 2, maxTokens: 4 });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    expect(res.body).toMatchObject({ mode: 'generative', model: 'tiny-gpt2' });
    expect(typeof res.body.answer).toBe('string');
    expect(res.body.sources.length).toBeGreaterThanOrEqual(1);
    expect(res.body.sources[0].n).toBe(1);
    for (const n of res.body.citations) expect(n).toBeLessThanOrEqual(res.body.sources.length);
  });

  it("another project's collection is a 404 exactly like a missing one", async () => {
    await post('/api/v1/projects', { id: 'other-proj', name: 'Other' }).expect(201);
    const missing = await search('no-such', { query: 'x' }).expect(404);
    expect(missing.body.message).toMatch(/No collection named no-such/);
    for (const r of [search('kb', { query: 'x' }), get('/api/v1/collections/kb'), get('/api/v1/collections/kb/documents/zh-flight')].map((x) => x.set('X-LLMOS-Project', 'other-proj'))) await r.expect(404);
    expect((await get('/api/v1/collections', PLATFORM, 'other-proj').expect(200)).body).toEqual([]);
    await post('/api/v1/collections', { name: 'kb' }, PLATFORM, 'other-proj').expect(201); // the same name in another project
  });

  it('bad inputs are 4xx with clear messages and leave the data unchanged', async () => {
    const before = (await get('/api/v1/collections/kb').expect(200)).body;
    const bad = async (body: object, status: number, message: RegExp, path = '/api/v1/collections/kb/documents') => {
      const res = await post(path, body).expect(status);
      expect(res.body.message).toMatch(message);
    };
    await bad({ documents: [{ id: 'a', text: 'fine' }, { id: 'b', text: '   ' }] }, 400, /text must contain a non-whitespace character/);
    await bad({ documents: [] }, 400, /documents/);
    await bad({ documents: [{ id: 'a', text: 'x' }, { id: 'a', text: 'y' }] }, 400, /appears twice/);
    await bad({ documents: Array.from({ length: 1001 }, (_, i) => ({ id: `big${i}`, text: 'x' })) }, 400, /limit is 1000 \(SEARCH_MAX_DOCUMENTS_PER_REQUEST\)/);
    await bad({ documents: [{ id: 'a', text: 'x' }] }, 404, /No collection named nope/, '/api/v1/collections/nope/documents');
    await bad({ name: 'wide', dimensions: 300 }, 400, /dimensions 300 exceeds the 256/, '/api/v1/collections');
    await bad({ query: 'x', filter: { 'bad key!': 1 } }, 400, /filter key "bad key!" is not valid/, '/api/v1/collections/kb/search');
    await bad({ query: 'x', filter: { n: { like: 1 } } }, 400, /unknown operator "like"/, '/api/v1/collections/kb/search');
    await bad({ query: '' }, 400, /query/, '/api/v1/collections/kb/search');
    await bad({ query: 'x', mode: 'fuzzy' }, 400, /mode/, '/api/v1/collections/kb/search');
    await bad({ query: 'x', mode: 'vector', efSearch: 0 }, 400, /efSearch/, '/api/v1/collections/kb/search');
    await get('/api/v1/collections/wide').expect(404);
    expect((await get('/api/v1/collections/kb').expect(200)).body).toMatchObject({ documents: before.documents, chunks: before.chunks });
  });

  it('takes bulk bodies beyond BODY_LIMIT up to BULK_BODY_LIMIT', async () => {
    await post('/api/v1/collections', { name: 'bulk' }).expect(201);
    // about 1.3 MB: over the 1 MB BODY_LIMIT of other routes
    const documents = Array.from({ length: 500 }, (_, i) => ({ id: `d${i}`, text: `文档 ${i} document`, metadata: { pad: 'x'.repeat(2600) } }));
    expect(JSON.stringify({ documents }).length).toBeGreaterThan(1024 * 1024);
    await post('/api/v1/collections/bulk/documents', { documents }).expect((r) => expect([200, 201]).toContain(r.status));
    expect((await get('/api/v1/collections/bulk').expect(200)).body).toMatchObject({ documents: 500 });
    await del('/api/v1/collections/bulk').expect((r) => expect([200, 204]).toContain(r.status));
  });
});
