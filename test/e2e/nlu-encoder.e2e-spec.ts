import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { NluTrainingService } from '../../src/nlu/nlu-training.service';
import { writeTinyBert } from './support/models';
import { startTestApp, TestApp } from './support/test-app';

describe('NLU with an installed sentence encoder', () => {
  let t: TestApp;
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-enc-'));
    const modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    await writeTinyBert(modelsDir, 'encoder');
    t = await startTestApp({ env: { DATA_DIR: dataDir, MODELS_DIR: modelsDir, NLU_BOOTSTRAP: 'false', NLU_ENCODER_MODEL: 'auto' } });
    await t.app.get(InferencePool).startup;
  });
  afterAll(() => t.close());

  it('trains with the encoder embeddings as features and feeds them at parse time', async () => {
    // no model in the default project yet (NLU_BOOTSTRAP off): 409 saying how to train one
    await t.http().post('/api/v1/nlu/parse').send({ text: 'hello' }).expect(409);
    const examples = [
      ...['hello', 'hi there', 'good morning', '你好', '早上好', 'hey'].map((text) => ({ text, intent: 'greet' })),
      ...['bye', 'see you later', 'goodbye', '再见', '回头见', 'farewell'].map((text) => ({ text, intent: 'goodbye' })),
    ];
    await t.http().post('/api/v1/nlu/import').send({ format: 'json', content: examples }).expect(200);
    const job = await t.http().post('/api/v1/nlu/train').expect(202);
    await t.app.get(NluTrainingService).whenIdle();
    const done = await t.http().get(`/api/v1/nlu/train/${job.body.jobId}`).expect(200);
    expect(done.body).toMatchObject({ status: 'ready', active: true });
    const inputs = (await t.http().get(`/api/v1/models/nlu-intent-default-v${job.body.version}`).expect(200)).body.inputs.map((i: { name: string }) => i.name);
    expect(inputs).toContain('sentence_embedding');
    const res = await t.http().post('/api/v1/nlu/parse/batch').send({ texts: ['good morning', 'see you later'] }).expect(200);
    expect(res.body.map((r: { intent: { name: string } }) => r.intent.name)).toEqual(['greet', 'goodbye']);
    const stats = (await t.http().get('/api/v1/models/encoder').expect(200)).body.stats;
    expect(stats.completed).toBeGreaterThan(1); // training and parsing both embedded through the pool
    const report = await t.http().post('/api/v1/nlu/evaluate').send({ mode: 'holdout', testFraction: 0.34 }).expect(200);
    expect(report.body.examples).toBeGreaterThanOrEqual(2);
    expect(report.body.accuracy).toBeGreaterThanOrEqual(0);
    expect((await t.http().get('/api/v1/models/encoder').expect(200)).body.stats.completed).toBeGreaterThan(stats.completed);
  });
});
