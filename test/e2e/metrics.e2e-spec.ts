import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerationService } from '../../src/generation/generation.service';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { NluTrainingService } from '../../src/nlu/nlu-training.service';
import { NluService } from '../../src/nlu/nlu.service';
import { holdGenerationRuns } from './support/model-runs';
import { writeTinyGpt2 } from './support/models';
import { startTestApp, TestApp } from './support/test-app';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (enough of the format for prom-client's output). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

describe('/metrics module series', () => {
  let t: TestApp;
  let pool: InferencePool;

  const scrape = async () => parseExposition((await t.http().get('/metrics').expect(200)).text);
  /** The sum of the samples named `name` whose labels include `labels` (undefined when there is none). */
  const value = (samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined => {
    const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    return hits.length ? hits.reduce((a, s) => a + s.value, 0) : undefined;
  };

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-metrics-'));
    const modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    await writeTinyGpt2(modelsDir);
    // One sequence at a time, so a second request waits while the first is held.
    t = await startTestApp({ env: { DATA_DIR: dataDir, MODELS_DIR: modelsDir, GENERATION_MAX_BATCH: '1' } });
    pool = t.app.get(InferencePool);
    await pool.startup;
  });
  afterAll(() => t.close());

  it('generation: token counters equal the usage numbers, one TTFT per request, finish reasons, latencies', async () => {
    const model = { model: 'tiny-gpt2' };
    const whole = await t.http().post('/v1/completions').send({ model: 'tiny-gpt2', prompt: 'Hello, world!', max_tokens: 9, temperature: 0, ignore_eos: true }).expect(200);
    const streamed = await t
      .http()
      .post('/v1/completions')
      .send({ model: 'tiny-gpt2', prompt: '今天的天气怎么样？', max_tokens: 13, temperature: 0, ignore_eos: true, stream: true, stream_options: { include_usage: true } })
      .buffer(true)
      .parse((res, cb) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString('utf8')));
        res.on('end', () => cb(null, data));
      });
    const chunks = String(streamed.body)
      .split('\n\n')
      .filter((e) => e && e !== 'data: [DONE]')
      .map((e) => JSON.parse(e.replace(/^data: /, '')));
    const streamUsage = chunks[chunks.length - 1].usage;
    const reasons = [whole.body.choices[0].finish_reason, chunks.flatMap((c) => c.choices).find((c: { finish_reason: string | null }) => c.finish_reason).finish_reason];

    // every token counted once: 9 + 13 generated (ignore_eos makes both run to max_tokens)
    expect(whole.body.usage.completion_tokens + streamUsage.completion_tokens).toBe(22);
    expect(reasons).toEqual(['length', 'length']);
    const m = await scrape();
    expect(value(m, 'llmos_generation_prompt_tokens_total', model)).toBe(whole.body.usage.prompt_tokens + streamUsage.prompt_tokens);
    expect(value(m, 'llmos_generation_tokens_total', model)).toBe(whole.body.usage.completion_tokens + streamUsage.completion_tokens);
    expect(value(m, 'llmos_generation_time_to_first_token_seconds_count', model)).toBe(2);
    expect(value(m, 'llmos_generation_e2e_request_latency_seconds_count', model)).toBe(2);
    expect(value(m, 'llmos_generation_time_per_output_token_seconds_count', model)).toBe(2);
    expect(value(m, 'llmos_generation_requests_total', { ...model, finish_reason: 'length' })).toBe(2);
    expect(value(m, 'llmos_generation_requests_total', model)).toBe(2);
    // the first token comes before the end; every request ends below the top bucket
    const ttftSum = value(m, 'llmos_generation_time_to_first_token_seconds_sum', model)!;
    const e2eSum = value(m, 'llmos_generation_e2e_request_latency_seconds_sum', model)!;
    expect(ttftSum).toBeGreaterThan(0);
    expect(e2eSum).toBeGreaterThan(ttftSum);
    expect(value(m, 'llmos_generation_e2e_request_latency_seconds_bucket', { ...model, le: '+Inf' })).toBe(2);
    // idle now: nothing running or waiting, the cache is empty
    expect(value(m, 'llmos_generation_sequences_running', model)).toBe(0);
    expect(value(m, 'llmos_generation_sequences_waiting', model)).toBe(0);
    expect(value(m, 'llmos_generation_kv_cache_bytes', model)).toBe(0);
    expect(value(m, 'llmos_generation_kv_cache_usage_ratio', model)).toBe(0);
  });

  it('generation gauges: a held decode step shows one running sequence, one waiting, and the cache it holds', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let heldStep!: () => void;
    const held = new Promise<void>((r) => (heldStep = r));
    // resolves once the second request has been handed to the engine (it waits there: the batch holds one)
    const gen = t.app.get(GenerationService);
    const start = gen.start.bind(gen);
    let starts = 0;
    let secondSubmitted!: () => void;
    const submitted = new Promise<void>((r) => (secondSubmitted = r));
    const startSpy = jest.spyOn(gen, 'start').mockImplementation(async (req) => {
      try {
        return await start(req);
      } finally {
        if (++starts === 2) secondSubmitted();
      }
    });
    // The first request's first decode step (its second model run) waits until the gauges have been read.
    const spy = holdGenerationRuns(pool, async (model, n) => {
      if (model === 'tiny-gpt2' && n === 2) {
        heldStep();
        await gate;
      }
    });
    try {
      const first = t.http().post('/api/v1/generation/generate').send({ model: 'tiny-gpt2', prompt: 'Hello', max_tokens: 5, ignore_eos: true }).then((r) => r);
      await held;
      const second = t.http().post('/api/v1/generation/generate').send({ model: 'tiny-gpt2', prompt: 'The quick brown fox', max_tokens: 5, ignore_eos: true }).then((r) => r);
      await submitted;
      const m = await scrape();
      expect(value(m, 'llmos_generation_sequences_running', { model: 'tiny-gpt2' })).toBe(1);
      expect(value(m, 'llmos_generation_sequences_waiting', { model: 'tiny-gpt2' })).toBe(1);
      const bytes = value(m, 'llmos_generation_kv_cache_bytes', { model: 'tiny-gpt2' })!;
      expect(bytes).toBeGreaterThan(0);
      const ratio = value(m, 'llmos_generation_kv_cache_usage_ratio', { model: 'tiny-gpt2' })!;
      expect(ratio).toBeGreaterThan(0);
      expect(ratio).toBeLessThan(1);
      release();
      const [a, b] = await Promise.all([first, second]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
    } finally {
      release();
      spy.mockRestore();
      startSpy.mockRestore();
    }
    const after = await scrape();
    expect(value(after, 'llmos_generation_sequences_running', { model: 'tiny-gpt2' })).toBe(0);
    expect(value(after, 'llmos_generation_kv_cache_bytes', { model: 'tiny-gpt2' })).toBe(0);
  });

  it('NLU: parses by status and language, parse latency, a training run and its duration, the active version', async () => {
    const before = await scrape();
    expect(value(before, 'llmos_nlu_active_model_version')).toBe(0);
    expect(value(before, 'llmos_nlu_training_runs_total')).toBeUndefined();
    // no model yet: a refused parse
    await t.http().post('/api/v1/nlu/parse').send({ text: 'hello' }).expect(409);
    const examples = [
      ...['hello', 'hi there', 'good morning', '你好', '早上好', 'hey'].map((text) => ({ text, intent: 'greet' })),
      ...['bye', 'see you later', 'goodbye', '再见', '回头见', 'farewell'].map((text) => ({ text, intent: 'goodbye' })),
    ];
    await t.http().post('/api/v1/nlu/import').send({ format: 'json', content: examples }).expect(200);
    const job = await t.http().post('/api/v1/nlu/train').expect(202);
    await t.app.get(NluTrainingService).whenIdle();
    await t.http().post('/api/v1/nlu/parse').send({ text: 'good morning to you' }).expect(200);
    const batch = await t.http().post('/api/v1/nlu/parse/batch').send({ texts: ['你好，早上好', '再见，回头见'] }).expect(200);
    // past the DTO (other modules call the service directly): a refused batch counts its texts as errors
    await expect(t.app.get(NluService).parseBatch(Array.from({ length: 65 }, () => 'hi'), 'en')).rejects.toThrow(/At most 64/);
    const m = await scrape();
    expect(batch.body.map((r: { language: string }) => r.language)).toEqual(['zh', 'zh']);
    const parsed = (lang: string) => (value(m, 'llmos_nlu_parses_total', { status: 'ok', lang }) ?? 0) + (value(m, 'llmos_nlu_parses_total', { status: 'out_of_scope', lang }) ?? 0);
    expect(parsed('zh')).toBe(2);
    expect(parsed('en')).toBe(1);
    expect(value(m, 'llmos_nlu_parses_total', { status: 'error', lang: 'auto' })).toBe(1);
    expect(value(m, 'llmos_nlu_parses_total', { status: 'error', lang: 'en' })).toBe(65);
    expect(value(m, 'llmos_nlu_parse_duration_seconds_count')).toBe(4);
    expect(value(m, 'llmos_nlu_parse_duration_seconds_sum')).toBeGreaterThan(0);

    expect(value(m, 'llmos_nlu_training_runs_total', { status: 'ready' })).toBe(1);
    expect(value(m, 'llmos_nlu_training_runs_total', { status: 'failed' })).toBeUndefined();
    expect(value(m, 'llmos_nlu_training_duration_seconds_count', { status: 'ready' })).toBe(1);
    expect(value(m, 'llmos_nlu_training_duration_seconds_sum', { status: 'ready' })).toBeGreaterThan(0);
    expect(value(m, 'llmos_nlu_active_model_version')).toBe(job.body.version);
  });
});
