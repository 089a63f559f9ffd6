import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { testDatabases } from './support/databases';
import { writeTinyGpt2 } from './support/models';
import { startTestApp, TestApp } from './support/test-app';

const PLATFORM = 'sk-platform-0123456789';
const SHOP_ADMIN = 'sk-shop-admin-0123456789';
const SHOP_USER = 'sk-shop-user-0123456789';

/** The data events of an SSE body, [DONE] left out. */
const sseEvents = (text: string) =>
  text
    .split('\n\n')
    .map((e) => e.replace(/^data: /, '').trim())
    .filter((e) => e && e !== '[DONE]')
    .map((e) => JSON.parse(e));

/** Waits out the last seconds of a UTC minute, so a test of the per-minute window stays in one window. */
async function startOfAMinute(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 50));
}

describe.each(testDatabases())('usage and quotas on %s', (db) => {
  let t: TestApp;
  let env: Record<string, string>;
  const project = (id: string) => ({ 'X-LLMOS-Project': id });
  const usage = async (id: string, query = '') => (await t.http().get(`/api/v1/usage${query}`).set(project(id)).expect(200)).body;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-usage-'));
    const modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    await writeTinyGpt2(modelsDir);
    // A flush interval longer than the suite: exact counts come from GET /usage flushing, and after a restart from the shutdown flush.
    env = { DATA_DIR: dataDir, MODELS_DIR: modelsDir, USAGE_FLUSH_MS: '3600000', RATE_LIMIT_MAX: '0' };
    t = await startTestApp({ db, env });
    await t.app.get(InferencePool).startup;
    await t.app.get(DataSource).query(
      `INSERT INTO projects (id, name, quotas) VALUES ('meter', 'Meter', '{}'), ('limited', 'Limited', '{"requestsPerMinute": 3}'), ('tokens', 'Tokens', '{"generatedTokensPerDay": 10}')`,
    );
  });
  afterAll(async () => {
    await t?.close();
    rmSync(env.DATA_DIR, { recursive: true, force: true });
  });

  it('counts exactly the requests of each module and the tokens the responses report, in the project of the request', async () => {
    for (let i = 0; i < 3; i++) await t.http().get('/api/v1/models').set(project('meter')).expect(200);
    const native = await t.http().post('/api/v1/generation/generate').set(project('meter')).send({ model: 'tiny-gpt2', prompt: 'Hello, world!', max_tokens: 5, ignore_eos: true, n: 2 }).expect(200);
    const nativeStream = await t.http().post('/api/v1/generation/generate').set(project('meter')).send({ model: 'tiny-gpt2', prompt: '今天的天气怎么样？', max_tokens: 4, ignore_eos: true, stream: true }).expect(200);
    const streamedTokens = sseEvents(nativeStream.text).reduce((a, e) => a + (e.completionTokens ?? 0), 0);
    await t.http().post('/api/v1/generation/generate').set(project('meter')).send({ model: 'tiny-gpt2', prompt: 'x', max_tokens: -1 }).expect(400); // routed, then refused: counted, no tokens
    const completion = await t.http().post('/v1/completions').set(project('meter')).send({ model: 'tiny-gpt2', prompt: 'The quick brown fox', max_tokens: 6, ignore_eos: true }).expect(200);
    const chat = await t.http().post('/v1/chat/completions').set(project('meter')).send({ model: 'tiny-gpt2', messages: [{ role: 'user', content: '我要订购一本小说' }], max_tokens: 3, ignore_eos: true, stream: true, stream_options: { include_usage: true } }).expect(200);
    const chatUsage = sseEvents(chat.text).find((e) => e.usage)!.usage;
    await t.http().get('/api/v1/no-such-module').set(project('meter')).expect(404); // not routed: not counted
    await t.http().get('/health/live').set(project('meter')).expect(200); // public: not counted
    await t.http().get('/api/v1/models').expect(200); // the default project's

    expect(streamedTokens).toBe(4);
    const prompt = native.body.usage.promptTokens + completion.body.usage.prompt_tokens + chatUsage.prompt_tokens;
    const generated = native.body.usage.completionTokens + streamedTokens + completion.body.usage.completion_tokens + chatUsage.completion_tokens;
    expect(generated).toBe(2 * 5 + 4 + 6 + 3);
    const report = await usage('meter');
    const streamedPrompt = report.totals['tokens.prompt'] - prompt; // the native stream does not report its prompt tokens
    expect(streamedPrompt).toBeGreaterThan(0);
    expect(report.totals).toEqual({
      'requests.models': 3,
      'requests.generation': 3,
      'requests.openai': 2,
      'requests.usage': 1, // this very request
      'tokens.prompt': prompt + streamedPrompt,
      'tokens.generated': generated,
    });
    expect(report).toMatchObject({ project: 'meter', granularity: 'hour' });
    // the buckets add up to the totals
    const summed: Record<string, number> = {};
    for (const b of report.buckets) for (const [m, v] of Object.entries(b.metrics as Record<string, number>)) summed[m] = (summed[m] ?? 0) + v;
    expect(summed).toEqual(report.totals);
    expect(Date.parse(report.to) - Date.parse(report.from)).toBe(25 * 3_600_000); // the 24 hours before now, in whole hours

    // the tokenizer's count of the streamed prompt, from a non-streamed twin of the request
    const twin = await t.http().post('/api/v1/generation/generate').set(project('meter')).send({ model: 'tiny-gpt2', prompt: '今天的天气怎么样？', max_tokens: 1 }).expect(200);
    expect(twin.body.usage.promptTokens).toBe(streamedPrompt);

    const days = await usage('meter', '?granularity=day');
    expect(days.totals).toMatchObject({ 'requests.generation': 4, 'requests.usage': 2, 'tokens.generated': generated + 1 });
    expect(days.buckets.every((b: { start: string }) => b.start.endsWith('T00:00:00.000Z'))).toBe(true);

    const other = await usage('default');
    expect(other.totals).toEqual({ 'requests.models': 1, 'requests.usage': 1 });
  });

  it('answers a bad range with a 400 that says what to change', async () => {
    const bad = async (query: string) => (await t.http().get(`/api/v1/usage${query}`).set(project('meter')).expect(400)).body.message;
    expect(await bad('?from=yesterday')).toMatch(/from must be an ISO 8601 date/);
    expect(await bad('?granularity=week')).toMatch(/granularity must be one of the following values: hour, day/);
    expect(await bad('?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z')).toMatch(/must be before to/);
    expect(await bad('?from=2026-01-01&to=2026-12-01')).toMatch(/longer than 31 days.*granularity=day/);
    expect(await bad('?from=2024-01-01&to=2026-12-01&granularity=day')).toMatch(/longer than 366 days/);
    const empty = await usage('meter', '?from=2020-01-01&to=2020-01-02');
    expect(empty).toEqual({ project: 'meter', granularity: 'hour', from: '2020-01-01T00:00:00.000Z', to: '2020-01-02T00:00:00.000Z', buckets: [], totals: {} });
  });

  it('requestsPerMinute: the request after the quota gets 429 with Retry-After and a message naming the quota, in both error shapes', async () => {
    await startOfAMinute();
    for (let i = 0; i < 3; i++) await t.http().get('/api/v1/models').set(project('limited')).expect(200);
    const refused = await t.http().get('/api/v1/models').set(project('limited')).expect(429);
    const seconds = Number(refused.headers['retry-after']);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: `Project limited exceeded its quota of 3 requests per minute; retry in ${seconds} s` });
    const openai = await t.http().get('/v1/models').set(project('limited')).expect(429);
    expect(openai.body).toEqual({ error: { message: expect.stringMatching(/^Project limited exceeded its quota of 3 requests per minute; retry in \d+ s$/), type: 'rate_limit_error', param: null, code: 'quota_exceeded' } });
    expect(openai.headers['retry-after']).toMatch(/^\d+$/);
    await t.http().get('/api/v1/models').set(project('meter')).expect(200); // other projects are not limited
    // reading the meter is not limited; refused requests were not counted
    expect((await usage('limited')).totals).toEqual({ 'requests.models': 3, 'requests.usage': 1 });
  });

  it('generatedTokensPerDay: once today\'s tokens reach the quota the next generation gets 429 until 00:00 UTC', async () => {
    const generate = () => t.http().post('/api/v1/generation/generate').set(project('tokens')).send({ model: 'tiny-gpt2', prompt: 'Hello', max_tokens: 6, ignore_eos: true });
    expect((await generate().expect(200)).body.usage.completionTokens).toBe(6); // 0 used: admitted
    expect((await generate().expect(200)).body.usage.completionTokens).toBe(6); // 6 < 10: admitted
    const refused = await generate().expect(429);
    const untilMidnight = Math.ceil((86_400_000 - (Date.now() % 86_400_000)) / 1000);
    expect(Math.abs(Number(refused.headers['retry-after']) - untilMidnight)).toBeLessThanOrEqual(5);
    expect(refused.body.message).toMatch(/^Project tokens exceeded its quota of 10 generated tokens per day \(12 generated today, UTC\); retry in \d+ s, after 00:00 UTC$/);
    const openai = await t.http().post('/v1/chat/completions').set(project('tokens')).send({ model: 'tiny-gpt2', messages: [{ role: 'user', content: 'hi' }] }).expect(429);
    expect(openai.body.error).toMatchObject({ type: 'rate_limit_error', code: 'quota_exceeded' });
    await t.http().get('/api/v1/models').set(project('tokens')).expect(200); // other routes still answer
    expect((await usage('tokens')).totals).toMatchObject({ 'requests.generation': 3, 'requests.openai': 1, 'tokens.generated': 12 });
  });

  it('a flush drops the counts of a project deleted meanwhile and stores the others', async () => {
    const ds = t.app.get(DataSource);
    await ds.query(`INSERT INTO projects (id, name) VALUES ('gone', 'Gone')`);
    await t.http().get('/api/v1/models').set(project('gone')).expect(200);
    await t.http().get('/api/v1/models').set(project('meter')).expect(200);
    await ds.query(`DELETE FROM projects WHERE id = 'gone'`);
    expect((await usage('meter')).totals['requests.models']).toBe(3 + 1 + 1); // the first test's, one from the quota test, this one
    expect(await ds.query(`SELECT * FROM usage_counters WHERE project_id = 'gone'`)).toEqual([]);
  });

  it('a graceful stop stores what was pending; with keys, a project admin reads its own project and a platform key any', async () => {
    await t.http().get('/api/v1/models').set(project('meter')).expect(200);
    await t.http().get('/api/v1/models').set(project('meter')).expect(200);
    await t.close(false);
    t = await startTestApp({ db, reuse: t, env: { ...env, API_KEYS: `${PLATFORM}:platform:ops,${SHOP_ADMIN}:admin:shop-team:shop,${SHOP_USER}:user:alice:shop` } });
    const get = (key: string, headers: Record<string, string> = {}) => t.http().get('/api/v1/usage').set({ Authorization: `Bearer ${key}`, ...headers });

    const meter = (await get(PLATFORM, project('meter')).expect(200)).body;
    // the last two requests.models were pending at the stop; requests.usage: 2 + 6 (the 400s and the empty range) + 1 + this one
    expect(meter.totals).toMatchObject({ 'requests.models': 3 + 1 + 1 + 2, 'requests.usage': 2 + 6 + 1 + 1 });

    await t.http().get('/api/v1/models').set({ Authorization: `Bearer ${SHOP_USER}` }).expect(200);
    const shop = (await get(SHOP_ADMIN).expect(200)).body;
    expect(shop).toMatchObject({ project: 'shop', totals: { 'requests.models': 1, 'requests.usage': 1 } });
    // an admin's header cannot reach another project (404, as for one that does not exist); a user may not read the meter
    await get(SHOP_ADMIN, project('meter')).expect(404);
    await get(SHOP_USER).expect(403);
    await get(PLATFORM, project('no-such-project')).expect(404);
  });
});
