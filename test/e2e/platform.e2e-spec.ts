import { MIGRATIONS } from '../../migrations';
import { startTestApp, TestApp } from './support/test-app';
import { testDatabases } from './support/databases';

const ADMIN = 'sk-admin-0123456789';
const USER = 'sk-user-0123456789';

describe.each(testDatabases())('platform on %s', (db) => {
  describe('without API keys', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ db, env: { BODY_LIMIT: '2kb' } });
    });
    afterAll(() => t.close());

    it('answers liveness and readiness with the database status', async () => {
      await t.http().get('/health/live').expect(200, { status: 'ok' });
      const ready = await t.http().get('/health/ready').expect(200);
      expect(ready.body.info.database).toEqual({ status: 'up', kind: db });
    });

    it('answers unknown routes with 404 in the error shape, echoing the request id', async () => {
      const res = await t.http().get('/api/v1/nothing-here').set('X-Request-Id', 'req-abc.123').expect(404);
      expect(res.headers['x-request-id']).toBe('req-abc.123');
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /api/v1/nothing-here', requestId: 'req-abc.123' });
    });

    it('lists each bad field in a 400', async () => {
      const res = await t.http().post('/api/v1/auth/keys').send({ name: '', role: 'root', ownerId: 'bob', extra: 1 }).expect(400);
      expect(res.body.statusCode).toBe(400);
      expect(res.body.requestId).toEqual(expect.any(String));
      const fields = res.body.details.map((d: { field: string }) => d.field).sort();
      expect(fields).toEqual(['extra', 'name', 'role']);
      expect(res.body.message).toMatch(/role: role must be one of the following values: platform, admin, user/);
    });

    it('refuses malformed JSON with 400 and oversize bodies with 413', async () => {
      const bad = await t.http().post('/api/v1/auth/keys').set('Content-Type', 'application/json').send('{"name":').expect(400);
      expect(bad.body.message).toMatch(/not valid JSON/);
      const big = await t.http().post('/api/v1/auth/keys').send({ name: 'x'.repeat(5000), role: 'user', ownerId: 'a' }).expect(413);
      expect(big.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(big.body.message).toMatch(/limit is 2048 bytes/);
    });

    it('lets loopback callers use admin routes when no key is configured', async () => {
      const me = await t.http().get('/api/v1/auth/me').expect(200);
      expect(me.body).toEqual({ role: 'platform', ownerId: 'local', project: 'default', keyProject: 'default', anonymous: true });
    });

    it('serves the OpenAPI document and Swagger UI', async () => {
      const doc = await t.http().get('/docs/openapi.json').expect(200);
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready', '/metrics', '/api/v1/auth/keys', '/api/v1/auth/keys/{id}']));
      expect(doc.body.paths['/api/v1/auth/keys'].post.operationId).toBe('createApiKey');
      expect(doc.body.components.schemas.CreateApiKeyDto.properties.role.example).toBe('user');
      const ui = await t.http().get('/docs').redirects(1).expect(200);
      expect(ui.text).toContain('swagger-ui');
    });

    it('counts requests on /metrics by route pattern and status', async () => {
      await t.http().get('/health/live').expect(200);
      await t.http().get('/api/v1/nothing-here').expect(404);
      const res = await t.http().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/text\/plain/);
      expect(res.text).toMatch(/llmos_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status="200"\} [1-9]/);
      expect(res.text).toMatch(/llmos_http_request_duration_seconds_count\{method="GET",route="\(unmatched\)",status="404"\} [1-9]/);
    });
  });

  describe('with API keys', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ db, env: { API_KEYS: `${ADMIN}:admin:ops,${USER}:user:alice`, RATE_LIMIT_MAX: '25', RATE_LIMIT_TTL_MS: '60000' } });
    });
    afterAll(() => t.close());

    it('requires a key except on health and docs', async () => {
      await t.http().get('/health/live').expect(200);
      await t.http().get('/docs/openapi.json').expect(200);
      const missing = await t.http().get('/api/v1/auth/me').expect(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      expect(missing.body.message).toMatch(/Missing API key/);
      await t.http().get('/api/v1/auth/me').set('Authorization', 'Bearer sk-wrong-0000000').expect(401);
      await t.http().get('/metrics').expect(401);
    });

    it('knows the owner of each key and forbids admin routes to user keys', async () => {
      const me = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${USER}`).expect(200);
      expect(me.body).toEqual({ role: 'user', ownerId: 'alice', project: 'default', keyProject: 'default', anonymous: false });
      const res = await t.http().get('/api/v1/auth/keys').set('Authorization', `Bearer ${USER}`).expect(403);
      expect(res.body.message).toMatch(/admin API key/);
      await t.http().get('/api/v1/auth/keys').set('Authorization', `Bearer ${ADMIN}`).expect(200);
    });

    it('creates, uses and revokes stored keys (stored hashed)', async () => {
      const created = await t.http().post('/api/v1/auth/keys').set('Authorization', `Bearer ${ADMIN}`).send({ name: 'app', role: 'user', ownerId: 'bob' }).expect(201);
      const key: string = created.body.key;
      expect(key).toMatch(/^llmos_/);
      const me = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${key}`).expect(200);
      expect(me.body.ownerId).toBe('bob');
      const list = await t.http().get('/api/v1/auth/keys').set('Authorization', `Bearer ${ADMIN}`).expect(200);
      expect(JSON.stringify(list.body)).not.toContain(key);
      await t.http().delete(`/api/v1/auth/keys/${created.body.id}`).set('Authorization', `Bearer ${ADMIN}`).expect(204);
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${key}`).expect(401);
      await t.http().delete(`/api/v1/auth/keys/${created.body.id}`).set('Authorization', `Bearer ${ADMIN}`).expect(404);
    });

    it('rate limits per key with 429 and Retry-After, without touching other keys', async () => {
      let limited: { status: number; headers: Record<string, string>; body: { message: string } } | undefined;
      for (let i = 0; i < 40 && !limited; i++) {
        const res = await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${USER}`);
        if (res.status === 429) limited = res;
      }
      expect(limited).toBeDefined();
      expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited!.body.message).toMatch(/Too many requests/);
      await t.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${ADMIN}`).expect(200);
    });
  });

  it('runs migrations idempotently and keeps data across restarts', async () => {
    const first = await startTestApp({ db });
    const created = await first.http().post('/api/v1/auth/keys').send({ name: 'persist', role: 'user', ownerId: 'carol' }).expect(201);
    await first.close(false);
    const second = await startTestApp({ db, reuse: first, env: { API_KEYS: `${ADMIN}:admin` } });
    try {
      const me = await second.http().get('/api/v1/auth/me').set('Authorization', `Bearer ${created.body.key}`).expect(200);
      expect(me.body.ownerId).toBe('carol');
      const migrations = await second.app.get(require('typeorm').DataSource).query('SELECT name FROM migrations');
      // every migration ran exactly once, across both starts
      expect(migrations.map((m: { name: string }) => m.name)).toEqual(MIGRATIONS.map((m) => new m().name));
    } finally {
      await second.close();
    }
  });
});
