/**
 * Scheduled retraining (REC_RETRAIN_INTERVAL_MS): a project whose events arrived after its
 * latest version gets a new version without POST train; one without new events does not.
 */
import type { Test } from 'supertest';
import { testDatabases } from './support/databases';
import { startTestApp, TestApp } from './support/test-app';

const PLATFORM = 'sk-rec-sched-platform';
const REC = '/api/v1/recommendations';

describe.each(testDatabases())('recommendation scheduled retraining on %s', (db) => {
  let t: TestApp;
  const auth = (r: Test) => r.set('Authorization', `Bearer ${PLATFORM}`);
  const versions = async () => (await auth(t.http().get(`${REC}/models`)).expect(200)).body as { version: number; status: string }[];
  const readyVersions = async () => (await versions()).filter((v) => v.status === 'ready').length;
  const until = async (check: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 150; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const events = (prefix: string) =>
    Array.from({ length: 40 }, (_, n) => ({ id: `${prefix}-${n}`, userId: `u${n % 10}`, itemId: `i${(n % 10 < 5 ? 0 : 3) + (n % 3)}`, type: 'purchase' }));

  beforeAll(async () => {
    t = await startTestApp({ db, env: { API_KEYS: `${PLATFORM}:platform:ops`, REC_RETRAIN_INTERVAL_MS: '300', REC_CACHE_TTL_MS: '0' } });
    await auth(t.http().post(`${REC}/items/bulk`))
      .send({ items: Array.from({ length: 6 }, (_, i) => ({ id: `i${i}`, title: `Item ${i}`, category: i < 3 ? 'books' : 'clothing' })) })
      .expect(201);
  }, 60_000);
  afterAll(() => t?.close());

  it('trains a version for new events on its own, again after more events, and not without them', async () => {
    expect(await versions()).toEqual([]);
    await auth(t.http().post(`${REC}/events/bulk`)).send({ events: events('a') }).expect(201);
    await until(async () => (await readyVersions()) === 1, 'a first scheduled version');
    const r = (await auth(t.http().get(`${REC}/users/u0?k=2`)).expect(200)).body as { strategy: string; modelVersion: number };
    expect(r).toMatchObject({ strategy: 'personalized', modelVersion: 1 });

    // nothing new: several rounds pass without a version
    await new Promise((res) => setTimeout(res, 1200));
    expect(await versions()).toHaveLength(1);

    await auth(t.http().post(`${REC}/events/bulk`)).send({ events: events('b') }).expect(201);
    await until(async () => (await readyVersions()) === 2, 'a second scheduled version');
    await new Promise((res) => setTimeout(res, 1200));
    expect(await versions()).toHaveLength(2);
  }, 60_000);
});
