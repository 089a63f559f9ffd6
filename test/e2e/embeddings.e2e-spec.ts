import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBase64 } from '../../src/embeddings/core/vectors';
import { EmbeddingsService } from '../../src/embeddings/embeddings.service';
import { lexicalFeatures } from '../../src/embeddings/lexical/lexical-features';
import { lexicalReference } from '../../src/embeddings/lexical/lexical-onnx';
import { LEXICAL_MAX_TOKENS, LEXICAL_SHAPE } from '../../src/embeddings/encoders/lexical-encoder';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { TokenizerService } from '../../src/inference/tokenizer.service';
import { writeTinyBert } from './support/models';
import { startTestApp, TestApp } from './support/test-app';

const TEXTS = ['今天北京天气怎么样？', 'What is the weather like in Beijing today?', '我想买一双运动鞋', 'hello'];
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));

describe('Embeddings (/v1/embeddings, EmbeddingsService)', () => {
  let t: TestApp;
  let modelsDir: string;
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-emb-'));
    modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    await writeTinyBert(modelsDir, 'tiny-bert');
    // the same weights as a CLS-pooled Matryoshka encoder with an e5-style prefix
    const cls = await writeTinyBert(modelsDir, 'tiny-bert-cls', { embeddings: { matryoshka: true, queryPrefix: 'query: ', maxTokens: 16 } });
    mkdirSync(join(cls, '1_Pooling'));
    writeFileSync(join(cls, '1_Pooling', 'config.json'), JSON.stringify({ word_embedding_dimension: 64, pooling_mode_cls_token: true, pooling_mode_mean_tokens: false }));
    t = await startTestApp({ env: { DATA_DIR: dataDir, MODELS_DIR: modelsDir, EMBEDDINGS_MAX_INPUTS: '8' } });
    await t.app.get(InferencePool).startup;
  });
  afterAll(() => t.close(true));

  it('embeds zh and en with the built-in lexical encoder, exactly as its reference computation', async () => {
    const res = await t.http().post('/v1/embeddings').send({ model: 'llmos-lexical', input: TEXTS }).expect(200);
    expect(res.body).toMatchObject({ object: 'list', model: 'llmos-lexical', truncated: [], max_tokens: LEXICAL_MAX_TOKENS });
    expect(res.body.data.map((d: { index: number; object: string }) => [d.index, d.object])).toEqual(TEXTS.map((_, i) => [i, 'embedding']));
    const ref = lexicalReference(LEXICAL_SHAPE, TEXTS.map((x) => lexicalFeatures(x, { buckets: LEXICAL_SHAPE.buckets, maxTokens: LEXICAL_MAX_TOKENS })));
    res.body.data.forEach((d: { embedding: number[] }, i: number) => {
      expect(d.embedding).toHaveLength(256);
      expect(dot(d.embedding, d.embedding)).toBeCloseTo(1, 4);
      expect(maxDiff(d.embedding, ref[i])).toBeLessThan(1e-5);
    });
    expect(res.body.usage.prompt_tokens).toBeGreaterThan(TEXTS.length);
    expect(res.body.usage.total_tokens).toBe(res.body.usage.prompt_tokens);
    // the default encoder (EMBEDDINGS_DEFAULT_MODEL) is the built-in one
    const svc = await t.app.get(EmbeddingsService).embed([TEXTS[0]]);
    expect(svc.model).toBe('llmos-lexical');
    expect(maxDiff(svc.vectors[0], res.body.data[0].embedding)).toBeLessThan(1e-6);
  });

  it('serves base64 and Matryoshka dimensions, and the official openai client decodes them', async () => {
    const { OpenAI } = require('openai');
    const client = new OpenAI({ baseURL: `${await t.app.getUrl()}/v1`, apiKey: 'unused', maxRetries: 0 });
    const viaClient = await client.embeddings.create({ model: 'llmos-lexical', input: ['北京天气', 'hello'] }); // the client asks for base64
    const floats = await t.http().post('/v1/embeddings').send({ model: 'llmos-lexical', input: ['北京天气', 'hello'] }).expect(200);
    expect(maxDiff(viaClient.data[0].embedding, floats.body.data[0].embedding)).toBe(0);
    expect(viaClient.usage.prompt_tokens).toBe(floats.body.usage.prompt_tokens);
    const b64 = await t.http().post('/v1/embeddings').send({ model: 'llmos-lexical', input: 'hello', encoding_format: 'base64', dimensions: 64 }).expect(200);
    const v = fromBase64(b64.body.data[0].embedding);
    expect(v).toHaveLength(64);
    expect(dot(v, v)).toBeCloseTo(1, 5);
    const full = floats.body.data[1].embedding.slice(0, 64);
    const norm = Math.sqrt(dot(full, full));
    expect(maxDiff(v, full.map((x: number) => x / norm))).toBeLessThan(1e-6);
    const small = await client.embeddings.create({ model: 'llmos-lexical', input: '你好', dimensions: 32, encoding_format: 'float' });
    expect(small.data[0].embedding).toHaveLength(32);
  });

  it('embeds with a store model as transformers.js feature-extraction does (mean pooling, normalized)', async () => {
    const tf = require('@huggingface/transformers');
    tf.env.allowRemoteModels = false;
    tf.env.localModelPath = `${modelsDir}/`;
    const extractor = await tf.pipeline('feature-extraction', 'tiny-bert', { dtype: 'fp32' });
    const theirs = await extractor(TEXTS, { pooling: 'mean', normalize: true });
    const res = await t.http().post('/v1/embeddings').send({ model: 'tiny-bert', input: TEXTS }).expect(200);
    const dim = theirs.dims[1];
    res.body.data.forEach((d: { embedding: number[] }, i: number) => {
      expect(d.embedding).toHaveLength(dim);
      expect(maxDiff(d.embedding, (theirs.data as Float32Array).subarray(i * dim, (i + 1) * dim))).toBeLessThan(1e-4);
    });
    await extractor.dispose();
    // token arrays give the same vector as the text they encode
    const ids = (await t.app.get(TokenizerService).get('tiny-bert')).encode(TEXTS[3]);
    const tok = await t.http().post('/v1/embeddings').send({ model: 'tiny-bert', input: [ids] }).expect(200);
    expect(maxDiff(tok.body.data[0].embedding, res.body.data[3].embedding)).toBeLessThan(1e-5);
    expect(tok.body.usage.prompt_tokens).toBe(ids.length);
  });

  it('honours 1_Pooling (CLS), llmos.json prefixes and max length, with several encoders loaded at once', async () => {
    const svc = t.app.get(EmbeddingsService);
    expect(svc.encoders().map((e) => [e.id, e.pooling, e.dim])).toEqual([['llmos-lexical', 'hashed', 256], ['tiny-bert', 'mean', 64], ['tiny-bert-cls', 'cls', 64]]);
    expect(svc.encoder('tiny-bert-cls')).toMatchObject({ maxTokens: 16, matryoshka: true, prefixes: { query: 'query: ' } });
    const mean = await svc.embed(['hello'], { model: 'tiny-bert' });
    const cls = await svc.embed(['hello'], { model: 'tiny-bert-cls' });
    expect(maxDiff(mean.vectors[0], cls.vectors[0])).toBeGreaterThan(1e-3); // same weights, different pooling
    const query = await svc.embed(['hello'], { model: 'tiny-bert-cls', kind: 'query' });
    const prefixed = await svc.embed(['query: hello'], { model: 'tiny-bert-cls' });
    expect(maxDiff(query.vectors[0], prefixed.vectors[0])).toBe(0);
    const long = 'the weather in beijing is sunny today and tomorrow it will rain in shanghai again';
    const res = await t.http().post('/v1/embeddings').send({ model: 'tiny-bert-cls', input: ['hi', long], dimensions: 16 }).expect(200);
    expect(res.body).toMatchObject({ truncated: [1], max_tokens: 16 });
    expect(res.body.usage.prompt_tokens).toBeLessThanOrEqual(16 + 16);
    expect(res.body.data[1].embedding).toHaveLength(16);
  });

  it('lists the encoders on /v1/models, as OpenAI clients discover models', async () => {
    const ids = (await t.http().get('/v1/models').expect(200)).body.data.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['llmos-lexical', 'tiny-bert']));
    await t.http().get('/v1/models/llmos-lexical').expect(200);
  });

  it('answers bad requests with OpenAI-shaped 4xx naming the problem', async () => {
    const bad = async (body: Record<string, unknown>, status: number, param: string, message: RegExp) => {
      const res = await t.http().post('/v1/embeddings').send(body).expect(status);
      expect(res.body.error).toMatchObject({ param, type: status === 404 ? 'not_found_error' : 'invalid_request_error' });
      expect(res.body.error.message).toMatch(message);
    };
    await bad({ model: 'llmos-lexical', input: [] }, 400, 'input', /input is empty/);
    await bad({ model: 'llmos-lexical', input: '' }, 400, 'input', /input\[0\] is empty/);
    await bad({ model: 'llmos-lexical', input: ['ok', '  '] }, 400, 'input', /input\[1\] is empty/);
    await bad({ model: 'llmos-lexical', input: Array(9).fill('x') }, 400, 'input', /at most 8 per request \(EMBEDDINGS_MAX_INPUTS\)/);
    await bad({ model: 'llmos-lexical', input: [1, 2, 3] }, 400, 'input', /has no tokenizer/);
    await bad({ model: 'llmos-lexical', input: ['a', 1] }, 400, 'input', /not a mix/);
    await bad({ input: 'hi' }, 400, 'model', /model is required: llmos-lexical, tiny-bert, tiny-bert-cls/);
    await bad({ model: 'nope', input: 'hi' }, 404, 'model', /No embedding model named nope; installed encoders: llmos-lexical, tiny-bert/);
    await bad({ model: 'tiny-bert', input: 'hi', dimensions: 8 }, 400, 'dimensions', /does not allow choosing dimensions/);
    await bad({ model: 'llmos-lexical', input: 'hi', dimensions: 300 }, 400, 'dimensions', /exceeds the 256/);
    await bad({ model: 'llmos-lexical', input: 'hi', encoding_format: 'hex' }, 400, 'encoding_format', /float or base64/);
    await bad({ model: 'tiny-bert', input: [[5, 99999]] }, 400, 'input', /token id 99999/);
  });

  it('says how to load a store encoder that is not loaded (503)', async () => {
    await t.app.get(InferencePool).unload('tiny-bert-cls');
    const res = await t.http().post('/v1/embeddings').send({ model: 'tiny-bert-cls', input: 'hi' }).expect(503);
    expect(res.body.error.message).toMatch('POST /api/v1/models/tiny-bert-cls/load');
    await t.app.get(InferencePool).load('tiny-bert-cls');
  });

  it('counts embedded texts per project', async () => {
    const before = (await t.http().get('/api/v1/usage').expect(200)).body.totals['embeddings.texts'] ?? 0;
    await t.http().post('/v1/embeddings').send({ model: 'llmos-lexical', input: ['一', '二', '三'] }).expect(200);
    await t.http().post('/v1/embeddings').send({ model: 'llmos-lexical', input: [] }).expect(400);
    const after = (await t.http().get('/api/v1/usage').expect(200)).body.totals['embeddings.texts'];
    expect(after - before).toBe(3);
  });
});
