/**
 * Projects through the public API with real keys: a platform key creates projects and
 * their keys; each project trains its own NLU model from its own data; keys of one project
 * never see another's resources (404, not 403); roles hold; deleting a project removes all
 * of it and nothing else.
 */
import { LEVEL, LogCapture } from './support/log-capture';
import { testDatabases } from './support/databases';
import { startTestApp, TestApp } from './support/test-app';

const PLATFORM = 'sk-platform-e2e-1';
const DEFAULT_ADMIN = 'sk-default-admin-1';

const logs = new LogCapture();

/** Two small training sets that put the same sentence in different intents. */
const SHOP = [
  ...['我要买一件T恤', '有没有红色的T恤', 'buy a t-shirt', 'show me some t-shirts', '推荐几件衬衫'].map((text) => ({ text, intent: 'browse_clothes' })),
  ...['我的快递到哪了', '查一下物流', 'where is my parcel', 'track my order', '订单什么时候发货'].map((text) => ({ text, intent: 'track_order' })),
];
const BLOG = [
  ...['我要买一件T恤', '写一篇关于T恤的文章', 'write a post about t-shirts', 'draft an article on fashion', '写篇穿搭博客'].map((text) => ({ text, intent: 'write_post' })),
  ...['删除这篇文章', '把草稿删掉', 'delete this post', 'remove my draft', '撤下这篇博客'].map((text) => ({ text, intent: 'delete_post' })),
];

