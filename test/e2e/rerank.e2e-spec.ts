import { AutoModelForSequenceClassification, AutoTokenizer, env } from '@huggingface/transformers';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixture } from '../../src/inference/fixtures/write-fixture';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { RerankService } from '../../src/rerank/rerank.service';
import { startTestApp, TestApp } from './support/test-app';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const EN_QUERY = 'What is the weather like in Beijing this weekend?';
const EN_DOCS = [
  'I would like to order a large pizza and two cups of coffee.',
  'The weather in Beijing this weekend is sunny with a light breeze.',
  'Beijing is the capital of China.',
  'Will it snow in Harbin next week?',
  'What would you like to talk about today?',
  'Machine learning models learn patterns from data.',
];
const ZH_QUERY = '北京的天气怎么样';
const ZH_DOCS = ['我想订一个大份的披萨', '北京今天天气晴朗，微风', '中国的首都是北京', '下周哈尔滨会下雪吗？', '这家餐厅的菜很好吃'];

interface Ranked {
  index: number;
  relevance_score: number;
  document?: { text: string };
}

describe('POST /v1/rerank with a cross-encoder', () => {
  let t: TestApp;
  let modelsDir: string;
  /** transformers.js on the same folder, one pair at a time: the independent reference */
  let reference: (query: string, docs: string[]) => Promise<{ scores: number[]; tokens: number }>;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-rerank-'));
    modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    await writeFixture('cross-encoder', 'tiny', join(modelsDir, 'tiny-reranker'));
    // the same weights declared a reranker by llmos.json instead of by its one label
    await writeFixture('cross-encoder', 'tiny', join(modelsDir, 'declared-reranker'));
    writeFileSync(join(modelsDir, 'declared-reranker', 'llmos.json'), JSON.stringify({ task: 'rerank' }));
    await writeFixture('bert', 'tiny', join(modelsDir, 'tiny-bert'));
    t = await startTestApp({ env: { DATA_DIR: dataDir, MODELS_DIR: modelsDir, RERANK_MAX_DOCUMENTS: '50' } });
    await t.app.get(InferencePool).startup;

    env.allowRemoteModels = false;
    env.localModelPath = `${modelsDir}/`;
    const tokenizer = await AutoTokenizer.from_pretrained('tiny-reranker');
    const model = await AutoModelForSequenceClassification.from_pretrained('tiny-reranker', { dtype: 'fp32' });
    reference = async (query, docs) => {
      const scores: number[] = [];
      let tokens = 0;
      for (const doc of docs) {
        const enc = tokenizer(query, { text_pair: doc });
        tokens += enc.input_ids.dims[1];
        scores.push(sigmoid(((await model(enc)).logits.data as Float32Array)[0]));
      }
      return { scores, tokens };
    };
  });
  afterAll(() => t.close());

  async function expectReferenceRanking(query: string, docs: string[]): Promise<Ranked[]> {
    const res = await t.http().post('/v1/rerank').send({ model: 'tiny-reranker', query, documents: docs }).expect(200);
    const ref = await reference(query, docs);
    const order = docs.map((_, i) => i).sort((a, b) => ref.scores[b] - ref.scores[a]);
    const results = res.body.results as Ranked[];
    expect(results.map((r) => r.index)).toEqual(order);
    for (const r of results) expect(r.relevance_score).toBeCloseTo(ref.scores[r.index], 4);
    // the reference scores are far enough apart for the order to mean something
    for (let i = 1; i < order.length; i++) expect(ref.scores[order[i - 1]] - ref.scores[order[i]]).toBeGreaterThan(1e-4);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^rerank-/), model: 'tiny-reranker', usage: { total_tokens: ref.tokens } });
    return results;
  }

  it('ranks English documents as transformers.js scores them, the one holding the query words first', async () => {
    const results = await expectReferenceRanking(EN_QUERY, EN_DOCS);
    expect(results[0].index).toBe(1);
    expect(results.at(-1)!.index).toBe(5);
    expect(results[0].relevance_score).toBeGreaterThan(0.5);
    expect(results[0]).not.toHaveProperty('document');
  });

  it('ranks Chinese and mixed documents as transformers.js scores them', async () => {
    const zh = await expectReferenceRanking(ZH_QUERY, ZH_DOCS);
    expect([1, 2]).toContain(zh[0].index); // the documents that mention 北京
    await expectReferenceRanking('Beijing 天气', [...EN_DOCS.slice(0, 3), ...ZH_DOCS.slice(0, 3)]);
  });

  it('accepts { text } documents, cuts to top_n and returns the texts when asked', async () => {
    const documents = ZH_DOCS.map((text) => ({ text }));
    const all = (await t.http().post('/v1/rerank').send({ model: 'tiny-reranker', query: ZH_QUERY, documents }).expect(200)).body.results as Ranked[];
    const res = await t.http().post('/v1/rerank').send({ model: 'tiny-reranker', query: ZH_QUERY, documents, top_n: 2, return_documents: true }).expect(200);
    expect(res.body.results).toEqual(all.slice(0, 2).map((r) => ({ ...r, document: { text: ZH_DOCS[r.index] } })));
    expect((await t.http().post('/v1/rerank').send({ model: 'tiny-reranker', query: ZH_QUERY, documents, top_n: 99 }).expect(200)).body.results).toHaveLength(ZH_DOCS.length);
  });

  it('serves the same ranking to other modules through RerankService, and with the model declared in llmos.json', async () => {
    const service = t.app.get(RerankService);
    expect(service.rerankers()).toEqual(['declared-reranker', 'tiny-reranker']);
    expect(service.available()).toBe(true);
    expect(service.available('tiny-bert')).toBe(false);
    const http = (await t.http().post('/v1/rerank').send({ model: 'tiny-reranker', query: EN_QUERY, documents: EN_DOCS }).expect(200)).body.results as Ranked[];
    const direct = await service.rerank(EN_QUERY, EN_DOCS, { model: 'declared-reranker', topN: 3 });
    expect(direct.model).toBe('declared-reranker');
    expect(direct.results.map((r) => r.index)).toEqual(http.slice(0, 3).map((r) => r.index));
    direct.results.forEach((r, i) => expect(r.score).toBeCloseTo(http[i].relevance_score, 5));
    // no model named: RERANK_DEFAULT_MODEL=auto takes the first loaded reranker
    expect((await t.http().post('/v1/rerank').send({ query: EN_QUERY, documents: EN_DOCS }).expect(200)).body.model).toBe('declared-reranker');
  });

  it('truncates documents longer than the model to its 128 positions', async () => {
    const long = `${EN_DOCS[1]} ${'The quick brown fox jumps over the lazy dog. '.repeat(40)}`;
    const res = await t.http().post('/v1/rerank').send({ model: 'tiny-reranker', query: EN_QUERY, documents: [EN_DOCS[0], long] }).expect(200);
    expect(res.body.results[0].index).toBe(1);
    const short = (await reference(EN_QUERY, [EN_DOCS[0]])).tokens;
    expect(res.body.usage.total_tokens).toBe(short + 128);
  });

  it('refuses bad requests with 400s in OpenAI error shape naming the field', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ query: '', documents: ['a'] }, 'query', /query is empty/],
      [{ documents: ['a'] }, 'query', /query must be a string/],
      [{ query: 'q', documents: [] }, 'documents', /documents is empty/],
      [{ query: 'q', documents: Array.from({ length: 51 }, (_, i) => `doc ${i}`) }, 'documents', /51 entries; at most 50 .*RERANK_MAX_DOCUMENTS/],
      [{ query: 'q', documents: ['a', 7] }, 'documents.1', /documents\[1\] must be a string or an object/],
      [{ query: 'q', documents: ['a'], top_n: 0 }, 'top_n', /top_n must be an integer of at least 1/],
      [{ model: 'tiny-bert', query: 'q', documents: ['a'] }, 'model', /tiny-bert` is a feature-extraction model, not a reranker; installed rerankers: declared-reranker, tiny-reranker/],
    ];
    for (const [body, param, message] of cases) {
      const res = await t.http().post('/v1/rerank').send({ model: 'tiny-reranker', ...body }).expect(400);
      expect(res.body).toEqual({ error: { message: expect.stringMatching(message), type: 'invalid_request_error', param, code: 'bad_request' } });
    }
    await t.http().post('/v1/rerank').send({ query: 'q', documents: ['a'], colour: 'red' }).expect(400);
  });

  it('answers an unknown model with a 404 listing the installed rerankers', async () => {
    const res = await t.http().post('/v1/rerank').send({ model: 'bge-reranker-base', query: 'q', documents: ['a'] }).expect(404);
    expect(res.body.error).toMatchObject({ type: 'not_found_error', param: 'model', message: 'The model `bge-reranker-base` does not exist; installed rerankers: declared-reranker, tiny-reranker' });
  });

  it('documents the route with zh and en examples and OpenAI errors', async () => {
    const op = (await t.http().get('/docs/openapi.json').expect(200)).body.paths['/v1/rerank'].post;
    expect(op.operationId).toBe('createRerank');
    expect(Object.keys(op.requestBody.content['application/json'].examples)).toEqual(['en', 'zh']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '503']));
  });
});
