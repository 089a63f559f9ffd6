import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NluTrainingService } from '../../src/nlu/nlu-training.service';
import * as runTraining from '../../src/nlu/training/run-training';
import { testDatabases } from './support/databases';
import { startTestApp, TestApp } from './support/test-app';

// Four small training runs, one after the other (NLU_TRAINING_CONCURRENCY=1): minutes on a loaded machine.
jest.setTimeout(15 * 60_000);

const HELLO = ['hello', 'hi there', 'good morning', 'hey', '你好', '早上好'];
const BYE = ['bye', 'see you later', 'goodbye', 'farewell', '再见', '回头见'];

/** Each project names the two meanings its own way; alpha and beta swap the same two names. */
const LABELS: Record<string, [hello: string, bye: string]> = {
  alpha: ['greet', 'farewell'],
  beta: ['farewell', 'greet'],
  gamma: ['gamma_hi', 'gamma_bye'],
  delta: ['delta_hi', 'delta_bye'],
};
const PROJECTS = Object.keys(LABELS);
const examplesOf = (project: string) => [...HELLO.map((text) => ({ text, intent: LABELS[project][0] })), ...BYE.map((text) => ({ text, intent: LABELS[project][1] }))];

type Job = { version: number; status: string; active: boolean; progress: { phase?: string } | null };

