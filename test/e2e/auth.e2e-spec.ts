import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LEVEL, LogCapture, LogLine } from './support/log-capture';
import { testDatabases } from './support/databases';
import { startTestApp, TestApp } from './support/test-app';

// nestjs-pino sends logs written outside a request to the first app's logger of the
// process, so every app of this file shares one capture.
const logs = new LogCapture();
const warning = (pattern: RegExp) => (l: LogLine) => l.level === LEVEL.warn && pattern.test(l.msg ?? '');

const PROXY_HEADERS: [string, string][] = [
  ['X-Forwarded-For', '203.0.113.7'],
  ['Forwarded', 'for=203.0.113.7;proto=https'],
  ['X-Real-IP', '203.0.113.7'],
];

describe.each(testDatabases())('auth on %s', (db) => {
  describe('keyless mode and the last admin key', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ db, env: { LOG_LEVEL: 'info' }, logDestination: logs });
    });
    afterAll(() => t.close());

    it('starts in keyless mode with a warning', async () => {
      await logs.waitFor(warning(/Starting in keyless mode/));
    });

    it('treats a loopback request carrying proxy headers as remote: no admin route, no key minted', async () => {
      for (const [name, value] of PROXY_HEADERS) {
        const res = await t.http().post('/api/v1/auth/keys').set(name, value).send({ name: 'via proxy', role: 'admin', ownerId: 'mallory' }).expect(403);
        expect(res.body.message).toMatch(/local callers .*X-Forwarded-For/);
        const me = await t.http().get('/api/v1/auth/me').set(name, value).expect(200);
        expect(me.body).toEqual({ role: 'user', ownerId: 'local', project: 'default', keyProject: 'default', anonymous: true });
      }
      // the same caller without proxy headers is local: admin, and nothing was minted above
      const list = await t.http().get('/api/v1/auth/keys').expect(200);
      expect(list.body).toEqual([]);
    });

    it('refuses to revoke the last admin key unless forced, and logs each switch between keyed and keyless mode', async () => {
      const admin = await t.http().post('/api/v1/auth/keys').send({ name: 'ops', role: 'admin', ownerId: 'ops' }).expect(201);
      await logs.waitFor(warning(/Switched from keyless to keyed mode/));
      const auth = { Authorization: `Bearer ${admin.body.key}` };
      await t.http().get('/api/v1/auth/keys').expect(401);

      const user = await t.http().post('/api/v1/auth/keys').set(auth).send({ name: 'app', role: 'user', ownerId: 'alice' }).expect(201);
      const lastAdmin = await t.http().delete(`/api/v1/auth/keys/${admin.body.id}`).set(auth).expect(409);
      expect(lastAdmin.body).toMatchObject({ statusCode: 409, error: 'Conflict', requestId: expect.any(String) });
      expect(lastAdmin.body.message).toMatch(/last active admin key.*API_KEYS.*another admin key.*force=true/);

      await t.http().delete(`/api/v1/auth/keys/${user.body.id}`).set(auth).expect(204);
      const lastKey = await t.http().delete(`/api/v1/auth/keys/${admin.body.id}`).set(auth).expect(409);
      expect(lastKey.body.message).toMatch(/last active API key.*keyless mode/);
      await t.http().delete(`/api/v1/auth/keys/${admin.body.id}?force=maybe`).set(auth).expect(400);
      await t.http().get('/api/v1/auth/me').set(auth).expect(200);

      await t.http().delete(`/api/v1/auth/keys/${admin.body.id}?force=true`).set(auth).expect(204);
      await logs.waitFor(warning(/revoked with force=true/));
      await logs.waitFor(warning(/Switched from keyed to keyless mode/));
      await t.http().get('/api/v1/auth/keys').expect(200);
    });

    it('documents force and the 409 on revokeApiKey', async () => {
      const doc = await t.http().get('/docs/openapi.json').expect(200);
      const op = doc.body.paths['/api/v1/auth/keys/{id}'].delete;
      expect(op.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'force', in: 'query', required: false, description: expect.stringMatching(/last admin key/) })]));
      expect(op.responses['409'].description).toMatch(/Conflicts/);
      expect(op.summary).toMatch(/Revokes/);
    });
  });

  it('`npm run keys -- revoke` refuses the last admin key unless --force', async () => {
    const t = await startTestApp({ db, env: { LOG_LEVEL: 'info' }, logDestination: logs });
    const admin = await t.http().post('/api/v1/auth/keys').send({ name: 'ops', role: 'admin', ownerId: 'ops' }).expect(201);
    await t.close(false);
    try {
      const refused = await keysCli(t, ['revoke', admin.body.id]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/last active API key.*API_KEYS.*--force/);
      const forced = await keysCli(t, ['revoke', admin.body.id, '--force']);
      expect(forced.code).toBe(0);
      expect(forced.stdout).toContain(`Revoked ${admin.body.id}`);
      expect(forced.stderr).toMatch(/no active key is left/);
    } finally {
      await t.cleanup();
    }
  });
});

async function keysCli(t: TestApp, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = join(__dirname, '..', '..');
  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', API_KEYS: '', DATA_DIR: t.dataDir, MODELS_DIR: join(t.dataDir, 'models'), ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}) };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-r', 'ts-node/register/transpile-only', join(root, 'scripts', 'keys.ts'), ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
