/**
 * REC_SERVING=onnx: a trained version is an ONNX graph in the shared InferencePool; GET users/:id
 * through it gives what the TypeScript scorer gives (explain=true scores in TypeScript), with
 * filters and a category cap; a new version's graph replaces the old one. And the content source:
 * an item added after the version reaches a user whose items it is like, before any retraining.
 */
import type { Test } from 'supertest';
import { testDatabases } from './support/databases';
import { ITEMS, tasteEvents } from './support/recommendation-fixtures';
import { startTestApp, TestApp } from './support/test-app';

const PLATFORM = 'sk-rec-serving-1';
const REC = '/api/v1/recommendations';

interface Answer {
  strategy: string;
  items: { itemId: string; score: number; sources?: { source: string }[]; because?: { itemId: string }[] }[];
}

describe.each(testDatabases())('recommendation serving through the pool on %s', (db) => {
  let t: TestApp;
  const auth = (r: Test) => r.set('Authorization', `Bearer ${PLATFORM}`);
  const recommend = async (user: string, query = ''): Promise<Answer> => (await auth(t.http().get(`${REC}/users/${user}?${query}`)).expect(200)).body;
  const recommenders = async () => {
    const body = (await auth(t.http().get('/api/v1/models')).expect(200)).body as { models: { id: string; state: string; stats: { completed: number } }[] };
    return body.models.filter((m) => m.id.startsWith('recommender-'));
  };
  const train = async () => {
    const res = await auth(t.http().post(`${REC}/train`)).send({}).expect(202);
    for (let i = 0; i < 200; i++) {
      const v = await auth(t.http().get(`${REC}/models/${res.body.model.version}`)).expect(200);
      if (v.body.status === 'ready') return v.body.version as number;
      if (v.body.status === 'failed') throw new Error(`training failed: ${v.body.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('training did not finish');
  };

  beforeAll(async () => {
    t = await startTestApp({
      db,
      env: { API_KEYS: `${PLATFORM}:platform:ops`, REC_SERVING: 'onnx', REC_CACHE_TTL_MS: '0', REC_BLEND_WEIGHTS: 'ease:1,itemknn:0.5,als:0.5,content:0.5,popularity:0.05', REC_ALS_FACTORS: '8' },
    });
    await auth(t.http().post(`${REC}/items/bulk`)).send({ items: ITEMS }).expect(201);
    await auth(t.http().post(`${REC}/events/bulk`)).send({ events: tasteEvents() }).expect(201);
  }, 60_000);
  afterAll(() => t?.close());

  it('scores through the version graph in the pool: the same items and scores as the TypeScript scorer, with filters and a cap', async () => {
    const version = await train();
    const [graph] = await recommenders();
    expect(graph).toMatchObject({ id: `recommender-default-v${version}`, state: 'ready' });
    const queries = ['k=5', 'k=20', 'k=3&category=books', 'k=10&maxPrice=80', 'k=5&maxPerCategory=1', 'k=10&excludeSeen=false', 'k=4&category=t-shirts,electronics'];
    let compared = 0;
    for (let u = 0; u < 12; u++) {
      for (const q of queries) {
        const [onnx, ts] = [await recommend(`u${u}`, q), await recommend(`u${u}`, `${q}&explain=true`)];
        expect(onnx.strategy).toBe('personalized');
        expect(onnx.items.map((i) => i.itemId)).toEqual(ts.items.map((i) => i.itemId));
        onnx.items.forEach((i, r) => expect(Math.abs(i.score - ts.items[r].score)).toBeLessThan(1e-5));
        compared += onnx.items.length;
      }
    }
    expect(compared).toBeGreaterThan(200);
    const [after] = await recommenders();
    expect(after.stats.completed).toBeGreaterThanOrEqual(12 * queries.length);
  }, 120_000);

  it('recommends an item added after the version to a user whose items it is like (content), and not one unlike them', async () => {
    await auth(t.http().put(`${REC}/items/tshirt-e`)).send({ title: 'T恤衫E (T-shirt E)', category: 'clothing', subCategories: ['t-shirts'], price: 65 }).expect(200);
    await auth(t.http().put(`${REC}/items/kettle`)).send({ title: '电热水壶 (Electric kettle)', category: 'home', tags: ['厨房'], price: 120 }).expect(200);
    await auth(t.http().post(`${REC}/events`)).send({ id: 'buyer-1', userId: 'buyer', itemId: 'tshirt-a', type: 'purchase' }).expect(201);
    for (const explain of ['false', 'true']) {
      const r = await recommend('buyer', `k=20&explain=${explain}`);
      const ids = r.items.map((i) => i.itemId);
      expect(ids).toContain('tshirt-e');
      expect(ids).not.toContain('kettle');
      if (explain === 'true') {
        const fresh = r.items.find((i) => i.itemId === 'tshirt-e')!;
        expect(fresh.sources!.map((s) => s.source)).toEqual(['content']);
        expect(fresh.because!.map((b) => b.itemId)).toEqual(['tshirt-a']);
      }
    }
    // a reader's recent items are books: the new T-shirt is not like them
    expect((await recommend('u0', 'k=20')).items.map((i) => i.itemId)).not.toContain('tshirt-e');
  });

  it("a new version's graph replaces the previous one in the pool", async () => {
    const before = (await recommenders()).map((m) => m.id);
    const version = await train();
    const after = (await recommenders()).map((m) => m.id);
    expect(after).toEqual([`recommender-default-v${version}`]);
    expect(before).not.toContain(after[0]);
    // the items added before this version are the model's now
    const r = await recommend('buyer', 'k=20&explain=true');
    expect(r.items.find((i) => i.itemId === 'tshirt-e')?.sources?.map((s) => s.source) ?? []).not.toContain('content');
  }, 60_000);
});
