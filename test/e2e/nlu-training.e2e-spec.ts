import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { NluArtifacts1764460800000 } from '../../migrations/1764460800000-nlu-artifacts';
import { NluTrainingService } from '../../src/nlu/nlu-training.service';
import * as runTraining from '../../src/nlu/training/run-training';
import { syntheticExamples } from '../../src/nlu/training/synthetic.fixture';
import { testDatabases } from './support/databases';
import { startTestApp, TestApp } from './support/test-app';

type Job = { version: number; status: string; active: boolean; note: string | null; error: string | null };

// Several training runs per suite: on a loaded machine each can take minutes (nothing here asserts speed).
jest.setTimeout(15 * 60_000);

const examples = syntheticExamples(2, 5).map((e) => ({ text: e.text, intent: e.intent, entities: e.entities }));
const modelsDir = (t: TestApp) => join(t.dataDir, 'nlu', 'models');

async function waitDone(t: TestApp, version: number): Promise<Job> {
  await t.app.get(NluTrainingService).whenIdle();
  return (await t.http().get(`/api/v1/nlu/train/${version}`).expect(200)).body as Job;
}

/** Holds the next training run before it starts its worker, until `release` is called. */
function holdNextRun(): { release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const original = runTraining.runTrainingInWorker;
  jest.spyOn(runTraining, 'runTrainingInWorker').mockImplementationOnce(async (...args) => {
    await gate;
    return original(...args);
  });
  return { release };
}

