import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReadinessService } from '../../src/health/readiness.service';
import { LEVEL, LogCapture, LogLine } from './support/log-capture';
import { startTestApp, TestApp } from './support/test-app';

describe('logging', () => {
  const logs = new LogCapture();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { LOG_LEVEL: 'info', BODY_LIMIT: '2kb' }, logDestination: logs });
  });
  afterAll(() => t.close());

  const accessLinesOf = (requestId: string) => logs.matching((l) => l.requestId === requestId && typeof l.responseTime === 'number');

  it.each([
    ['malformed JSON (400)', 'POST', () => t.http().post('/api/v1/auth/keys').set('Content-Type', 'application/json').send('{"name":'), 400],
    ['a body over BODY_LIMIT (413)', 'POST', () => t.http().post('/api/v1/auth/keys').send({ name: 'x'.repeat(5000), role: 'user', ownerId: 'a' }), 413],
    ['an unknown route (404)', 'GET', () => t.http().get('/api/v1/nothing-here'), 404],
    ['a handled request (200)', 'GET', () => t.http().get('/api/v1/auth/me'), 200],
  ])('logs %s once, with its request id, status and duration', async (_name, method, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    const requestId = res.headers['x-request-id'];
    if (status >= 400) expect(res.body.requestId).toBe(requestId);
    const line = await logs.accessLine(requestId);
    expect(line).toMatchObject({ requestId, res: { statusCode: status }, req: { id: requestId, method } });
    expect(line.responseTime).toBeGreaterThanOrEqual(0);
    expect(line.level).toBe(status >= 400 ? LEVEL.warn : LEVEL.info);
    expect(accessLinesOf(requestId)).toHaveLength(1);
  });

  it('logs a request refused before a handler under the caller’s X-Request-Id', async () => {
    await t.http().post('/api/v1/auth/keys').set('X-Request-Id', 'bad-json.42').set('Content-Type', 'application/json').send('{').expect(400);
    expect(await logs.accessLine('bad-json.42')).toMatchObject({ res: { statusCode: 400 } });
  });

  it('logs not-ready as a warning without a stack', async () => {
    t.app.get(ReadinessService).register('warming-up', async () => ({ ready: false, details: { message: 'loading models' } }));
    const res = await t.http().get('/health/ready').expect(503);
    const requestId = res.headers['x-request-id'];
    const line = await logs.accessLine(requestId);
    expect(line).toMatchObject({ level: LEVEL.warn, res: { statusCode: 503 }, msg: 'request completed' });
    expect(line).not.toHaveProperty('err');
    expect(logs.matching((l) => l.requestId === requestId && l.level >= LEVEL.error)).toEqual([]);
  });
});

describe('start-up failure', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmos-startup-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Runs the real entry point (src/main.ts) and parses every line it printed as JSON. */
  async function start(env: Record<string, string>): Promise<{ code: number; stdout: LogLine[]; stderr: LogLine[] }> {
    const root = join(__dirname, '..', '..');
    const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', DATA_DIR: dataDir, MODELS_DIR: join(dataDir, 'models'), NLU_BOOTSTRAP: 'false', HOST: '127.0.0.1' };
    const run = promisify(execFile)(process.execPath, ['-r', 'ts-node/register/transpile-only', join(root, 'src', 'main.ts')], { cwd: root, env: { ...base, ...env } });
    const out = await run.then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    const parse = (text: string) => text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as LogLine);
    return { code: out.code, stdout: parse(out.stdout), stderr: parse(out.stderr) };
  }

  it('reports bad configuration as one JSON line naming the variable', async () => {
    const { code, stderr } = await start({ PORT: 'abc' });
    expect(code).toBe(1);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatchObject({ level: 60, time: expect.any(Number), msg: expect.stringMatching(/^LLM OS failed to start: invalid configuration: PORT="abc" is not an integer.*\.env\.example/) });
    expect(stderr[0].err).toEqual({ type: 'ConfigValidationError', message: expect.stringContaining('PORT') });
  });

  it('reports an unreachable database as JSON, the stack only at LOG_LEVEL debug', async () => {
    const env = { DATABASE_URL: 'postgres://llmos:llmos@127.0.0.1:1/llmos', PORT: '0', LOG_LEVEL: 'info' };
    const { code, stdout, stderr } = await start(env);
    expect(code).toBe(1);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatchObject({ level: 60, msg: expect.stringMatching(/^LLM OS failed to start: .*ECONNREFUSED/), err: { message: expect.stringMatching(/ECONNREFUSED/) } });
    expect(stderr[0].err).not.toHaveProperty('stack');
    // Nest's own report of the failure does not repeat it at error level
    expect(stdout.filter((l) => l.context === 'ExceptionHandler' && l.level >= LEVEL.error)).toEqual([]);

    const debug = await start({ ...env, LOG_LEVEL: 'debug' });
    expect(debug.stderr[0].err).toMatchObject({ stack: expect.stringMatching(/ECONNREFUSED[\s\S]*\n\s+at /) });
  });
});
