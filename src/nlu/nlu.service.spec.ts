import { Logger } from '@nestjs/common';
import { loadConfig } from '../config/app-config';
import type { InferencePool } from '../inference/inference-pool.service';
import type { NerService } from './ner.service';
import type { NluModelSource } from './nlu-model-source';
import type { StoredModel } from './nlu-models.repository';
import { NluService, nluPoolModel } from './nlu.service';
import type { EmbeddingsService } from '../embeddings/embeddings.service';
import { INTENT_ONNX_OUTPUT } from './training/intent-onnx';

/** A pool that serves "models" answering their project's intent, and refuses ids that are not loaded. */
class FakePool {
  readonly loaded = new Set<string>();
  readonly loads: string[] = [];
  readonly unloads: string[] = [];
  private gate?: Promise<void>;
  register(): void {}
  async load(id: string) {
    this.loads.push(id);
    this.loaded.add(id);
  }
  /** unloads and drops the entry (what NluService asks of the real pool) */
  async forget(id: string) {
    this.unloads.push(id);
    this.loaded.delete(id);
  }
  /** holds every run until the returned function is called */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((r) => (release = r));
    return () => {
      this.gate = undefined;
      release();
    };
  }
  async run(id: string, feeds: Record<string, { dims: readonly number[] }>) {
    await this.gate;
    if (!this.loaded.has(id)) throw new Error(`${id} is not loaded`);
    const batch = Number(feeds.feature_ids.dims[0]);
    const data = new Float32Array(batch * 2);
    for (let i = 0; i < batch; i++) data.set([0.9, 0.1], i * 2);
    return { [INTENT_ONNX_OUTPUT]: { data } };
  }
}

function stored(project: string, version: number): StoredModel {
  return { projectId: project, version, labels: [`${project}_intent`, 'other'], threshold: 0.5, config: { featurizer: {} }, onnx: '/nowhere.onnx', tagger: null };
}

function setup(maxLoaded: number, active: Record<string, number | null> = {}) {
  const pool = new FakePool();
  const modelCalls: string[] = [];
  const servingCalls: string[] = [];
  const source = {
    serving: async (p: string) => {
      servingCalls.push(p);
      return { active: active[p] ?? null, training: p === 'busy' };
    },
    model: async (p: string, v: number) => {
      modelCalls.push(`${p}@${v}`);
      await new Promise((r) => setImmediate(r));
      return stored(p, v);
    },
    entities: async () => ({ lookups: [], synonyms: [], regexes: [], annotated: [] }),
  } as unknown as NluModelSource;
  const ner = { model: () => undefined } as unknown as NerService;
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', NLU_MAX_LOADED_MODELS: String(maxLoaded) });
  const nlu = new NluService(pool as unknown as InferencePool, ner, {} as EmbeddingsService, undefined, source, config);
  return { nlu, pool, modelCalls, servingCalls };
}

const intentOf = async (nlu: NluService, project: string) => (await nlu.parse('hello there', 'en', { project })).intent.name;