/** A plain HTTP request over a fresh connection, so a reset connection shows as ECONNRESET. */
function get(port: number, path: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request({ host: '127.0.0.1', port, path, method: payload ? 'POST' : 'GET', agent: false, headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe.each(testDatabases())('NLU training lifecycle on %s', (db) => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp({ db, env: { NLU_BOOTSTRAP: 'false', NLU_KEEP_VERSIONS: '2', RATE_LIMIT_MAX: '0' } });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    const imported = await t.http().post('/api/v1/nlu/import').send({ format: 'json', mode: 'replace', content: examples });
    expect(imported.status).toBeLessThan(300);
    const first = await t.http().post('/api/v1/nlu/train').send({}).expect(202);
    expect(await waitDone(t, first.body.version)).toMatchObject({ status: 'ready', active: true, note: null });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t.close();
  });

  it('keeps answering while it trains and activates: no reset connection, no 5xx', async () => {
    const failures: string[] = [];
    let done = false;
    let requests = 0;
    const client = async () => {
      for (let i = 0; i < 100_000 && !done; i++) {
        for (const [path, body] of [['/health/live'], ['/api/v1/nlu/parse', { text: '明天上海会下雨吗' }]] as const) {
          requests++;
          const status = await get(port, path, body).catch((err: NodeJS.ErrnoException) => err.code ?? err.message);
          if (typeof status !== 'number' || status >= 500) failures.push(`${path}: ${status}`);
        }
      }
    };
    const clients = [client(), client()];
    const run = await t.http().post('/api/v1/nlu/train').send({}).expect(202);
    const job = await waitDone(t, run.body.version);
    await t.http().post(`/api/v1/nlu/models/${run.body.version - 1}/activate`).expect(200);
    await t.http().post(`/api/v1/nlu/models/${run.body.version}/activate`).expect(200);
    done = true;
    await Promise.all(clients);
    expect(job).toMatchObject({ status: 'ready', active: true });
    expect(requests).toBeGreaterThan(2);
    expect(failures).toEqual([]);
  });

  it('stores artifacts as files with checksum rows, not bytes in the model row', async () => {
    const active = ((await t.http().get('/api/v1/nlu/models').expect(200)).body as Job[]).find((m) => m.active)!;
    const ds = t.app.get(DataSource);
    const rows: { name: string; sha256: string; bytes: string; chunks: number }[] = await ds.query(`SELECT name, sha256, bytes, chunks FROM nlu_artifacts WHERE version = $1 ORDER BY name`, [active.version]);
    expect(rows.map((r) => r.name)).toEqual(['intent.onnx', 'tagger.json']);
    for (const r of rows) {
      const file = readFileSync(join(modelsDir(t), `v${active.version}`, r.name));
      expect(file.length).toBe(Number(r.bytes));
      // the database keeps a copy only where replicas share it (Postgres)
      expect(r.chunks > 0).toBe(db === 'postgres');
    }
    const [legacy] = await ds.query(`SELECT onnx IS NULL AND tagger IS NULL AS empty FROM nlu_models WHERE version = $1`, [active.version]);
    expect(legacy.empty).toBe(true);
  });

  it('an explicit activation during training wins: the run ends ready, not active, and says why', async () => {
    const before = ((await t.http().get('/api/v1/nlu/models').expect(200)).body as Job[]).find((m) => m.active)!.version;
    const hold = holdNextRun();
    const run = await t.http().post('/api/v1/nlu/train').send({}).expect(202);
    expect(run.body.status).toBe('training');
    await t.http().post(`/api/v1/nlu/models/${before}/activate`).expect(200);
    hold.release();
    const job = await waitDone(t, run.body.version);
    expect(job).toMatchObject({ status: 'ready', active: false });
    expect(job.note).toMatch(new RegExp(`version ${before} was activated explicitly`));
    const models = (await t.http().get('/api/v1/nlu/models').expect(200)).body as Job[];
    expect(models.find((m) => m.active)?.version).toBe(before);
    const parsed = await t.http().post('/api/v1/nlu/parse').send({ text: '明天上海会下雨吗' }).expect(200);
    expect(parsed.body.intent.name).toBe('weather_query');
    // the run can still be served on request
    await t.http().post(`/api/v1/nlu/models/${run.body.version}/activate`).expect(200);
  });

  it('trains without serving when activate is false', async () => {
    const before = ((await t.http().get('/api/v1/nlu/models').expect(200)).body as Job[]).find((m) => m.active)!.version;
    const run = await t.http().post('/api/v1/nlu/train').send({ activate: false }).expect(202);
    const job = await waitDone(t, run.body.version);
    expect(job).toMatchObject({ status: 'ready', active: false });
    expect(job.note).toMatch(/activate: false/);
    expect(((await t.http().get('/api/v1/nlu/models').expect(200)).body as Job[]).find((m) => m.active)?.version).toBe(before);
    await t.http().post('/api/v1/nlu/train').send({ activate: 'yes' }).expect(400);
  });

  it('keeps the newest NLU_KEEP_VERSIONS versions and the active one, files included', async () => {
    const models = (await t.http().get('/api/v1/nlu/models').expect(200)).body as Job[];
    const active = models.find((m) => m.active)!.version;
    const ready = models.filter((m) => m.status === 'ready').map((m) => m.version);
    const newest = Math.max(...models.map((m) => m.version));
    expect(ready.length).toBeLessThanOrEqual(3);
    expect(ready).toContain(active);
    expect(ready).toContain(newest);
    expect(readdirSync(modelsDir(t)).sort()).toEqual(ready.map((v) => `v${v}`).sort());
  });

  it('DELETE /nlu/models/:version deletes a version and its files; 409 for the active one, 404 for an unknown one', async () => {
    const models = (await t.http().get('/api/v1/nlu/models').expect(200)).body as Job[];
    const active = models.find((m) => m.active)!.version;
    const other = models.find((m) => !m.active && m.status === 'ready')!.version;
    await t.http().delete(`/api/v1/nlu/models/${active}`).expect(409);
    await t.http().delete('/api/v1/nlu/models/9999').expect(404);
    await t.http().delete(`/api/v1/nlu/models/${other}`).expect(200, { deleted: 1 });
    await t.http().get(`/api/v1/nlu/train/${other}`).expect(404);
    expect(existsSync(join(modelsDir(t), `v${other}`))).toBe(false);
    const [count] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM nlu_artifacts WHERE version = $1`, [other]);
    expect(count.n).toBe(0);
  });

  it('starts with versions stored by the previous release (ONNX bytes in nlu_models) and serves them', async () => {
    const active = ((await t.http().get('/api/v1/nlu/models').expect(200)).body as Job[]).find((m) => m.active)!.version;
    const dir = join(modelsDir(t), `v${active}`);
    const onnx = readFileSync(join(dir, 'intent.onnx'));
    const tagger = readFileSync(join(dir, 'tagger.json'), 'utf8');
    // Back to the previous schema, with the bytes where the previous release kept them.
    const ds = t.app.get(DataSource);
    const runner = ds.createQueryRunner();
    await new NluArtifacts1764460800000().down(runner);
    await runner.release();
    await ds.query(`DELETE FROM migrations WHERE name = 'NluArtifacts1764460800000'`);
    await ds.query(`UPDATE nlu_models SET onnx = $2, tagger = $3 WHERE version = $1`, [active, onnx, tagger]);
    await t.close(false);
    rmSync(modelsDir(t), { recursive: true, force: true });

    t = await startTestApp({ db, reuse: t, env: { NLU_BOOTSTRAP: 'false', RATE_LIMIT_MAX: '0' } });
    const models = (await t.http().get('/api/v1/nlu/models').expect(200)).body as Job[];
    expect(models.find((m) => m.active)?.version).toBe(active);
    const parsed = await t.http().post('/api/v1/nlu/parse').send({ text: '明天上海会下雨吗' }).expect(200);
    expect(parsed.body.intent.name).toBe('weather_query');
    expect(readFileSync(join(modelsDir(t), `v${active}`, 'intent.onnx')).equals(onnx)).toBe(true);
  });
});
