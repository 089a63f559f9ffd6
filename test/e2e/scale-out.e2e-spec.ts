/**
 * Scale-out with real processes (docs/scaling.md): three servers on one PostgreSQL and one
 * Redis, started at once on an empty database: they migrate one at a time, one of them trains
 * the first NLU model and all three become ready once they serve it. A client spreads requests over them.
 * - an NLU version trained through replica 1 is served by replicas 2 and 3 within 2 s;
 * - three training requests sent at once to the three replicas start one run (the others 409),
 *   and a run requested through the replica that does not run jobs (JOBS_EXECUTE=false) is
 *   claimed and run by another;
 * - a project quota of N requests per minute admits N in total across the replicas;
 * - messages sent at once to one dialogue session through the three replicas are answered one at
 *   a time in the order they took their tickets, never interleaved (history and slot state); one
 *   named message sent to the three at once runs one turn, the others get its stored reply;
 * - kill -9 of a replica during bulk event ingestion and dialogue traffic, one dialogue turn in
 *   flight on it: the client's retries to the others succeed, every acknowledged event and
 *   message is in the database exactly once (messages carry a client id: a resend after a lost
 *   response is answered from the stored turn), and the session whose turn died on the killed
 *   replica waits DIALOGUE_TURN_TIMEOUT_MS, then goes on.
 * Needs TEST_DATABASE_URL and Redis (REDIS_URL, default redis://127.0.0.1:6379): skipped with a message without them.
 */