describe('NluService serving per project', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));
  const projects = ['p1', 'p2', 'p3', 'p4', 'p5'];
  const versions = Object.fromEntries(projects.map((p, i) => [p, i + 1]));

  it('keeps at most NLU_MAX_LOADED_MODELS projects loaded, unloads the least recently used, reloads it on its next parse', async () => {
    const { nlu, pool } = setup(2, versions);
    for (let round = 0; round < 2; round++) {
      for (const p of projects) {
        expect(await intentOf(nlu, p)).toBe(`${p}_intent`);
        expect(pool.loaded.size).toBeLessThanOrEqual(2);
        expect(nlu.loadedProjects().length).toBeLessThanOrEqual(2);
      }
    }
    await new Promise((r) => setImmediate(r));
    expect([...pool.loaded].sort()).toEqual([nluPoolModel('p4', 4), nluPoolModel('p5', 5)]);
    expect(pool.unloads).toContain(nluPoolModel('p1', 1));
    expect(pool.loads.filter((id) => id === nluPoolModel('p1', 1))).toHaveLength(2);
    // use keeps a project in: p4 parsed again, then p1 evicts p5
    await intentOf(nlu, 'p4');
    await intentOf(nlu, 'p1');
    expect(nlu.loadedProjects()).toEqual(['p4', 'p1']);
  });

  it('remembers for a moment that a project has no model (one database read for many parses), until one is activated', async () => {
    const { nlu, servingCalls } = setup(2, { p1: null });
    for (let i = 0; i < 5; i++) await expect(intentOf(nlu, 'p1')).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/no trained NLU model/) });
    expect(servingCalls).toEqual(['p1']);
    // a project still training is not remembered: its 503 is re-asked every time
    for (let i = 0; i < 2; i++) await expect(intentOf(nlu, 'busy')).rejects.toMatchObject({ status: 503 });
    expect(servingCalls.filter((p) => p === 'busy')).toHaveLength(2);
    await nlu.activate(stored('p1', 1));
    expect(await intentOf(nlu, 'p1')).toBe('p1_intent');
  });

  it('shares one load between concurrent first parses of a project', async () => {
    const { nlu, modelCalls, pool } = setup(2, versions);
    const answers = await Promise.all([intentOf(nlu, 'p1'), intentOf(nlu, 'p1'), intentOf(nlu, 'p1')]);
    expect(answers).toEqual(['p1_intent', 'p1_intent', 'p1_intent']);
    expect(modelCalls).toEqual(['p1@1']);
    expect(pool.loads).toEqual([nluPoolModel('p1', 1)]);
  });

  it('frees an evicted model only after the requests that hold it have finished', async () => {
    const { nlu, pool } = setup(1, versions);
    await intentOf(nlu, 'p1');
    const release = pool.hold();
    const slow = intentOf(nlu, 'p1');
    await new Promise((r) => setImmediate(r));
    const other = intentOf(nlu, 'p2');
    await new Promise((r) => setTimeout(r, 10));
    expect(pool.loaded.has(nluPoolModel('p1', 1))).toBe(true);
    release();
    expect(await slow).toBe('p1_intent');
    expect(await other).toBe('p2_intent');
    await new Promise((r) => setImmediate(r));
    expect([...pool.loaded]).toEqual([nluPoolModel('p2', 2)]);
  });

  it('activation swaps one project (counted as use) and leaves the others alone', async () => {
    const { nlu, pool } = setup(2, versions);
    await intentOf(nlu, 'p1');
    await intentOf(nlu, 'p2');
    await nlu.activate({ ...stored('p1', 7), labels: ['p1_new', 'other'] });
    await new Promise((r) => setImmediate(r));
    expect(pool.unloads).toEqual([nluPoolModel('p1', 1)]);
    expect(await intentOf(nlu, 'p1')).toBe('p1_new');
    expect(await intentOf(nlu, 'p2')).toBe('p2_intent');
    expect(nlu.activeVersion('p1')).toBe(7);
    nlu.forget('p2');
    await new Promise((r) => setImmediate(r));
    expect(pool.loaded.has(nluPoolModel('p2', 2))).toBe(false);
  });

  it('a project without a model: 409 saying how to train one; 503 while its first run trains', async () => {
    const { nlu } = setup(2, versions);
    await expect(nlu.parse('hi', 'en', { project: 'empty' })).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/POST \/api\/v1\/nlu\/import.*POST \/api\/v1\/nlu\/train/) });
    await expect(nlu.parse('hi', 'en', { project: 'busy' })).rejects.toMatchObject({ status: 503, headers: { 'Retry-After': '3' } });
  });

  it('a data change during a first load is applied once the load is done', async () => {
    const { nlu } = setup(2, versions);
    const first = nlu.parse('I want Dune', 'en', { project: 'p1' });
    await nlu.refreshEntities('p1', async () => ({ lookups: [{ name: 'book', elements: ['Dune'] }], synonyms: [], regexes: [] }));
    await first;
    const after = await nlu.parse('I want Dune', 'en', { project: 'p1' });
    expect(after.entities.map((e) => e.entity)).toContain('book');
  });

  it('keeps run-time lookup values per project', async () => {
    const { nlu } = setup(2, versions);
    expect(nlu.registerLookupValues('p1', 'book', ['Dune'])).toBe(1);
    const p1 = await nlu.parse('I want Dune', 'en', { project: 'p1' });
    const p2 = await nlu.parse('I want Dune', 'en', { project: 'p2' });
    expect(p1.entities.map((e) => e.entity)).toContain('book');
    expect(p2.entities.map((e) => e.entity)).not.toContain('book');
  });
});