describe.each(testDatabases())('projects on %s', (db) => {
  let t: TestApp;
  const as = (key: string, project?: string) => {
    const auth = (r: import('supertest').Test) => {
      r.set('Authorization', `Bearer ${key}`);
      if (project) r.set('X-LLMOS-Project', project);
      return r;
    };
    return {
      get: (path: string) => auth(t.http().get(path)),
      post: (path: string, body?: object) => auth(t.http().post(path)).send(body ?? {}),
      patch: (path: string, body: object) => auth(t.http().patch(path)).send(body),
      delete: (path: string) => auth(t.http().delete(path)),
    };
  };
  const keys: Record<string, string> = {};

  async function trainIn(key: string, examples: object[]): Promise<number> {
    await as(key).post('/api/v1/nlu/import', { format: 'json', mode: 'replace', content: examples }).expect(200);
    const job = await as(key).post('/api/v1/nlu/train', {}).expect(202);
    for (;;) {
      const res = await as(key).get(`/api/v1/nlu/train/${job.body.version}`).expect(200);
      if (res.body.status === 'ready') return job.body.version as number;
      if (res.body.status === 'failed') throw new Error(`training failed: ${res.body.error}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    t = await startTestApp({ db, env: { API_KEYS: `${PLATFORM}:platform:ops,${DEFAULT_ADMIN}:admin:team`, LOG_LEVEL: 'info' }, logDestination: logs });
  });
  afterAll(() => t.close());

  it('a platform key creates projects; a project admin cannot', async () => {
    await as(DEFAULT_ADMIN).post('/api/v1/projects', { id: 'sneaky' }).expect(403);
    const shop = await as(PLATFORM).post('/api/v1/projects', { id: 'shop', name: '商城客服', quotas: { requestsPerMinute: 1000 } }).expect(201);
    expect(shop.body).toMatchObject({ id: 'shop', name: '商城客服', quotas: { requestsPerMinute: 1000 }, settings: {} });
    await as(PLATFORM).post('/api/v1/projects', { id: 'blog' }).expect(201);
    await as(PLATFORM).post('/api/v1/projects', { id: 'blog' }).expect(409);
    const bad = await as(PLATFORM).post('/api/v1/projects', { id: 'Not A Slug' }).expect(400);
    expect(bad.body.message).toMatch(/slug/);
    const list = await as(PLATFORM).get('/api/v1/projects').expect(200);
    expect(list.body.map((p: { id: string }) => p.id)).toEqual(['blog', 'default', 'shop']);
    await as(DEFAULT_ADMIN).get('/api/v1/projects').expect(403);
  });

  it('keys belong to a project: a platform key creates them anywhere, a project admin only in its own', async () => {
    for (const [project, role] of [['shop', 'admin'], ['shop', 'user'], ['blog', 'admin'], ['blog', 'user']] as const) {
      const res = await as(PLATFORM).post('/api/v1/auth/keys', { name: `${project} ${role}`, role, ownerId: `${project}-${role}`, project }).expect(201);
      expect(res.body).toMatchObject({ project, role });
      keys[`${project}-${role}`] = res.body.key;
    }
    const me = await as(keys['shop-user']).get('/api/v1/auth/me').expect(200);
    expect(me.body).toEqual({ role: 'user', ownerId: 'shop-user', project: 'shop', keyProject: 'shop', anonymous: false });
    // a project admin: its own project's keys only, never a platform key
    await as(keys['shop-admin']).post('/api/v1/auth/keys', { name: 'x', role: 'user', ownerId: 'x', project: 'blog' }).expect(404);
    await as(keys['shop-admin']).post('/api/v1/auth/keys', { name: 'x', role: 'platform', ownerId: 'x' }).expect(403);
    const own = await as(keys['shop-admin']).post('/api/v1/auth/keys', { name: 'extra', role: 'user', ownerId: 'extra' }).expect(201);
    expect(own.body.project).toBe('shop');
    const listed = await as(keys['shop-admin']).get('/api/v1/auth/keys').expect(200);
    expect(new Set(listed.body.map((k: { project: string }) => k.project))).toEqual(new Set(['shop']));
    const blogKey = (await as(keys['blog-admin']).get('/api/v1/auth/keys').expect(200)).body[0];
    await as(keys['shop-admin']).delete(`/api/v1/auth/keys/${blogKey.id}`).expect(404);
    await as(keys['shop-user']).get('/api/v1/auth/keys').expect(403);
  });

  it('a key acts in its own project: naming another one is a 404 (existing or not); a platform key may act anywhere', async () => {
    const other = await as(keys['shop-user'], 'blog').get('/api/v1/auth/me').expect(404);
    const missing = await as(keys['shop-user'], 'nowhere').get('/api/v1/auth/me').expect(404);
    expect(other.body.message.replace('blog', 'X')).toBe(missing.body.message.replace('nowhere', 'X'));
    await as(keys['shop-user'], 'shop').get('/api/v1/auth/me').expect(200);
    const inBlog = await as(PLATFORM, 'blog').get('/api/v1/auth/me').expect(200);
    expect(inBlog.body).toMatchObject({ role: 'platform', project: 'blog', keyProject: 'default' });
    await as(PLATFORM, 'nowhere').get('/api/v1/auth/me').expect(404);
  });

  it('each project trains on its own data and parses the same sentence to its own intent', async () => {
    // a project with no model of its own says how to get one
    const untrained = await as(keys['shop-user']).post('/api/v1/nlu/parse', { text: '我要买一件T恤' }).expect(409);
    expect(untrained.body.message).toMatch(/train/i);
    // a user key cannot train
    await as(keys['shop-user']).post('/api/v1/nlu/train', {}).expect(403);
    const shopVersion = await trainIn(keys['shop-admin'], SHOP);
    const blogVersion = await trainIn(keys['blog-admin'], BLOG);
    const shop = await as(keys['shop-user']).post('/api/v1/nlu/parse', { text: '我要买一件T恤' }).expect(200);
    const blog = await as(keys['blog-user']).post('/api/v1/nlu/parse', { text: '我要买一件T恤' }).expect(200);
    expect(shop.body.intent.name).toBe('browse_clothes');
    expect(blog.body.intent.name).toBe('write_post');
    // the platform key reaches blog's model with the header
    const viaPlatform = await as(PLATFORM, 'blog').post('/api/v1/nlu/parse', { text: 'delete this post' }).expect(200);
    expect(viaPlatform.body.intent.name).toBe('delete_post');

    // another project's examples, models and jobs are 404s
    const blogExample = (await as(keys['blog-user']).get('/api/v1/nlu/examples').expect(200)).body.items[0];
    await as(keys['shop-user']).get(`/api/v1/nlu/examples/${blogExample.id}`).expect(404);
    await as(keys['shop-admin']).delete(`/api/v1/nlu/examples/${blogExample.id}`).expect(404);
    await as(keys['shop-user']).get(`/api/v1/nlu/models/${blogVersion}`).expect(404);
    await as(keys['shop-user']).get(`/api/v1/nlu/train/${blogVersion}`).expect(404);
    await as(keys['shop-admin']).post(`/api/v1/nlu/models/${blogVersion}/activate`).expect(404);
    const shopModels = (await as(keys['shop-user']).get('/api/v1/nlu/models').expect(200)).body;
    expect(shopModels.map((m: { version: number }) => m.version)).toEqual([shopVersion]);
    // the pool lists each project's own model only
    const pool = (await as(keys['shop-user']).get('/api/v1/models').expect(200)).body.models.map((m: { id: string }) => m.id);
    expect(pool).toContain(`nlu-intent-shop-v${shopVersion}`);
    expect(pool.some((id: string) => id.startsWith('nlu-intent-blog-'))).toBe(false);
    await as(keys['shop-user']).get(`/api/v1/models/nlu-intent-blog-v${blogVersion}`).expect(404);
  });

  it('deleting a project refuses while it has data, then removes all of it with force, and nothing of the others', async () => {
    const refused = await as(PLATFORM).delete('/api/v1/projects/blog').expect(409);
    expect(refused.body.message).toMatch(/still has data.*nlu_examples.*force=true/);
    await as(keys['blog-admin']).delete('/api/v1/projects/blog?force=true').expect(403);
    await as(PLATFORM).delete('/api/v1/projects/default?force=true').expect(409);
    const shopBefore = (await as(keys['shop-user']).get('/api/v1/nlu/examples').expect(200)).body.total;

    const deleted = await as(PLATFORM).delete('/api/v1/projects/blog?force=true').expect(200);
    expect(deleted.body).toMatchObject({ id: 'blog', deleted: { nlu_examples: BLOG.length, api_keys: 2 } });
    const audit = logs.lines.find((l) => l.level === LEVEL.warn && /Project blog deleted by platform key/.test(l.msg ?? ''));
    expect(audit).toMatchObject({ audit: 'project.deleted', project: 'blog', force: true });

    await as(keys['blog-user']).get('/api/v1/auth/me').expect(401);
    await as(PLATFORM, 'blog').get('/api/v1/nlu/examples').expect(404);
    await as(PLATFORM).get('/api/v1/projects/blog').expect(404);
    const pool = (await as(PLATFORM).get('/api/v1/models').expect(200)).body.models.map((m: { id: string }) => m.id);
    expect(pool.some((id: string) => id.startsWith('nlu-intent-blog-'))).toBe(false);
    // shop is untouched
    expect((await as(keys['shop-user']).get('/api/v1/nlu/examples').expect(200)).body.total).toBe(shopBefore);
    const shop = await as(keys['shop-user']).post('/api/v1/nlu/parse', { text: '我要买一件T恤' }).expect(200);
    expect(shop.body.intent.name).toBe('browse_clothes');
    // an empty project goes without force
    await as(PLATFORM).post('/api/v1/projects', { id: 'empty' }).expect(201);
    await as(PLATFORM).delete('/api/v1/projects/empty').expect(200);
  });

  it('changes a project\'s name and quotas (merged, null removes one)', async () => {
    const res = await as(PLATFORM).patch('/api/v1/projects/shop', { name: 'Shop', quotas: { generatedTokensPerDay: 5000 } }).expect(200);
    expect(res.body).toMatchObject({ name: 'Shop', quotas: { requestsPerMinute: 1000, generatedTokensPerDay: 5000 } });
    const cleared = await as(PLATFORM).patch('/api/v1/projects/shop', { quotas: { requestsPerMinute: null } }).expect(200);
    expect(cleared.body.quotas).toEqual({ generatedTokensPerDay: 5000 });
    await as(PLATFORM).patch('/api/v1/projects/shop', { quotas: { requestsPerMinute: -1 } }).expect(400);
    await as(PLATFORM).patch('/api/v1/projects/nowhere', { name: 'x' }).expect(404);
  });

  it('meters each project\'s parses: exactly the texts parsed there', async () => {
    const batch = await as(keys['shop-user']).post('/api/v1/nlu/parse/batch', { texts: ['查一下物流', 'buy a t-shirt', '推荐几件衬衫'] }).expect(200);
    expect(batch.body).toHaveLength(3);
    const usage = await as(keys['shop-admin']).get('/api/v1/usage?granularity=day').expect(200);
    // two single parses in the tests above (the 409 before training is not a parse) and this batch of three
    expect(usage.body.totals['nlu.parses']).toBe(5);
    await as(keys['shop-user']).get('/api/v1/usage').expect(403);
  });

  it('documents the project header, its 404 and the quota 429 on every keyed route, and bearer keys for Swagger\'s Authorize button', async () => {
    const doc = (await t.http().get('/docs/openapi.json').expect(200)).body;
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    let keyed = 0;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { security?: unknown[]; parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>>)) {
      for (const [method, op] of Object.entries(item)) {
        if (!op.security?.length) continue;
        keyed++;
        expect([path, method, op.parameters?.some((p) => p.name === 'X-LLMOS-Project' && p.in === 'header')]).toEqual([path, method, true]);
        expect([path, method, Object.keys(op.responses)]).toEqual([path, method, expect.arrayContaining(['404'])]);
        if (path !== '/metrics') expect([path, method, Object.keys(op.responses)]).toEqual([path, method, expect.arrayContaining(['429'])]);
      }
    }
    expect(keyed).toBeGreaterThan(30);
    expect(doc.paths['/health/live'].get.security).toBeUndefined();
  });
});
