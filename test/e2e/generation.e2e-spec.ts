import { mkdirSync, mkdtempSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { GenerationService } from '../../src/generation/generation.service';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { makeTensorLike } from '../../src/inference/runtime/ort';
import { TokenizerService } from '../../src/inference/tokenizer.service';
import { holdGenerationRuns } from './support/model-runs';
import { writeTinyGpt2 } from './support/models';
import { startTestApp, TestApp } from './support/test-app';

const PROMPTS = ['Hello, world!', '今天的天气怎么样？', 'The quick brown fox', 'a', '我要订购一本小说，请问有什么推荐的吗？还有别的吗'];

async function greedyIds(t: TestApp, prompt: string, maxTokens: number, model = 'tiny-gpt2'): Promise<number[]> {
  const res = await t.http().post('/api/v1/generation/generate').send({ model, prompt, max_tokens: maxTokens, temperature: 0, logprobs: true, ignore_eos: true }).expect(200);
  return res.body.choices[0].tokens.map((x: { id: number }) => x.id);
}

describe('generation', () => {
  let t: TestApp;
  let pool: InferencePool;
  let modelsDir: string;
  let baseURL: string;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-gen-'));
    modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    await writeTinyGpt2(modelsDir);
    t = await startTestApp({ env: { DATA_DIR: dataDir, MODELS_DIR: modelsDir, GENERATION_MAX_BATCH: '8' } });
    pool = t.app.get(InferencePool);
    await pool.startup;
    baseURL = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/v1`;
  });
  afterAll(() => t.close());

  it('greedy with the KV cache equals greedy recomputing the whole sequence each step', async () => {
    const tokenizer = await t.app.get(TokenizerService).get('tiny-gpt2');
    const cfg = pool.descriptor('tiny-gpt2').config as { n_layer: number; n_head: number; n_embd: number; vocab_size: number };
    const headDim = cfg.n_embd / cfg.n_head;
    for (const prompt of PROMPTS.slice(0, 3)) {
      const ids = tokenizer.encode(prompt);
      const expected: number[] = [];
      const seq = [...ids];
      for (let step = 0; step < 12; step++) {
        const i64 = (v: number[]) => makeTensorLike('int64', BigInt64Array.from(v.map(BigInt)), [1, v.length]);
        const feeds: Record<string, ReturnType<typeof makeTensorLike>> = { input_ids: i64(seq), attention_mask: i64(seq.map(() => 1)), position_ids: i64(seq.map((_, i) => i)) };
        for (let l = 0; l < cfg.n_layer; l++) {
          feeds[`past_key_values.${l}.key`] = makeTensorLike('float32', new Float32Array(0), [1, cfg.n_head, 0, headDim]);
          feeds[`past_key_values.${l}.value`] = makeTensorLike('float32', new Float32Array(0), [1, cfg.n_head, 0, headDim]);
        }
        const out = await pool.run('tiny-gpt2', feeds);
        // the pool serves generation models with logits for the last position only
        expect(out.logits.dims).toEqual([1, 1, cfg.vocab_size]);
        const logits = (out.logits.data as Float32Array).subarray(0, cfg.vocab_size);
        let best = 0;
        for (let v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
        expected.push(best);
        seq.push(best);
      }
      expect(await greedyIds(t, prompt, 12)).toEqual(expected);
    }
  });

  it('continuous batching: concurrent requests of different lengths give exactly their solo tokens, also when one joins mid-flight', async () => {
    const solo: number[][] = [];
    for (const p of PROMPTS) solo.push(await greedyIds(t, p, 20));
    const gen = t.app.get(GenerationService);
    const stepsBefore = (await gen.stats('tiny-gpt2')).steps;
    const together = PROMPTS.slice(0, 4).map((p) => greedyIds(t, p, 20));
    await new Promise((r) => setTimeout(r, 30)); // let them start decoding
    const late = greedyIds(t, PROMPTS[4], 20);
    const results = await Promise.all([...together, late]);
    expect(results).toEqual(solo);
    const stepsAfter = (await gen.stats('tiny-gpt2')).steps;
    expect(stepsAfter - stepsBefore).toBeLessThan(5 * 20); // they shared decode steps
  });

  it('matches transformers.js text-generation greedy token ids', async () => {
    const tf = require('@huggingface/transformers');
    tf.env.allowRemoteModels = false;
    tf.env.localModelPath = `${modelsDir}/`;
    const generator = await tf.pipeline('text-generation', 'tiny-gpt2', { dtype: 'fp32' });
    for (const prompt of PROMPTS.slice(0, 3)) {
      const inputs = generator.tokenizer(prompt);
      const output = await generator.model.generate({ ...inputs, max_new_tokens: 10, do_sample: false, min_new_tokens: 10 });
      const theirs = Array.from(output.data as BigInt64Array, Number).slice(inputs.input_ids.dims[1]);
      expect(await greedyIds(t, prompt, 10)).toEqual(theirs);
    }
    await generator.dispose();
  });

  it('streams chunks that concatenate to the non-streamed text', async () => {
    const body = { model: 'tiny-gpt2', prompt: '今天的天气', max_tokens: 30, temperature: 0 };
    const whole = await t.http().post('/v1/completions').send(body).expect(200);
    const streamed = await t.http().post('/v1/completions').send({ ...body, stream: true, stream_options: { include_usage: true } }).buffer(true).parse((res, cb) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString('utf8')));
      res.on('end', () => cb(null, data));
    });
    expect(streamed.headers['content-type']).toMatch(/text\/event-stream/);
    const events = String(streamed.body).split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''));
    expect(events[events.length - 1]).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    const text = chunks.flatMap((c) => c.choices.map((ch: { text: string }) => ch.text)).join('');
    expect(text).toBe(whole.body.choices[0].text);
    // Equality with the one-shot decode proves no chunk boundary split a character: a split
    // would show as U+FFFD in a chunk where the whole text has the real character. (A
    // random-weight model may itself emit byte sequences that are not UTF-8.)
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks[chunks.length - 1].usage).toEqual(whole.body.usage);
  });

  it('cuts exactly before a stop string and repeats seeded sampling', async () => {
    const base = await t.http().post('/v1/completions').send({ model: 'tiny-gpt2', prompt: 'Hello', max_tokens: 40, temperature: 0 }).expect(200);
    const full: string = base.body.choices[0].text;
    const stop = full.slice(8, 11);
    expect(stop.length).toBe(3);
    const cut = await t.http().post('/v1/completions').send({ model: 'tiny-gpt2', prompt: 'Hello', max_tokens: 40, temperature: 0, stop: [stop] }).expect(200);
    expect(cut.body.choices[0].text).toBe(full.slice(0, full.indexOf(stop)));
    expect(cut.body.choices[0].finish_reason).toBe('stop');
    const sampled = { model: 'tiny-gpt2', prompt: 'Hello', max_tokens: 20, temperature: 1, seed: 1234, n: 2 };
    const a = await t.http().post('/v1/completions').send(sampled).expect(200);
    const b = await t.http().post('/v1/completions').send(sampled).expect(200);
    expect(a.body.choices.map((c: { text: string }) => c.text)).toEqual(b.body.choices.map((c: { text: string }) => c.text));
    expect(a.body.choices[0].text).not.toBe(a.body.choices[1].text);
    const other = await t.http().post('/v1/completions').send({ ...sampled, seed: 99 }).expect(200);
    expect(other.body.choices[0].text).not.toBe(a.body.choices[0].text);
  });

  it('frees the slot when the client disconnects', async () => {
    // The model's steps are held until the server has seen the client leave, so the
    // stream outlives the disconnect by construction, however fast the machine is.
    const gen = t.app.get(GenerationService);
    const { finished, tokensGenerated: tokensBefore } = await gen.stats('tiny-gpt2');
    const before = finished.cancelled ?? 0;
    const server = t.app.getHttpServer() as import('node:http').Server;
    const serverSockets: import('node:net').Socket[] = [];
    const onConnection = (s: import('node:net').Socket) => serverSockets.push(s);
    server.on('connection', onConnection);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let stepsHeld = 0;
    const spy = holdGenerationRuns(pool, async () => {
      stepsHeld++;
      await gate;
    });
    try {
      const leaving = t.http().post('/api/v1/generation/generate').send({ model: 'tiny-gpt2', prompt: 'Hello', max_tokens: 100, ignore_eos: true, stream: true }).timeout(300);
      await expect(leaving).rejects.toThrow(/Timeout/);
      expect(stepsHeld).toBe(1); // the prefill is waiting: the sequence is still running
      await Promise.all(serverSockets.map((s) => (s.destroyed ? undefined : new Promise((r) => s.once('close', r)))));
      await new Promise((r) => setImmediate(r));
    } finally {
      server.off('connection', onConnection);
      release();
    }
    for (let i = 0; i < 500 && ((await gen.stats('tiny-gpt2')).finished.cancelled ?? 0) === before; i++) await new Promise((r) => setTimeout(r, 10));
    spy.mockRestore();
    const stats = await gen.stats('tiny-gpt2');
    expect(stats.finished.cancelled).toBe(before + 1);
    expect(stats.tokensGenerated - tokensBefore).toBeLessThan(100); // it stopped early
    expect(stats.active).toBe(0);
    expect(stats.cacheBytes).toBe(0);
  });

  it('refuses prompt + max_tokens beyond the context with the numbers', async () => {
    const res = await t.http().post('/v1/completions').send({ model: 'tiny-gpt2', prompt: 'Hello', max_tokens: 500 }).expect(400);
    expect(res.body.error.message).toMatch(/128/);
    expect(res.body.error.message).toMatch(/500/);
    expect(res.body.error.param).toBe('max_tokens');
    const native = await t.http().post('/api/v1/generation/generate').send({ prompt: 'x', top_p: 3 }).expect(400);
    expect(native.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(native.body.message).toMatch(/top_p/);
  });

  it('works with the official openai client', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL });
    const models = await client.models.list();
    // the generation model and the built-in encoder (/v1/embeddings): what /v1 serves
    expect(models.data.map((m) => m.id)).toEqual(['llmos-lexical', 'tiny-gpt2']);
    const completion = await client.completions.create({ model: 'tiny-gpt2', prompt: 'Hello, world!', max_tokens: 8, temperature: 0 });
    expect(completion.choices[0].text.length).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBe(8);
    const chat = await client.chat.completions.create({ model: 'tiny-gpt2', messages: [{ role: 'user', content: 'Hello, world!' }], max_tokens: 8, temperature: 0 });
    expect(chat.choices[0].message.role).toBe('assistant');
    const stream = await client.chat.completions.create({ model: 'tiny-gpt2', messages: [{ role: 'user', content: 'Hello, world!' }], max_tokens: 8, temperature: 0, stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
    expect(streamed).toBe(chat.choices[0].message.content);
    await expect(client.completions.create({ model: 'nope', prompt: 'x' })).rejects.toMatchObject({ status: 404 });
  });

  it('reuses a cached prompt prefix with the same tokens, visible in the stats and /metrics', async () => {
    const system = 'You are a helpful shop assistant. Answer briefly and politely. 你是一个乐于助人的书店助手。';
    const first = await greedyIds(t, `${system} 今天有什么新书？`, 10);
    const stats = async () => (await t.http().get('/api/v1/generation/stats').query({ model: 'tiny-gpt2' }).expect(200)).body.prefixCache;
    const before = await stats();
    expect(before).toMatchObject({ limitBytes: 256 * 2 ** 20, blockTokens: 16 });
    // the same prompt again (its blocks were cached by the first), and one sharing the system prompt
    expect(await greedyIds(t, `${system} 今天有什么新书？`, 10)).toEqual(first);
    await greedyIds(t, `${system} Where is my order?`, 10);
    const after = await stats();
    expect(after.hits - before.hits).toBe(2);
    expect(after.reusedTokens - before.reusedTokens).toBeGreaterThanOrEqual(2 * 16);
    expect(after.bytes).toBeGreaterThan(0);
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    expect(metrics).toContain(`llmos_generation_prefix_cache_hits_total{model="tiny-gpt2"} ${after.hits}`);
    expect(metrics).toContain(`llmos_generation_prefix_cache_bytes{model="tiny-gpt2"} ${after.bytes}`);
  });

  it('a reload while a sequence decodes: it finishes on the replica its batch began on, which goes after it', async () => {
    const prompt = PROMPTS[1];
    const solo = await greedyIds(t, prompt, 24);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    // the third run (the second decode step) waits until the reload has put new sessions in place
    const spy = holdGenerationRuns(pool, async (_model, n) => {
      if (n !== 3) return;
      holding();
      await gate;
    });
    try {
      const during = greedyIds(t, prompt, 24);
      await held;
      const loadedAt = pool.status('tiny-gpt2').loadedAt;
      let reloaded = false;
      const reload = pool.load('tiny-gpt2').then(() => (reloaded = true));
      while (pool.status('tiny-gpt2').loadedAt === loadedAt) await new Promise((r) => setTimeout(r, 10));
      // the new sessions serve new requests; the old replica still holds the running batch
      expect(reloaded).toBe(false);
      release();
      expect(await during).toEqual(solo);
      await reload;
      expect(await greedyIds(t, prompt, 24)).toEqual(solo);
    } finally {
      release();
      spy.mockRestore();
    }
  });

  it('an unload does not wait for a running sequence: it ends with a 503, and the model serves again once loaded', async () => {
    const prompt = PROMPTS[2];
    const solo = await greedyIds(t, prompt, 12);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const spy = holdGenerationRuns(pool, async (_model, n) => {
      if (n !== 3) return;
      holding();
      await gate;
    });
    try {
      const during = t.http().post('/api/v1/generation/generate').send({ model: 'tiny-gpt2', prompt, max_tokens: 12, ignore_eos: true }).then((r) => r);
      await held;
      await pool.unload('tiny-gpt2');
      release();
      const res = await during;
      expect(res.status).toBe(503);
      expect(res.body.message).toMatch(/unloaded/);
    } finally {
      release();
      spy.mockRestore();
    }
    await pool.load('tiny-gpt2');
    expect(await greedyIds(t, prompt, 12)).toEqual(solo);
  });
});

describe('generation without a model', () => {
  it('answers 503 saying how to install one', async () => {
    const t = await startTestApp();
    try {
      const res = await t.http().post('/v1/chat/completions').send({ model: 'gpt2', messages: [{ role: 'user', content: 'hi' }] }).expect(503);
      expect(res.body.error.message).toMatch(/npm run models:pull --/);
      const native = await t.http().post('/api/v1/generation/generate').send({ prompt: 'hi' }).expect(503);
      expect(native.body.message).toMatch(/npm run models:pull --/);
    } finally {
      await t.close();
    }
  });
});