describe.each(testDatabases())('NLU per project on %s', (db) => {
  let t: TestApp;
  const versions: Record<string, number> = {};
  const as = (project: string) => ({
    get: (path: string) => t.http().get(path).set('X-LLMOS-Project', project),
    post: (path: string) => t.http().post(path).set('X-LLMOS-Project', project),
    put: (path: string) => t.http().put(path).set('X-LLMOS-Project', project),
    delete: (path: string) => t.http().delete(path).set('X-LLMOS-Project', project),
  });
  const parse = async (project: string, text: string) => (await as(project).post('/api/v1/nlu/parse').send({ text, minConfidence: 0 }).expect(200)).body as { intent: { name: string }; modelVersion: number };
  const loadedNluModels = async () =>
    ((await t.http().get('/api/v1/models').expect(200)).body.models as { id: string; state: string }[]).filter((m) => m.id.startsWith('nlu-intent-') && m.state === 'ready').map((m) => m.id);

  beforeAll(async () => {
    t = await startTestApp({ db, env: { NLU_BOOTSTRAP: 'false', NLU_MAX_LOADED_MODELS: '2', NLU_TRAINING_CONCURRENCY: '1', RATE_LIMIT_MAX: '0' } });
    for (const id of [...PROJECTS, 'empty']) await t.http().post('/api/v1/projects').send({ id, name: `Project ${id}` }).expect(201);
    for (const p of PROJECTS) await as(p).post('/api/v1/nlu/import').send({ format: 'json', mode: 'replace', content: examplesOf(p) }).expect(200);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t.close();
  });

  it('trains one run per project at a time, the runs of other projects waiting their turn (queued)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const original = runTraining.runTrainingInWorker;
    const spy = jest.spyOn(runTraining, 'runTrainingInWorker').mockImplementationOnce(async (...args) => {
      await gate;
      return original(...args);
    });
    try {
      const first = (await as('alpha').post('/api/v1/nlu/train').send({}).expect(202)).body as Job;
      versions.alpha = first.version;
      await as('alpha').post('/api/v1/nlu/train').send({}).expect(409);
      for (const p of PROJECTS.slice(1)) versions[p] = ((await as(p).post('/api/v1/nlu/train').send({}).expect(202)).body as Job).version;
      // alpha holds the one slot: the others wait, whatever the timing
      for (const p of PROJECTS.slice(1)) {
        const job = (await as(p).get(`/api/v1/nlu/train/${versions[p]}`).expect(200)).body as Job;
        expect(job).toMatchObject({ status: 'training', progress: { phase: 'queued' } });
      }
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      release();
    }
    await t.app.get(NluTrainingService).whenIdle();
    for (const p of PROJECTS) {
      const job = (await as(p).get(`/api/v1/nlu/train/${versions[p]}`).expect(200)).body as Job;
      expect(job).toMatchObject({ status: 'ready', active: true });
    }
  });

  it('parses the same sentence with each project its own model', async () => {
    expect((await parse('alpha', 'good morning')).intent.name).toBe('greet');
    expect((await parse('beta', 'good morning')).intent.name).toBe('farewell');
    expect((await parse('alpha', 'see you later')).intent.name).toBe('farewell');
    expect((await parse('beta', 'see you later')).intent.name).toBe('greet');
    expect((await parse('beta', 'hello')).modelVersion).toBe(versions.beta);
  });

  it('keeps at most NLU_MAX_LOADED_MODELS models loaded, and every parse right as projects take turns', async () => {
    for (let round = 0; round < 2; round++) {
      for (const p of PROJECTS) {
        const [hi, bye] = await Promise.all([parse(p, 'hi there'), parse(p, 'goodbye')]);
        expect([hi.intent.name, bye.intent.name]).toEqual(LABELS[p]);
        const loaded = await loadedNluModels();
        expect(loaded.length).toBeLessThanOrEqual(2);
        expect(loaded).toContain(`nlu-intent-${p}-v${versions[p]}`);
      }
    }
    // Evicted models leave the pool altogether, not as an 'unloaded' entry per project ever parsed
    // (the unload finishes after the parse that evicted it: wait for it, bounded by the test timeout).
    const entries = async () => ((await t.http().get('/api/v1/models').expect(200)).body.models as { id: string }[]).filter((m) => m.id.startsWith('nlu-intent-')).length;
    while ((await entries()) > 2) await new Promise((r) => setTimeout(r, 50));
    // ... and so do their Prometheus series (no series per project ever parsed)
    const scrape = (await t.http().get('/metrics').expect(200)).text as string;
    const series = new Set([...scrape.matchAll(/model="(nlu-intent-[^"]+)"/g)].map((m) => m[1]));
    expect(series.size).toBeGreaterThan(0);
    expect(series.size).toBeLessThanOrEqual(2);
  });

  it("a project without a model answers 409 saying how to train one; it sees none of the others' data", async () => {
    const res = await as('empty').post('/api/v1/nlu/parse').send({ text: 'good morning' }).expect(409);
    expect(res.body.message).toMatch(/POST \/api\/v1\/nlu\/import.*POST \/api\/v1\/nlu\/train/);
    expect((await as('empty').get('/api/v1/nlu/examples').expect(200)).body.total).toBe(0);
    expect((await as('empty').get('/api/v1/nlu/intents').expect(200)).body).toEqual([]);
    expect((await as('empty').get('/api/v1/nlu/models').expect(200)).body).toEqual([]);
    // the default project has no model either (NLU_BOOTSTRAP off)
    await t.http().post('/api/v1/nlu/parse').send({ text: 'hello' }).expect(409);
  });

  it("another project's model version is a 404, like a missing one", async () => {
    const other = versions.alpha;
    for (const res of [
      await as('beta').get(`/api/v1/nlu/train/${other}`),
      await as('beta').post(`/api/v1/nlu/models/${other}/activate`),
      await as('beta').delete(`/api/v1/nlu/models/${other}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.message).toMatch(new RegExp(`No NLU (model version|training job) ${other}$`));
    }
    expect(((await as('beta').get('/api/v1/nlu/models').expect(200)).body as Job[]).map((j) => j.version)).toEqual([versions.beta]);
    // alpha's version still serves alpha
    expect((await parse('alpha', 'hello')).modelVersion).toBe(versions.alpha);
  });

  it('data and settings changes apply to their project only', async () => {
    await as('alpha').put('/api/v1/nlu/lookups/dish').send({ elements: ['kung pao chicken'] }).expect(200);
    await as('alpha').put('/api/v1/nlu/settings').send({ builtins: { number: { entity: 'party_size' } } }).expect(200);
    expect((await as('beta').get('/api/v1/nlu/lookups').expect(200)).body).toEqual([]);
    expect((await as('beta').get('/api/v1/nlu/settings').expect(200)).body.builtins.number.entity).toBe('number');
    const alpha = (await as('alpha').post('/api/v1/nlu/parse').send({ text: 'hello, kung pao chicken for 3' }).expect(200)).body;
    const beta = (await as('beta').post('/api/v1/nlu/parse').send({ text: 'hello, kung pao chicken for 3' }).expect(200)).body;
    const names = (r: { entities: { entity: string }[] }) => r.entities.map((e) => e.entity);
    expect(names(alpha)).toEqual(expect.arrayContaining(['dish', 'party_size']));
    expect(names(beta)).not.toContain('dish');
    expect(names(beta)).toContain('number');
    // a replace import in beta leaves alpha's examples alone
    await as('beta').post('/api/v1/nlu/import').send({ format: 'json', mode: 'replace', content: examplesOf('beta').slice(0, 4) }).expect(200);
    expect((await as('alpha').get('/api/v1/nlu/examples?limit=1').expect(200)).body.total).toBe(HELLO.length + BYE.length);
  });

  it("deleting a project unloads its model and removes its artifact files", async () => {
    await parse('gamma', 'hello');
    expect(await loadedNluModels()).toContain(`nlu-intent-gamma-v${versions.gamma}`);
    expect(existsSync(join(t.dataDir, 'nlu', 'models', `v${versions.gamma}`))).toBe(true);
    await t.http().delete('/api/v1/projects/gamma?force=true').expect(200);
    expect(await loadedNluModels()).not.toContain(`nlu-intent-gamma-v${versions.gamma}`);
    expect(existsSync(join(t.dataDir, 'nlu', 'models', `v${versions.gamma}`))).toBe(false);
    expect(existsSync(join(t.dataDir, 'nlu', 'models', `v${versions.delta}`))).toBe(true);
    await as('gamma').post('/api/v1/nlu/parse').send({ text: 'hello' }).expect(404);
    expect((await parse('delta', 'hello')).intent.name).toBe('delta_hi');
  });
});
