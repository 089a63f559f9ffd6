import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { TokenizerService } from '../../src/inference/tokenizer.service';
import { makeTensorLike } from '../../src/inference/runtime/ort';
import { writeBrokenModels, writeSlowModel, writeTinyBert } from './support/models';
import { startTestApp, TestApp } from './support/test-app';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const TEXTS = ['hello world', '今天的天气怎么样？', 'I want to order a novel please', '《斗破苍穹》', 'a', '我正在浏览T恤衫，请推荐一些', 'the quick brown fox jumps over the lazy dog again and again'];

function i64(rows: number[][]) {
  const width = rows[0].length;
  return makeTensorLike('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, width]);
}

const slowInput = (v: number) => ({ inputs: { x: { type: 'float32', dims: [1, 4], data: [v, v, v, v] } } });

describe('inference pool', () => {
  let t: TestApp;
  let pool: InferencePool;
  let modelsDir: string;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-inf-'));
    modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    await writeTinyBert(modelsDir, 'tiny-bert', { batching: { maxBatchSize: 16, maxQueueDelayMs: 5 } });
    writeSlowModel(modelsDir, 'slow', { batching: { enabled: false, maxQueueSize: 1 } }, 60);
    writeSlowModel(modelsDir, 'slow-cuda', { executionProviders: ['cuda', 'cpu'], batching: { enabled: false } });
    writeBrokenModels(modelsDir);
    t = await startTestApp({ env: { DATA_DIR: dataDir, MODELS_DIR: modelsDir, INFERENCE_REQUIRED_MODELS: 'tiny-bert' } });
    pool = t.app.get(InferencePool);
    await pool.startup;
  });
  afterAll(() => t.close());

  it('lists models with state, provider and I/O, and reports invalid folders naming the file at fault', async () => {
    const res = await t.http().get('/api/v1/models').expect(200);
    const bert = res.body.models.find((m: { id: string }) => m.id === 'tiny-bert');
    expect(bert).toMatchObject({ task: 'feature-extraction', state: 'ready', provider: 'cpu', replicas: 1 });
    expect(bert.inputs.map((i: { name: string }) => i.name)).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    expect(bert.outputs[0].name).toBe('last_hidden_state');
    const invalid = Object.fromEntries(res.body.invalid.map((p: { id: string; file: string; message: string }) => [p.id, p]));
    expect(invalid['bad-json'].file).toBe('bad-json/config.json');
    expect(invalid['bad-json'].message).toMatch(/not valid JSON/);
    expect(invalid['no-onnx'].file).toBe('no-onnx/onnx/model.onnx');
    // an unreadable ONNX file is found at load time: the model is failed, the server fine
    const garbage = res.body.models.find((m: { id: string }) => m.id === 'garbage-onnx');
    expect(garbage.state).toBe('failed');
    expect(garbage.error).toMatch(/garbage-onnx\/onnx\/model\.onnx could not be loaded/);
    const detail = await t.http().get('/api/v1/models/bad-json').expect(404);
    expect(detail.body.message).toMatch(/invalid: config.json is not valid JSON.*bad-json\/config.json/);
  });

  it('falls back from CUDA to CPU where CUDA cannot load, and says so', async () => {
    const res = await t.http().get('/api/v1/models/slow-cuda').expect(200);
    expect(res.body.requestedProviders).toEqual(['cuda', 'cpu']);
    expect(res.body.provider).toBe('cpu');
    expect(res.body.fallbacks[0].provider).toBe('cuda');
    expect(res.body.fallbacks[0].reason).toMatch(/shared library|cuda/i);
  });

  it('gives batched results equal to unbatched ones (1e-5)', async () => {
    const tokenizer = await t.app.get(TokenizerService).get('tiny-bert');
    const feeds = TEXTS.map((text) => {
      const ids = tokenizer.encode(text);
      return { input_ids: i64([ids]), attention_mask: i64([ids.map(() => 1)]), token_type_ids: i64([ids.map(() => 0)]) };
    });
    const alone: Awaited<ReturnType<InferencePool['run']>>[] = [];
    for (const f of feeds) alone.push(await pool.run('tiny-bert', f));
    const before = pool.stats('tiny-bert');
    const together = await Promise.all(feeds.map((f) => pool.run('tiny-bert', f)));
    const after = pool.stats('tiny-bert');
    expect(after.batches - before.batches).toBeLessThan(feeds.length); // they really were batched
    together.forEach((out, i) => {
      const a = alone[i].last_hidden_state;
      const b = out.last_hidden_state;
      expect(b.dims).toEqual(a.dims);
      const x = a.data as Float32Array;
      const y = b.data as Float32Array;
      let max = 0;
      for (let k = 0; k < x.length; k++) max = Math.max(max, Math.abs(x[k] - y[k]));
      expect(max).toBeLessThan(1e-5);
    });
  });

  it('agrees with transformers.js feature-extraction on the same fixture', async () => {
    const tf = require('@huggingface/transformers');
    tf.env.allowRemoteModels = false;
    tf.env.localModelPath = `${modelsDir}/`;
    const extractor = await tf.pipeline('feature-extraction', 'tiny-bert', { dtype: 'fp32' });
    const tokenizer = await t.app.get(TokenizerService).get('tiny-bert');
    for (const text of TEXTS.slice(0, 3)) {
      const theirs = await extractor(text, { pooling: 'none' });
      const ids = tokenizer.encode(text);
      const ours = await pool.run('tiny-bert', { input_ids: i64([ids]), attention_mask: i64([ids.map(() => 1)]), token_type_ids: i64([ids.map(() => 0)]) });
      expect(ours.last_hidden_state.dims).toEqual(theirs.dims);
      const a = ours.last_hidden_state.data as Float32Array;
      const b = theirs.data as Float32Array;
      for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - b[k])).toBeLessThan(1e-5);
    }
    await extractor.dispose();
  });

  it('answers a full queue with 503 and Retry-After', async () => {
    // 'slow' allows one waiting request: one run in progress plus one waiting fill it
    const x = () => ({ x: makeTensorLike('float32', new Float32Array(4), [1, 4]) });
    const accepted = [pool.run('slow', x()), pool.run('slow', x())];
    const overloaded = await t.http().post('/api/v1/models/slow/infer').send(slowInput(1)).expect(503);
    expect(Number(overloaded.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(overloaded.body.message).toMatch(/requests waiting \(limit 1\)/);
    await Promise.all(accepted);
    await t.http().post('/api/v1/models/slow/infer').send(slowInput(2)).expect(200);
  });

  it('drops requests whose deadline passes or whose client leaves, without running them', async () => {
    // slow-cuda: one replica, no batching, a long queue. Blockers are added until the server
    // has queued the HTTP request (the queue then holds more than our blockers), so it waits
    // behind at least three slow runs however slow this machine is at parsing the request.
    const model = 'slow-cuda';
    const x = () => ({ x: makeTensorLike('float32', new Float32Array(4), [1, 4]) });
    const completedBefore = pool.stats(model).completed;
    const blockers: Promise<unknown>[] = [];
    let outstanding = 0;
    /** true once the request is queued; false when `gone()` first (the client left before the server queued it). */
    const queueBehindBlockers = async (gone: () => boolean = () => false) => {
      for (;;) {
        const s = pool.stats(model);
        if (s.queueDepth + s.inFlight > outstanding) return true;
        if (gone()) return false;
        while (outstanding < 4) {
          outstanding++;
          blockers.push(pool.run(model, x()).finally(() => outstanding--));
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const errors = async (kind: string) => {
      const text = (await t.http().get('/metrics').expect(200)).text;
      return Number(new RegExp(`llmos_inference_errors_total\\{model="slow-cuda",kind="${kind}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    };

    const late = t.http().post(`/api/v1/models/${model}/infer`).send({ ...slowInput(1), timeoutMs: 5 }).then((r) => r);
    await queueBehindBlockers();
    expect((await late).status).toBe(504);
    expect((await late).body.message).toMatch(/did not answer within 5 ms/);

    const cancelledBefore = await errors('cancelled');
    let clientGone = false;
    const left = expect(t.http().post(`/api/v1/models/${model}/infer`).send(slowInput(2)).timeout(30)).rejects.toThrow(/Timeout/).finally(() => (clientGone = true));
    const queued = await queueBehindBlockers(() => clientGone);
    await left;
    // queued: the server sees the client leave while the request waits, and drops it
    if (queued) while ((await errors('cancelled')) === cancelledBefore) await new Promise((r) => setTimeout(r, 5));
    await Promise.all(blockers);
    expect(pool.stats(model).queueDepth + pool.stats(model).inFlight).toBe(0);
    expect(pool.stats(model).completed - completedBefore).toBe(blockers.length); // only the blockers ran
    expect(await errors('timeout')).toBeGreaterThan(0);
  });

  it('hot-reloads and unloads under traffic without dropping a request', async () => {
    const feeds = () => ({ input_ids: i64([[5, 6, 7]]), attention_mask: i64([[1, 1, 1]]), token_type_ids: i64([[0, 0, 0]]) });
    const traffic: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      traffic.push(pool.run('tiny-bert', feeds()));
      if (i === 20) traffic.push(t.http().post('/api/v1/models/tiny-bert/load').expect(200));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(traffic);
    const queued = Array.from({ length: 20 }, () => pool.run('tiny-bert', feeds()));
    const unloaded = await t.http().post('/api/v1/models/tiny-bert/unload').expect(200);
    expect(unloaded.body.state).toBe('unloaded');
    await expect(Promise.all(queued)).resolves.toHaveLength(20);
    const refused = await t.http().post('/api/v1/models/tiny-bert/infer').send({ inputs: { input_ids: { type: 'int64', dims: [1, 1], data: [5] }, attention_mask: { type: 'int64', dims: [1, 1], data: [1] }, token_type_ids: { type: 'int64', dims: [1, 1], data: [0] } } }).expect(503);
    expect(refused.body.message).toMatch(/POST \/api\/v1\/models\/tiny-bert\/load/);
    // readiness follows the required model
    const notReady = await t.http().get('/health/ready').expect(503);
    expect(notReady.body.details.error.models.notReady).toEqual(['tiny-bert']);
    await t.http().post('/api/v1/models/tiny-bert/load').expect(200);
    await t.http().get('/health/ready').expect(200);
  });

  it('validates infer requests', async () => {
    const bad = await t.http().post('/api/v1/models/tiny-bert/infer').send({ inputs: { input_ids: { type: 'int64', dims: [1, 3], data: [1, 2] } } }).expect(400);
    expect(bad.body.message).toMatch(/need 3 values, got 2/);
    const missing = await t.http().post('/api/v1/models/tiny-bert/infer').send({ inputs: { input_ids: { type: 'int64', dims: [1, 1], data: [1] } } }).expect(400);
    expect(missing.body.message).toMatch(/missing attention_mask, token_type_ids/);
    await t.http().post('/api/v1/models/nope/infer').send({ inputs: {} }).expect(404);
  });

  it('exposes per-model metrics', async () => {
    const res = await t.http().get('/metrics').expect(200);
    expect(res.text).toMatch(/llmos_inference_batch_size_count\{model="tiny-bert"\} [1-9]/);
    expect(res.text).toMatch(/llmos_inference_queue_wait_seconds_count\{model="tiny-bert"\}/);
    expect(res.text).toMatch(/llmos_inference_run_seconds_count\{model="tiny-bert"\}/);
    expect(res.text).toMatch(/llmos_inference_queue_depth\{model="tiny-bert"\} 0/);
  });
});

describe('readiness waits for required models', () => {
  it('is 503 until the required model is loaded', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-ready-'));
    const modelsDir = join(dataDir, 'models');
    await writeTinyBert(modelsDir);
    writeFileSync(join(modelsDir, 'tiny-bert', 'llmos.json'), JSON.stringify({ task: 'feature-extraction', required: true, autoload: false }));
    const t = await startTestApp({ env: { DATA_DIR: dataDir, MODELS_DIR: modelsDir } });
    try {
      const res = await t.http().get('/health/ready').expect(503);
      expect(res.body.message).toMatch(/Not ready: models/);
      await t.http().post('/api/v1/models/tiny-bert/load').expect(200);
      const ok = await t.http().get('/health/ready').expect(200);
      expect(ok.body.info.models.loaded).toEqual(['tiny-bert']);
    } finally {
      await t.close();
    }
  });
});
