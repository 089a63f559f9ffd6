import { NluTrainingService } from '../../src/nlu/nlu-training.service';
import { testDatabases } from './support/databases';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { writeTokenClassifier } from './support/models';
import { startTestApp, TestApp } from './support/test-app';

type Entity = { entity: string; text: string; start: number; end: number; value: unknown };

async function waitTrained(t: TestApp, version: number): Promise<Record<string, unknown>> {
  for (let i = 0; i < 600; i++) {
    const res = await t.http().get(`/api/v1/nlu/train/${version}`).expect(200);
    if (res.body.status !== 'training') return res.body;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('training did not finish');
}

const entity = (entities: Entity[], type: string) => entities.find((e) => e.entity === type);

describe.each(testDatabases())('NLU on %s', (db) => {
  let t: TestApp;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-nlu-'));
    const modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    await writeTokenClassifier(modelsDir, 'ner-test', { Jkz: 'LOC', Xyq: 'PER' });
    t = await startTestApp({ db, env: { NLU_BOOTSTRAP: 'true', DATA_DIR: dataDir, MODELS_DIR: modelsDir } });
    await t.app.get(InferencePool).startup;
    await t.app.get(NluTrainingService).whenIdle();
  });
  afterAll(() => t.close());

  it('answers out of the box: the product examples parse to the right intents and entities', async () => {
    const models = await t.http().get('/api/v1/nlu/models').expect(200);
    expect(models.body[0]).toMatchObject({ status: 'ready', active: true });
    const res = await t.http().post('/api/v1/nlu/parse/batch').send({ texts: ['今天的天气怎么样？', '我要订购一本小说', '《斗破苍穹》', '我正在浏览T恤衫，请推荐一些'] }).expect(200);
    const [weather, order, title, browse] = res.body;
    expect(weather.language).toBe('zh');
    expect(weather.intent.name).toBe('weather_query');
    const today = entity(weather.entities, 'date');
    expect(today).toMatchObject({ text: '今天', start: 0, end: 2 });
    expect(today!.value).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(order.intent.name).toBe('order_product');
    expect(entity(order.entities, 'category')).toMatchObject({ text: '小说', start: 6, end: 8 });
    expect(title.intent.name).toBe('order_product');
    expect(entity(title.entities, 'book_title')).toMatchObject({ text: '斗破苍穹', start: 1, end: 5, value: '斗破苍穹' });
    expect(browse.intent.name).toBe('product_recommendation');
    expect(entity(browse.entities, 'category')).toMatchObject({ text: 'T恤衫', start: 5, end: 8 });
    for (const r of res.body) {
      expect(r.intentRanking.length).toBeLessThanOrEqual(5);
      expect(r.outOfScope).toBe(false);
      for (const e of r.entities as Entity[]) expect(r.text.slice(e.start, e.end)).toBe(e.text);
    }
    const en = await t.http().post('/api/v1/nlu/parse').send({ text: "What's the weather in Shanghai tomorrow?" }).expect(200);
    expect(en.body).toMatchObject({ language: 'en', intent: { name: 'weather_query' } });
    expect(entity(en.body.entities, 'city')).toMatchObject({ text: 'Shanghai' });
    expect(entity(en.body.entities, 'date')).toMatchObject({ text: 'tomorrow' });
  });

  it('merges entities from an installed token-classification model', async () => {
    const res = await t.http().post('/api/v1/nlu/parse').send({ text: 'Xyq went to Jkz tomorrow' }).expect(200);
    expect(entity(res.body.entities, 'location')).toMatchObject({ text: 'Jkz', start: 12, end: 15, extractor: 'ner-test' });
    expect(entity(res.body.entities, 'person')).toMatchObject({ text: 'Xyq', start: 0, end: 3, extractor: 'ner-test' });
    expect(entity(res.body.entities, 'date')).toMatchObject({ text: 'tomorrow' });
  });

  it('refuses a bad import with the line at fault and leaves the data unchanged', async () => {
    const before = await t.http().get('/api/v1/nlu/intents').expect(200);
    const yaml = ['version: "3.1"', 'nlu:', '- intent: track_parcel', '  examples: |', '    - where is my [parcel](item', '    - track my parcel please', ''].join('\n');
    const res = await t.http().post('/api/v1/nlu/import').send({ format: 'rasa-yaml', content: yaml, mode: 'replace' }).expect(400);
    expect(res.body.details.problems[0].line).toBe(5);
    const json = await t.http().post('/api/v1/nlu/import').send({ format: 'json', content: [{ text: 'ok', intent: 'greet' }, { text: 'bad', intent: 'Bad Intent' }] }).expect(400);
    expect(json.body.details.problems[0].entry).toBe(1);
    const after = await t.http().get('/api/v1/nlu/intents').expect(200);
    expect(after.body).toEqual(before.body);
  });

  it('import -> train -> parse returns the trained intent; parses during training all succeed; rollback works', async () => {
    const first = (await t.http().get('/api/v1/nlu/models').expect(200)).body[0].version;
    const examples = [
      ...['what time do you open', 'when does the store close', 'are you open on sundays', 'opening hours please', 'what are your business hours', '你们几点开门', '店铺几点关门', '周末营业吗', '营业时间是什么时候', '晚上几点下班'].map((text) => ({ text, intent: 'store_hours' })),
      ...['I need an invoice', 'can you issue a receipt for my purchase', 'send me a VAT invoice', 'how do I get an invoice', 'invoice for order please', '我要开发票', '能开增值税发票吗', '发票怎么开', '请给我开个收据', '电子发票在哪里下载'].map((text) => ({ text, intent: 'invoice_request' })),
    ];
    const imported = await t.http().post('/api/v1/nlu/import').send({ format: 'json', content: examples, mode: 'merge' }).expect(200);
    expect(imported.body.imported.examples).toBe(20);
    const job = await t.http().post('/api/v1/nlu/train').expect(202);
    expect(job.body.status).toBe('training');
    await t.http().post('/api/v1/nlu/train').expect(409);
    const during = await Promise.all(Array.from({ length: 30 }, (_, i) => t.http().post('/api/v1/nlu/parse').send({ text: i % 2 ? '我要订购一本小说' : 'hello there' })));
    expect(during.map((r) => r.status)).toEqual(Array(30).fill(200));
    const done = await waitTrained(t, job.body.jobId);
    expect(done).toMatchObject({ status: 'ready', active: true });
    expect((done.metrics as { intent: { valAccuracy: number } }).intent.valAccuracy).toBeGreaterThan(0.5);
    const hours = await t.http().post('/api/v1/nlu/parse').send({ text: '你们周日几点开门' }).expect(200);
    expect(hours.body.intent.name).toBe('store_hours');
    expect(hours.body.modelVersion).toBe(job.body.version);
    const invoice = await t.http().post('/api/v1/nlu/parse').send({ text: 'could you issue an invoice for me' }).expect(200);
    expect(invoice.body.intent.name).toBe('invoice_request');
    // rollback to the first version: the new intent is gone again
    await t.http().post(`/api/v1/nlu/models/${first}/activate`).expect(200);
    const old = await t.http().post('/api/v1/nlu/parse').send({ text: '你们周日几点开门' }).expect(200);
    expect(old.body.modelVersion).toBe(first);
    expect(old.body.intentRanking.map((i: { name: string }) => i.name)).not.toContain('store_hours');
  });

  it('exports what it imported and evaluates on a held-out split', async () => {
    const yaml = await t.http().get('/api/v1/nlu/export?format=rasa-yaml').expect(200);
    expect(yaml.body.content).toContain('- intent: store_hours');
    const json = await t.http().get('/api/v1/nlu/export?format=json').expect(200);
    expect(json.body.content.examples.length).toBeGreaterThan(1300);
    const report = await t.http().post('/api/v1/nlu/evaluate').send({ mode: 'holdout', testFraction: 0.2 }).expect(200);
    // served accuracy: the default 'balanced' threshold trades in-scope accuracy for out-of-scope recall (docs/nlu.md, Threshold)
    // (bundled data, 20% held out: ~74% of in-scope served with 70-90% out-of-scope recall depending on the split, against
    // 85% / 55% with objective 'accuracy'). The split is seeded over the stored data in its canonical order, so the figures
    // are the same on every run; the held-out out-of-scope examples are few, so one split moves recall by 0.1 or more.
    expect(report.body.accuracy).toBeGreaterThan(0.6);
    expect(report.body.outOfScopeRecall).toBeGreaterThan(0.6);
    expect(report.body.perIntent.weather_query.precision).toBeGreaterThan(0.7);
    expect(report.body.confusion.labels).toContain('greet');
    expect(report.body.entities.overall.f1).toBeGreaterThan(0.5);
    expect(report.body.outOfScopeRecall).not.toBeNull();
  });

  it('manages examples with validation and admin-only writes', async () => {
    const bad = await t.http().post('/api/v1/nlu/examples').send({ text: '我要买手机', intent: 'order_product', entities: [{ entity: 'category', start: 3, end: 9 }] }).expect(400);
    expect(bad.body.message).toMatch(/entities\[0\]/);
    const created = await t.http().post('/api/v1/nlu/examples').send({ text: '我要买两部手机', intent: 'order_product', entities: [{ entity: 'category', start: 5, end: 7 }] }).expect(201);
    expect(created.body.lang).toBe('zh');
    await t.http().post('/api/v1/nlu/examples').send({ text: '我要买两部手机', intent: 'order_product' }).expect(409);
    const page = await t.http().get('/api/v1/nlu/examples').query({ q: '两部手机' }).expect(200);
    expect(page.body.items.map((e: { id: string }) => e.id)).toEqual([created.body.id]);
    await t.http().delete(`/api/v1/nlu/examples/${created.body.id}`).expect(204);
    await t.http().put('/api/v1/nlu/regexes/ticket').send({ patterns: ['(a+)+$'] }).expect(400);
    await t.http().put('/api/v1/nlu/regexes/ticket').send({ patterns: ['\\bTK-\\d{4}\\b'] }).expect(200);
    const parsed = await t.http().post('/api/v1/nlu/parse').send({ text: 'status of TK-1234 please' }).expect(200);
    expect(entity(parsed.body.entities, 'ticket')).toMatchObject({ text: 'TK-1234', extractor: 'regex' });
  });
});