import type { ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { freePort, startServer, waitFor } from '../../bench/lib/server';
import { FakeOpenMeteo, startFakeOpenMeteo } from '../../src/dialogue/weather/open-meteo.fake';
import { createPostgresDatabase } from './support/databases';

jest.setTimeout(240_000);

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HELLO = ['hello', 'hi there', 'good morning', 'hey', 'hello friend', '你好', '早上好', '嗨'];
const BYE = ['goodbye', 'bye bye', 'see you later', 'farewell', 'good night', '再见', '拜拜', '回头见'];
const EXAMPLES = [...HELLO.map((text) => ({ text, intent: 'greet' })), ...BYE.map((text) => ({ text, intent: 'bye' }))];
/** a dialogue turn in flight on a dead replica blocks its session this long (kept short here; default 30 s) */
const TURN_TIMEOUT_MS = 5000;
/** an assistant whose form asks for s1..s7 in turn, each filled by a bare answer: the state shows the order turns ran in */
const SLOTS = 7;
const range = (n: number) => Array.from({ length: n }, (_, k) => k + 1);
const SURVEY = [
  'language: en',
  'intents:',
  '  survey: { skill: respond, response: survey_done, form: survey_form, keywords: [start the survey] }',
  'slots:',
  ...range(SLOTS).map((k) => `  s${k}: { type: text, mappings: [{ type: from_text }] }`),
  'forms:',
  `  survey_form: { required_slots: [${range(SLOTS).map((k) => `s${k}`).join(', ')}] }`,
  'responses:',
  ...range(SLOTS).map((k) => `  ask_s${k}: { en: ["question ${k}?"] }`),
  '  survey_done: { en: [done] }',
  '  fallback: { en: [sorry?] }',
  '  cancelled: { en: [cancelled] }',
  '  confirm_yes_no: { en: [yes or no?] }',
  '',
].join('\n');
const USER = { 'x-llmos-user': 'scale-user' };
const slotsOf = (answers: string[]) => Object.fromEntries(answers.map((a, j) => [`s${j + 1}`, a]));

type Reply = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

function request(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  // a string body is sent as it is (say with a content-type header), anything else as JSON
  const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent: false, headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* plain text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function reachable(): Promise<string | null> {
  if (!process.env.TEST_DATABASE_URL) return 'TEST_DATABASE_URL is not set';
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    return `Redis at ${REDIS_URL} is unreachable (${(err as Error).message})`;
  } finally {
    redis.disconnect();
  }
}

// Without a PostgreSQL the suite is skipped (reported as skipped); without Redis each test says so and returns.
if (!process.env.TEST_DATABASE_URL) console.warn('scale-out e2e skipped: TEST_DATABASE_URL is not set (CI sets it)');
const describePostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

describePostgres('scale-out: three replicas on one PostgreSQL and Redis', () => {
  let skip: string | null = null;
  let db: { url: string; drop: () => Promise<void> } | undefined;
  let sql: Client;
  let weather: FakeOpenMeteo | undefined;
  const dataDirs: string[] = [];
  const servers: { port: number; child: ChildProcess }[] = [];
  const port = (i: number) => servers[i].port;
  const live = () => servers.filter((s) => s.child.exitCode === null && s.child.signalCode === null);

  beforeAll(async () => {
    skip = await reachable();
    if (skip) return void console.warn(`scale-out e2e skipped: ${skip}`);
    db = await createPostgresDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await sql.query('CREATE EXTENSION IF NOT EXISTS vector');
    weather = await startFakeOpenMeteo();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      REPLICAS: '3',
      NLU_BOOTSTRAP: 'true',
      REC_DEMO: 'false',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '100000',
      JOBS_LEASE_MS: '3000',
      JOBS_POLL_MS: '500',
      CLUSTER_RESYNC_MS: '5000',
      REC_EVENT_BATCH_SIZE: '1000',
      DIALOGUE_TURN_TIMEOUT_MS: String(TURN_TIMEOUT_MS),
      DIALOGUE_WEATHER_GEOCODING_URL: weather.geocodingUrl,
      DIALOGUE_WEATHER_FORECAST_URL: weather.forecastUrl,
    };
    for (let i = 0; i < 3; i++) {
      const dir = mkdtempSync(join(tmpdir(), `llmos-scale-${i}-`));
      dataDirs.push(dir);
      const p = await freePort();
      // replica 3 serves only: its jobs run on the others
      servers.push({ port: p, child: startServer(p, dir, { ...env, ...(i === 2 ? { JOBS_EXECUTE: 'false' } : {}) }) });
    }
    await Promise.all(servers.map((s, i) => waitFor(async () => (await request(s.port, 'GET', '/health/ready')).status === 200, `replica ${i + 1} to be ready`, 150)));
  });

  it('three replicas starting on an empty database train the first NLU model once and all serve it', async () => {
    if (skip) return;
    // (a replica that lost the race to train records its job as cancelled)
    const jobs = await sql.query(`SELECT subject, status FROM jobs WHERE kind = 'nlu.train' AND status <> 'cancelled'`);
    expect(jobs.rows).toEqual([{ subject: 'v1', status: 'succeeded' }]);
    expect(await Promise.all([0, 1, 2].map(served))).toEqual([1, 1, 1]);
  });

  afterAll(async () => {
    await Promise.all(
      live().map((s) => {
        const exited = new Promise((r) => s.child.once('exit', r));
        s.child.kill('SIGTERM');
        return exited;
      }),
    );
    await sql?.end();
    await weather?.close();
    await db?.drop();
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  });

  const trainNlu = (i: number) => request(port(i), 'POST', '/api/v1/nlu/train', {});
  const nluJob = async (i: number, version: number) => (await request(port(i), 'GET', `/api/v1/nlu/train/${version}`)).body as { status: string; active: boolean };
  const served = async (i: number) => ((await request(port(i), 'POST', '/api/v1/nlu/parse', { text: 'hello there', minConfidence: 0 })).body as { modelVersion?: number }).modelVersion;

  it('an NLU version trained through replica 1 is served by replicas 2 and 3 within 2 s', async () => {
    if (skip) return;
    expect((await request(port(0), 'POST', '/api/v1/nlu/import', { format: 'json', mode: 'replace', content: EXAMPLES })).status).toBeLessThan(300);
    const first = await trainNlu(0);
    expect(first.status).toBe(202);
    await waitFor(async () => (await nluJob(0, first.body.version)).active, 'the first version to be active', 60);
    // every replica loads the project's model (first parse), so each has a version to swap out
    await waitFor(async () => (await Promise.all([0, 1, 2].map(served))).every((v) => v === first.body.version), 'every replica to serve the first version', 10);

    const second = await trainNlu(0);
    expect(second.status).toBe(202);
    await waitFor(async () => (await nluJob(0, second.body.version)).active, 'the second version to be active', 60);
    const activeAt = Date.now();
    expect(await served(0)).toBe(second.body.version);
    await waitFor(async () => (await Promise.all([1, 2].map(served))).every((v) => v === second.body.version), 'replicas 2 and 3 to serve the second version', 2);
    const lagMs = Date.now() - activeAt;
    console.log(`NLU v${second.body.version} active on replica 1; replicas 2 and 3 served it ${lagMs} ms later`);
    expect(lagMs).toBeLessThan(2000);

    // the listening connections drop (a database restart, a proxy's idle timeout): the replicas
    // reconnect, and a rollback through replica 1 still reaches the others within 2 s
    const dropped = await sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'llmos-listen' AND datname = current_database()`);
    expect(dropped.rows).toHaveLength(3);
    await waitFor(async () => Number((await sql.query(`SELECT count(*) FROM pg_stat_activity WHERE application_name = 'llmos-listen' AND datname = current_database()`)).rows[0].count) === 3, 'the replicas to listen again', 10);
    // a rollback is not announced ahead like a trained version: each replica loads it when it is activated
    expect((await request(port(0), 'POST', `/api/v1/nlu/models/${first.body.version}/activate`)).status).toBe(200);
    const rolledAt = Date.now();
    await waitFor(async () => (await Promise.all([1, 2].map(served))).every((v) => v === first.body.version), 'replicas 2 and 3 to serve the rolled-back version', 5);
    console.log(`NLU rollback to v${first.body.version} through replica 1 (after the listening connections were dropped): replicas 2 and 3 served it ${Date.now() - rolledAt} ms later`);
  });

  it('three training requests sent at once to three replicas start one run; one sent through the serving-only replica runs on another', async () => {
    if (skip) return;
    const before = Number((await sql.query(`SELECT count(*) FROM jobs WHERE kind = 'nlu.train' AND status <> 'cancelled'`)).rows[0].count);
    const answers = await Promise.all([0, 1, 2].map(trainNlu));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409]);
    const started = answers.find((a) => a.status === 202)!.body.version as number;
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.message).toMatch(/still running/);
    await waitFor(async () => (await nluJob(0, started)).status === 'ready', 'the one run to finish', 60);
    const jobs = await sql.query(`SELECT subject, status, attempts FROM jobs WHERE kind = 'nlu.train' AND status <> 'cancelled' ORDER BY created_at`);
    expect(jobs.rows.length - before).toBe(1);
    expect(jobs.rows[jobs.rows.length - 1]).toMatchObject({ subject: `v${started}`, status: 'succeeded', attempts: 1 });

    // replica 3 does not run jobs: its request is queued and claimed by replica 1 or 2
    const queued = await trainNlu(2);
    expect(queued.status).toBe(202);
    await waitFor(async () => (await nluJob(2, queued.body.version)).active, 'the queued run to be claimed, run and activated', 60);
    const owner = await sql.query(`SELECT status, attempts FROM jobs WHERE kind = 'nlu.train' AND subject = $1`, [`v${queued.body.version}`]);
    expect(owner.rows).toEqual([{ status: 'succeeded', attempts: 1 }]);

    // recommendation training: the same, one version at a time per project across replicas
    await request(port(0), 'POST', '/api/v1/recommendations/items/bulk', { items: [{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }] });
    await request(port(1), 'POST', '/api/v1/recommendations/events/bulk', { events: [{ id: 'e1', userId: 'u1', itemId: 'a', type: 'purchase' }, { id: 'e2', userId: 'u1', itemId: 'b', type: 'view' }, { id: 'e3', userId: 'u2', itemId: 'a', type: 'view' }] });
    const rec = await Promise.all([0, 1, 2].map((i) => request(port(i), 'POST', '/api/v1/recommendations/train', {})));
    expect(rec.map((a) => a.status).sort()).toEqual([202, 409, 409]);
  });

  it('a quota of N requests per minute admits N in total across the replicas (counted in Redis)', async () => {
    if (skip) return;
    const N = 12;
    for (let attempt = 0; ; attempt++) {
      // a new project each attempt: Redis outlives the test database, and a burst that straddles
      // a minute boundary (counted in two windows) is sent again on a fresh one
      const project = `limited-${Date.now().toString(36)}-${attempt}`;
      expect((await request(port(0), 'POST', '/api/v1/projects', { id: project, quotas: { requestsPerMinute: N } })).status).toBe(201);
      if (60_000 - (Date.now() % 60_000) < 5000) await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 50));
      const minute = Math.floor(Date.now() / 60_000);
      const answers = await Promise.all(Array.from({ length: 3 * N }, (_, k) => request(port(k % 3), 'GET', '/api/v1/jobs', undefined, { 'x-llmos-project': project })));
      if (Math.floor(Date.now() / 60_000) !== minute && attempt < 2) continue;
      const tally = (status: number) => answers.filter((a) => a.status === status).length;
      const other = answers.filter((a) => a.status !== 200 && a.status !== 429).map((a) => `${a.status} ${JSON.stringify(a.body).slice(0, 120)}`);
      expect({ admitted: tally(200), refused: tally(429), other: other.slice(0, 3) }).toEqual({ admitted: N, refused: 2 * N, other: [] });
      break;
    }
    // the rate limiter's counters are in the same Redis
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys('*:hits');
    redis.disconnect();
    expect(keys.length).toBeGreaterThan(0);
  });

  const D = '/api/v1/dialogue';
  const openSession = async (i: number, assistant: string): Promise<string> => {
    const r = await request(port(i), 'POST', `${D}/sessions`, { assistant }, USER);
    expect(r.status).toBe(201);
    return r.body.id;
  };
  const say = (i: number, session: string, text: string, id?: string) => request(port(i), 'POST', `${D}/sessions/${session}/messages`, { text, ...(id ? { id } : {}) }, USER);
  const history = async (session: string) => (await request(port(0), 'GET', `${D}/sessions/${session}/messages?limit=500`, undefined, USER)).body.messages as { role: string; text: string }[];

  it('messages sent at once to one dialogue session through the three replicas are answered one at a time, in order, never interleaved', async () => {
    if (skip) return;
    expect((await request(port(0), 'PUT', `${D}/assistants/survey/domain`, SURVEY, { 'content-type': 'application/yaml' })).status).toBe(200);
    const session = await openSession(1, 'survey');
    expect((await say(2, session, 'start the survey')).body.reply).toBe('question 1?');
    const N = SLOTS - 1;
    const texts = range(N).map((k) => `answer-${k}`);
    const replies = await Promise.all(texts.map((text, k) => say(k % 3, session, text)));
    expect(replies.map((r) => r.status)).toEqual(texts.map(() => 200));

    const messages = await history(session);
    expect(messages.map((m) => m.role)).toEqual(range(2 * (N + 1)).map((k) => (k % 2 ? 'user' : 'bot')));
    // the order the turns ran in (their tickets): each message is followed by its own reply, which
    // asks for the next slot and shows every earlier turn's answer (a turn run beside another
    // would have filled the same slot)
    const order = messages.filter((m) => m.role === 'user').slice(1).map((m) => m.text);
    expect([...order].sort()).toEqual(texts);
    order.forEach((text, k) => {
      const reply = replies[texts.indexOf(text)].body;
      expect(messages[2 + 2 * k + 1].text).toBe(reply.reply);
      expect(reply.reply).toBe(`question ${k + 2}?`);
      expect(reply.slots).toEqual(slotsOf(order.slice(0, k + 1)));
    });
    expect((await request(port(1), 'GET', `${D}/sessions/${session}`, undefined, USER)).body).toMatchObject({ form: 'survey_form', slots: slotsOf(order) });
    const row = await sql.query(`SELECT ticket::int, served::int, (state->>'turns')::int AS turns FROM dialogue_sessions WHERE id = $1`, [session]);
    expect(row.rows[0]).toEqual({ ticket: N + 1, served: N + 1, turns: N + 1 });

    // one named message sent to all three replicas at once: one turn (the form completes), the other two get its stored reply
    const named = await Promise.all([0, 1, 2].map((i) => say(i, session, 'last answer', 'o-1')));
    expect(named.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(named.map((r) => r.body.reply)).toEqual(['done', 'done', 'done']);
    expect(named.filter((r) => r.body.replayed).length).toBe(2);
    const stored = await sql.query(`SELECT count(*)::int AS n FROM dialogue_messages WHERE session_id = $1 AND role = 'user' AND client_id = 'o-1'`, [session]);
    expect(stored.rows[0].n).toBe(1);
    expect((await sql.query(`SELECT (state->>'turns')::int AS turns FROM dialogue_sessions WHERE id = $1`, [session])).rows[0].turns).toBe(N + 2);
    console.log(`${N} messages sent at once to one session through 3 replicas (replica of each: ${texts.map((_, k) => (k % 3) + 1).join(',')}): answered in ticket order ${order.map((t) => Number(t.split('-')[1]) + 1).join(',')}, never interleaved`);
  });

  it('kill -9 of a replica during bulk ingestion and dialogue traffic: retries to the others succeed, every acknowledged event and message is stored exactly once', async () => {
    if (skip) return;
    const items = Array.from({ length: 50 }, (_, i) => ({ id: `k-item-${i}`, title: `Item ${i}` }));
    expect((await request(port(0), 'POST', '/api/v1/recommendations/items/bulk', { items })).status).toBe(201);
    const REQUESTS = 24;
    const PER = 2000;
    const batches = Array.from({ length: REQUESTS }, (_, r) => Array.from({ length: PER }, (_, e) => ({ id: `k-${r}-${e}`, userId: `k-u${(r * PER + e) % 401}`, itemId: `k-item-${e % 50}`, type: e % 4 ? 'view' : 'click' })));
    const victim = servers[1];
    let retries = 0;
    let sent = 0;
    const acked: number[] = [];
    const send = async (r: number) => {
      for (let attempt = 0; attempt < 6; attempt++) {
        const target = servers[(r + attempt) % 3];
        try {
          sent++;
          const reply = await request(target.port, 'POST', '/api/v1/recommendations/events/bulk', { events: batches[r] });
          if (reply.status === 201) return void acked.push(r);
          if (reply.status < 500) throw new Error(`request ${r} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 200)}`);
        } catch (err) {
          if ((err as Error).message.startsWith('request ')) throw err;
        }
        retries++;
      }
      throw new Error(`request ${r} failed on every replica`);
    };

    // dialogue: sessions opened beforehand (on the replicas in turn); every message carries a
    // client id and is sent again, to the next replica, when no answer comes back
    const SESSIONS = 3;
    const sessions = await Promise.all(range(SESSIONS).map((s) => openSession(s % 3, 'survey')));
    const lines = ['start the survey', ...range(SLOTS - 1).map((k) => `answer-${k}`)];
    const dialogueAcks: string[][] = sessions.map(() => []);
    let dialogueRetries = 0;
    let replayed = 0;
    const sayOnce = async (s: number, k: number): Promise<void> => {
      const id = `m-${s}-${k}`;
      for (let attempt = 0; attempt < 6; attempt++) {
        try {
          const reply = await say((s + k + attempt) % 3, sessions[s], lines[k], id);
          if (reply.status === 200) {
            if (reply.body.replayed) replayed++; // the lost attempt had been answered: its stored reply
            return void dialogueAcks[s].push(id);
          }
          if (reply.status < 500) throw new Error(`message ${id} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 200)}`);
        } catch (err) {
          if ((err as Error).message.startsWith('message ')) throw err;
        }
        dialogueRetries++;
      }
      throw new Error(`message ${id} failed on every replica`);
    };
    let arm!: () => void;
    const armed = new Promise<void>((r) => (arm = r));
    const talk = async (s: number) => {
      for (let k = 0; k < lines.length; k++) {
        if (k === 3) await armed; // the fourth messages go out as the replica is killed (session 2's to it)
        await sayOnce(s, k);
      }
    };

    // the kill: while the victim runs a dialogue turn (a weather question, the weather service slow)
    const weatherSession = await openSession(1, 'shop');
    let blockedMs = 0;
    const kill = async () => {
      await waitFor(async () => sent >= 6, 'the ingestion to be under way', 60);
      weather!.delayMs = 4000;
      const lost = say(1, weatherSession, '今天的天气怎么样？', 'w-1').then((r) => `answered ${r.status}`, () => 'no answer');
      await waitFor(async () => (await sql.query(`SELECT 1 FROM dialogue_sessions WHERE id = $1 AND turn_started_at IS NOT NULL`, [weatherSession])).rows.length === 1, 'the weather turn to run on replica 2', 10);
      arm();
      await new Promise((r) => setTimeout(r, 20));
      victim.child.kill('SIGKILL');
      expect(await lost).toBe('no answer');
      weather!.delayMs = 0;
      // sent again through replica 1: the session waits for the dead turn, then goes on
      const before = Date.now();
      const again = await say(0, weatherSession, '今天的天气怎么样？', 'w-1');
      blockedMs = Date.now() - before;
      expect(again.status).toBe(200);
      expect(again.body.reply).toBe('北京今天的天气：晴，气温：25度');
      expect(again.body.replayed).toBeUndefined();
    };

    // three event clients in parallel, each going through the replicas in turn
    const queue = [...batches.keys()];
    await Promise.all([
      ...[0, 1, 2].map(async () => {
        for (let r = queue.shift(); r !== undefined; r = queue.shift()) await send(r);
      }),
      ...sessions.map((_, s) => talk(s)),
      kill(),
    ]);
    expect(victim.child.signalCode === 'SIGKILL' || victim.child.exitCode !== null).toBe(true);
    expect(acked.sort((a, b) => a - b)).toEqual([...batches.keys()]);
    const counts = await sql.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM rec_events WHERE project_id = 'default' AND id LIKE 'k-%'`);
    expect(counts.rows[0]).toEqual({ n: REQUESTS * PER, ids: REQUESTS * PER });

    // every acknowledged message once, in the order sent: the stored user messages per session,
    // and the form's slots (a message applied twice would have filled two of them)
    for (const [s, session] of sessions.entries()) {
      expect(dialogueAcks[s]).toEqual(lines.map((_, k) => `m-${s}-${k}`));
      const stored = await sql.query(`SELECT client_id AS id, text FROM dialogue_messages WHERE session_id = $1 AND role = 'user' ORDER BY id`, [session]);
      expect(stored.rows).toEqual(lines.map((text, k) => ({ id: `m-${s}-${k}`, text })));
      expect((await history(session)).map((m) => m.role)).toEqual(range(2 * lines.length).map((k) => (k % 2 ? 'user' : 'bot')));
      expect((await request(port(0), 'GET', `${D}/sessions/${session}`, undefined, USER)).body.slots).toEqual(slotsOf(lines.slice(1)));
    }
    const asked = await sql.query(`SELECT count(*)::int AS n FROM dialogue_messages WHERE session_id = $1 AND role = 'user'`, [weatherSession]);
    expect(asked.rows[0].n).toBe(1);
    // the dead turn held the session until DIALOGUE_TURN_TIMEOUT_MS after it started, then was given up
    expect(blockedMs).toBeGreaterThan(TURN_TIMEOUT_MS - 2000);
    expect(blockedMs).toBeLessThan(TURN_TIMEOUT_MS + 5000);
    console.log(
      `${REQUESTS * PER} events in ${REQUESTS} bulk requests and ${SESSIONS * lines.length + 1} dialogue messages across 3 replicas, replica 2 killed -9 during a dialogue turn: ` +
        `${retries} bulk request(s) and ${dialogueRetries} message(s) retried on another replica (${replayed} answered from the stored turn), all events and messages stored once; ` +
        `the session whose turn died was answered ${blockedMs} ms after the resend (DIALOGUE_TURN_TIMEOUT_MS=${TURN_TIMEOUT_MS})`,
    );
  });
});
