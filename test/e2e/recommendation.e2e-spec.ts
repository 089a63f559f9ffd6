/**
 * Recommendation through the public API: catalog, events (idempotent, validated, bulk),
 * training as a job with a holdout evaluation, recommendations that follow the ingested
 * taste and the user's newest event without retraining, filters, exclusions, explanations,
 * cold start, similar items and isolation between projects.
 */
import type { Test } from 'supertest';
import { testDatabases } from './support/databases';
import { FANTASY, ITEMS, SHIRTS, tasteEvents } from './support/recommendation-fixtures';
import { startTestApp, TestApp } from './support/test-app';

const PLATFORM = 'sk-rec-platform-1';
const USER = 'sk-rec-user-1';
const REC = '/api/v1/recommendations';

describe.each(testDatabases())('recommendation on %s', (db) => {
  let t: TestApp;
  const auth = (r: Test, key = PLATFORM, project?: string) => {
    r.set('Authorization', `Bearer ${key}`);
    if (project) r.set('X-LLMOS-Project', project);
    return r;
  };
  const post = (path: string, body: object, key?: string, project?: string) => auth(t.http().post(`${REC}${path}`), key, project).send(body);
  const get = (path: string, key?: string, project?: string) => auth(t.http().get(`${REC}${path}`), key, project);
  const recommend = async (user: string, query = '', project?: string) => {
    const res = await get(`/users/${user}?${query}`, PLATFORM, project).expect(200);
    return res.body as { strategy: string; modelVersion: number | null; items: { itemId: string; category: string; price: number; sources?: { source: string; score: number }[]; because?: { itemId: string; event: string }[] }[] };
  };
  const ids = (r: { items: { itemId: string }[] }) => r.items.map((i) => i.itemId);
  const train = async (project?: string, body: object = {}) => {
    const res = await post('/train', body, PLATFORM, project).expect(202);
    for (let i = 0; i < 200; i++) {
      const v = await get(`/models/${res.body.model.version}`, PLATFORM, project).expect(200);
      if (v.body.status === 'ready') return v.body;
      if (v.body.status === 'failed') throw new Error(`training failed: ${v.body.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('training did not finish');
  };

  beforeAll(async () => {
    t = await startTestApp({ db, env: { API_KEYS: `${PLATFORM}:platform:ops,${USER}:user:alice`, REC_CACHE_TTL_MS: '0', REC_EVENT_BATCH_SIZE: '4000', REC_BLEND_WEIGHTS: 'ease:1,itemknn:0.5,als:0.5,popularity:0.05', REC_ALS_FACTORS: '8' } });
    await post('/items/bulk', { items: ITEMS }).expect(201);
  }, 60_000);
  afterAll(() => t?.close());

  it('a new user gets popular items (cold start), in the category asked for', async () => {
    await post('/events/bulk', { events: [{ id: 'c1', userId: 'pop', itemId: 'tshirt-a', type: 'purchase' }, { id: 'c2', userId: 'pop', itemId: 'book-santi', type: 'view' }] }).expect(201);
    const r = await recommend('nobody');
    expect(r.strategy).toBe('popular');
    expect(ids(r)[0]).toBe('tshirt-a');
    const books = await recommend('nobody', 'category=books');
    expect(ids(books)).toEqual(['book-santi']);
  });

  it('ingests, trains as a job with a holdout evaluation, and recommends the ingested taste', async () => {
    const res = await post('/events/bulk', { events: tasteEvents() }).expect(201);
    expect(res.body).toMatchObject({ received: 181, inserted: 181, duplicates: 0 });
    const version = await train();
    expect(version.active).toBe(true);
    expect(version.stats).toMatchObject({ items: ITEMS.length, users: 61 });

    const reader = await recommend('reader', '');
    expect(reader.strategy).toBe('popular');
    await post('/events', { id: 'r1', userId: 'reader', itemId: 'book-doupo', type: 'purchase' }).expect(201);
    const r = await recommend('reader', 'k=2&explain=true');
    expect(r.strategy).toBe('personalized');
    expect(ids(r).every((id) => FANTASY.includes(id))).toBe(true);
    expect(r.items[0].sources!.map((s) => s.source)).toContain('ease');
    // ALS (blended in this app) re-solves the reader from the one purchase made after training
    expect(r.items.some((i) => i.sources!.some((s) => s.source === 'als' && s.score > 0))).toBe(true);
    expect(r.items[0].because).toEqual([expect.objectContaining({ itemId: 'book-doupo', event: 'purchase' })]);

    const evaluation = await get('/evaluate').expect(200);
    expect(Object.keys(evaluation.body.metrics.models).sort()).toEqual(['als', 'blend', 'ease', 'itemknn', 'popularity']);
    for (const m of Object.values(evaluation.body.metrics.models) as Record<string, number>[]) expect(Object.keys(m).sort()).toEqual(['coverage', 'map', 'ndcg', 'precision', 'recall', 'users']);
    expect(evaluation.body.metrics.models.ease.ndcg).toBeGreaterThan(evaluation.body.metrics.models.popularity.ndcg);
  });

  it('a new event changes the next recommendation without retraining', async () => {
    await post('/events', { id: 's1', userId: 'switcher', itemId: 'book-wudong', type: 'click' }).expect(201);
    const before = await recommend('switcher', 'k=3');
    expect(ids(before).filter((id) => FANTASY.includes(id)).length).toBeGreaterThan(0);
    await post('/events/bulk', { events: ['tshirt-a', 'tshirt-b'].map((itemId, n) => ({ id: `s2-${n}`, userId: 'switcher', itemId, type: 'purchase' })) }).expect(201);
    const after = await recommend('switcher', 'k=1');
    expect(after.modelVersion).toBe(before.modelVersion);
    expect(SHIRTS).toContain(ids(after)[0]);
  });

  it('never returns seen, disliked, unavailable or filtered-out items; caps a category for diversity', async () => {
    await post('/events/bulk', { events: [{ id: 'x1', userId: 'picky', itemId: 'book-doupo', type: 'view' }, { id: 'x2', userId: 'picky', itemId: 'book-wudong', type: 'dislike' }] }).expect(201);
    const r = await recommend('picky', 'k=20');
    expect(ids(r)).not.toContain('book-doupo');
    expect(ids(r)).not.toContain('book-wudong');
    expect(ids(r)).not.toContain('sold-out');
    // a disliked item counts against its neighbours too: picky's view of book-doupo is outweighed
    expect(ids(await recommend('picky', 'k=20&excludeSeen=false'))).not.toContain('book-wudong');
    await post('/events', { id: 'x3', userId: 'fan', itemId: 'book-doupo', type: 'purchase' }).expect(201);
    expect(ids(await recommend('fan', 'k=20&excludeSeen=false'))).toContain('book-doupo');
    expect(ids(await recommend('fan', 'k=20'))).not.toContain('book-doupo');
    const filtered = await recommend('picky', 'k=20&category=t-shirts,electronics&maxPrice=100');
    expect(filtered.items.length).toBeGreaterThan(0);
    for (const i of filtered.items) expect(['tshirt-a', 'tshirt-b', 'tshirt-c']).toContain(i.itemId);
    const diverse = await recommend('u1', 'k=5&maxPerCategory=1');
    const cats = diverse.items.map((i) => i.category);
    expect(new Set(cats).size).toBe(cats.length);
  });

  it('ignores duplicate event ids and says how many', async () => {
    const events = [{ id: 'dup-1', userId: 'd', itemId: 'earbuds', type: 'view' }, { id: 'dup-1', userId: 'd', itemId: 'earbuds', type: 'view' }, { id: 'dup-2', userId: 'd', itemId: 'earbuds', type: 'click' }];
    expect((await post('/events/bulk', { events }).expect(201)).body).toMatchObject({ received: 3, inserted: 2, duplicates: 1 });
    expect((await post('/events/bulk', { events }).expect(201)).body).toMatchObject({ received: 3, inserted: 0, duplicates: 3 });
  });

  it('rejects bad events with 400 naming the entries at fault, and writes nothing of the request', async () => {
    const events = [
      { id: 'bad-0', userId: 'b', itemId: 'tshirt-a', type: 'view' },
      { id: 'bad-1', userId: 'b', itemId: 'no-such-item', type: 'view' },
      { id: 'bad-2', userId: 'b', itemId: 'tshirt-a', type: 'rating' },
    ];
    const res = await post('/events/bulk', { events }).expect(400);
    expect(res.body.message).toContain('no-such-item');
    expect(res.body.details.entries.map((e: { field: string }) => e.field)).toEqual(['events.1.itemId', 'events.2.value']);
    const invalid = await post('/events/bulk', { events: [events[0], { ...events[0], id: 'bad-3', type: 'like' }] }).expect(400);
    expect(invalid.body.details.map((d: { field: string }) => d.field)).toEqual(['events.1.type']);
    expect((await recommend('b')).strategy).toBe('popular'); // bad-0 was not written
    expect((await post('/events', { id: 'bad-0', userId: 'b', itemId: 'tshirt-a', type: 'view' }).expect(201)).body.inserted).toBe(1);
  });

  it("keeps another project's catalog and events invisible (404)", async () => {
    await t.http().post('/api/v1/projects').set('Authorization', `Bearer ${PLATFORM}`).send({ id: 'shop2' }).expect(201);
    await get('/items/book-doupo', PLATFORM, 'shop2').expect(404);
    await get('/items/book-doupo/similar', PLATFORM, 'shop2').expect(404);
    const res = await post('/events', { userId: 'u0', itemId: 'book-doupo', type: 'view' }, PLATFORM, 'shop2').expect(400);
    expect(res.body.message).toContain('book-doupo');
    expect((await recommend('u0', '', 'shop2')).items).toEqual([]);
    await get('/evaluate', PLATFORM, 'shop2').expect(404);
    await get('/items/book-doupo').expect(200);
  });

  it('similar items: model neighbours, and content similarity for a new item', async () => {
    const r = await get('/items/tshirt-a/similar?k=3').expect(200);
    expect(['itemknn', 'ease']).toContain(r.body.source);
    expect(r.body.items.map((i: { itemId: string }) => i.itemId).every((id: string) => SHIRTS.includes(id))).toBe(true);
    await auth(t.http().put(`${REC}/items/tshirt-d`)).send({ title: 'T恤衫D (T-shirt D)', category: 'clothing', subCategories: ['t-shirts'], price: 89 }).expect(200);
    const fresh = await get('/items/tshirt-d/similar?k=3').expect(200);
    expect(fresh.body.source).toBe('content');
    expect(fresh.body.items[0].itemId).toMatch(/^tshirt-/);
  });

  it('admin routes need an admin key; users may send events and read recommendations', async () => {
    await post('/train', {}, USER).expect(403);
    await get('/evaluate', USER).expect(403);
    await post('/items/bulk', { items: [ITEMS[0]] }, USER).expect(403);
    await post('/events', { userId: 'alice', itemId: 'tshirt-b', type: 'view' }, USER).expect(201);
    await get('/users/alice', USER).expect(200);
  });

  it('ingests 12k events in one request, in batches, and loses none', async () => {
    const events = Array.from({ length: 12_000 }, (_, n) => ({ id: `bulk-${n}`, userId: `bulk-user-${n % 500}`, itemId: ITEMS[n % 10].id, type: 'view', timestamp: new Date(Date.now() - n * 1000).toISOString() }));
    const res = await post('/events/bulk', { events }).expect(201);
    expect(res.body).toEqual({ received: 12_000, inserted: 12_000, duplicates: 0, batches: 3 });
    const version = await train(undefined, { evaluate: false });
    expect(version.stats.users).toBeGreaterThanOrEqual(500);
  }, 120_000);
});
