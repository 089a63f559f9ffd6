/**
 * Training options over HTTP (threshold, objective, seed, validationShare), the threshold
 * in force in model info and in every parse answer, per-request minConfidence, and
 * reproducible training: the same rows imported in two orders into two fresh servers give
 * the same model.
 */
import { NluModelsRepository } from '../../src/nlu/nlu-models.repository';
import { NluTrainingService } from '../../src/nlu/nlu-training.service';
import { Rng } from '../../src/nlu/training/rng';
import { syntheticExamples } from '../../src/nlu/training/synthetic.fixture';
import { testDatabases } from './support/databases';
import { startTestApp, TestApp } from './support/test-app';

type Row = { text: string; intent: string; entities: { entity: string; start: number; end: number }[] };

/** The synthetic zh/en set, one row per text (templates without slots repeat). */
function rows(): Row[] {
  const seen = new Set<string>();
  return syntheticExamples(2, 5)
    .filter((e) => !seen.has(e.text) && seen.add(e.text))
    .map(({ text, intent, entities }) => ({ text, intent, entities }));
}

interface Calibration {
  threshold: number;
  setting: string;
  objective: string;
  method: string;
  score: number;
  topOneAccuracy: number;
  inScopeAccuracy: number;
  outOfScopeRecall: number;
  outOfScopeExamples: number;
}
interface Job {
  version: number;
  threshold: number;
  calibration: Calibration;
  options: Record<string, unknown>;
  metrics: { intent: { members: unknown[]; trainMs: number }; entities: unknown };
}

const TEXTS = ['明天上海天气怎么样', 'book a flight to Paris tomorrow', '播放一首周杰伦的歌', 'where is my order 12345'];

async function train(t: TestApp, options: Record<string, unknown> | undefined): Promise<Job> {
  const req = t.http().post('/api/v1/nlu/train');
  const started = await (options === undefined ? req : req.send(options)).expect(202);
  await t.app.get(NluTrainingService).whenIdle();
  const job = await t.http().get(`/api/v1/nlu/train/${started.body.version}`).expect(200);
  expect(job.body.error).toBeNull();
  expect(job.body).toMatchObject({ status: 'ready', active: true });
  return job.body;
}

describe.each(testDatabases())('NLU training options and threshold on %s', (db) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ db, env: { NLU_BOOTSTRAP: 'false' } });
    await t.http().post('/api/v1/nlu/import').send({ format: 'json', mode: 'replace', content: rows() }).expect(200);
  });
  afterAll(() => t.close(true));

  it('refuses bad options with a 400', async () => {
    for (const bad of [{ threshold: 1.5 }, { threshold: 'high' }, { objective: 'recall' }, { seed: 1.5 }, { seed: -1 }, { validationShare: 0.9 }, { validationShare: 0.01 }]) {
      const res = await t.http().post('/api/v1/nlu/train').send(bad).expect(400);
      expect(JSON.stringify(res.body.message)).toMatch(new RegExp(Object.keys(bad)[0]));
    }
  });

  it('a fixed threshold is served, shown in model info and in every parse answer; minConfidence overrides it per request', async () => {
    const job = await train(t, { threshold: 0.35, seed: 7, validationShare: 0.25 });
    expect(job.threshold).toBeCloseTo(0.35, 6);
    expect(job.calibration).toMatchObject({ setting: 'fixed', method: 'fixed' });
    expect(job.options).toMatchObject({ threshold: 0.35, seed: 7, validationShare: 0.25 });
    // validationShare 0.25: 4 folds, 4 members, each holding out a quarter
    expect(job.metrics.intent.members).toHaveLength(4);
    const models = await t.http().get('/api/v1/nlu/models').expect(200);
    expect(models.body.find((m: { version: number }) => m.version === job.version).threshold).toBe(job.threshold);

    const one = await t.http().post('/api/v1/nlu/parse').send({ text: TEXTS[0] }).expect(200);
    expect(one.body.threshold).toBe(job.threshold);
    expect(one.body.outOfScope).toBe(one.body.intent.confidence < job.threshold);
    // above the top confidence: out of scope, with the ranking intact; 0: never out of scope by confidence
    const strict = await t.http().post('/api/v1/nlu/parse').send({ text: TEXTS[0], minConfidence: 1 }).expect(200);
    expect(strict.body).toMatchObject({ threshold: 1, outOfScope: true, intent: { name: 'out_of_scope' } });
    expect(strict.body.intentRanking[0].name).toBe(one.body.intentRanking[0].name);
    const batch = await t.http().post('/api/v1/nlu/parse/batch').send({ texts: TEXTS, minConfidence: 0 }).expect(200);
    for (const r of batch.body) expect(r).toMatchObject({ threshold: 0, outOfScope: false });
    expect(batch.body[0].intent).toEqual(one.body.intentRanking[0]);
    const plain = await t.http().post('/api/v1/nlu/parse/batch').send({ texts: TEXTS }).expect(200);
    for (const r of plain.body) expect(r.threshold).toBe(job.threshold);
    await t.http().post('/api/v1/nlu/parse').send({ text: TEXTS[0], minConfidence: 1.5 }).expect(400);
    await t.http().post('/api/v1/nlu/parse/batch').send({ texts: TEXTS, minConfidence: -0.1 }).expect(400);
  });

  it('"auto" without out-of-scope data keeps in-scope accuracy; with it, balances recall; "off" is 0', async () => {
    const auto = await train(t, undefined);
    expect(auto.calibration).toMatchObject({ setting: 'auto', objective: 'balanced', method: 'in_scope', outOfScopeExamples: 0 });
    expect(auto.calibration.topOneAccuracy - auto.calibration.inScopeAccuracy).toBeLessThanOrEqual(0.005);
    expect(auto.threshold).toBeCloseTo(auto.calibration.threshold, 6);
    const off = await train(t, { threshold: 'off' });
    expect(off.threshold).toBe(0);
    const oos = ['今天股市怎么样', 'tell me a joke', '帮我写一首诗', 'how do I cook rice', '你叫什么名字', 'translate this to french', '打开空调', 'what is the meaning of life', '讲个笑话', 'who won the game last night'];
    await t.http().post('/api/v1/nlu/import').send({ format: 'json', mode: 'merge', content: oos.map((text) => ({ text, intent: 'out_of_scope' })) }).expect(200);
    const balanced = await train(t, { objective: 'balanced' });
    expect(balanced.calibration).toMatchObject({ method: 'balanced', outOfScopeExamples: oos.length });
    expect(balanced.calibration.score).toBeCloseTo(0.5 * balanced.calibration.inScopeAccuracy + 0.5 * balanced.calibration.outOfScopeRecall, 9);
  });
});

describe('NLU training is reproducible', () => {
  it('the same rows imported in two orders into two fresh servers give the same model', async () => {
    const data = rows();
    const reversed = [...data].reverse();
    const shuffled = [...data];
    new Rng(3).shuffle(shuffled);
    const results: { job: Job; parses: unknown; files: unknown }[] = [];
    for (const order of [reversed, shuffled]) {
      const t = await startTestApp({ env: { NLU_BOOTSTRAP: 'false' } });
      try {
        // two imports, so the stored order differs from a single batch too
        const half = Math.floor(order.length / 2);
        await t.http().post('/api/v1/nlu/import').send({ format: 'json', mode: 'merge', content: order.slice(0, half) }).expect(200);
        await t.http().post('/api/v1/nlu/import').send({ format: 'json', mode: 'merge', content: order.slice(half) }).expect(200);
        const job = await train(t, { seed: 11 });
        const parses = (await t.http().post('/api/v1/nlu/parse/batch').send({ texts: TEXTS }).expect(200)).body;
        // the stored artifacts' checksums: the ONNX model and the tagger, byte for byte
        const files = (await t.app.get(NluModelsRepository).artifacts(job.version)).map((f) => ({ name: f.name, sha256: f.sha256, bytes: f.bytes }));
        expect(files.length).toBeGreaterThan(0);
        results.push({ job, parses, files });
      } finally {
        await t.close(true);
      }
    }
    const [a, b] = results;
    expect(b.job.threshold).toBe(a.job.threshold);
    expect(b.job.calibration).toEqual(a.job.calibration);
    const { trainMs: _a, ...intentA } = a.job.metrics.intent;
    const { trainMs: _b, ...intentB } = b.job.metrics.intent;
    expect(intentB).toEqual(intentA);
    expect(b.job.metrics.entities).toEqual(a.job.metrics.entities);
    // every confidence of every ranked intent, exactly
    expect(b.parses).toEqual(a.parses);
    expect(b.files).toEqual(a.files);
  }, 600_000); // two servers, two trainings: several minutes on a loaded 2-core machine
});
