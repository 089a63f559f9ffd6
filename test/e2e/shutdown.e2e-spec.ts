import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSlowModel } from './support/models';

const ROOT = join(__dirname, '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitUp(base: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health/ready`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('server did not become ready');
}

describe('graceful shutdown (the real process)', () => {
  it('on SIGTERM stops accepting, finishes in-flight requests, then exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-term-'));
    const modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    writeSlowModel(modelsDir, 'slow', { batching: { enabled: false } });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, MODELS_DIR: modelsDir, LOG_LEVEL: 'info', NLU_BOOTSTRAP: 'false', SHUTDOWN_TIMEOUT_MS: '20000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitUp(base, child);
      const state = async () => ((await (await fetch(`${base}/api/v1/models/slow`)).json()) as { state: string }).state;
      for (let i = 0; i < 120 && (await state()) !== 'ready'; i++) await new Promise((r) => setTimeout(r, 250));
      const body = JSON.stringify({ inputs: { x: { type: 'float32', dims: [1, 4], data: [1, 2, 3, 4] } } });
      const infer = () => fetch(`${base}/api/v1/models/slow/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      // three requests: one running, two queued behind it, all accepted before SIGTERM
      type Stats = { queueDepth: number; inFlight: number; completed: number };
      const stats = async () => ((await (await fetch(`${base}/api/v1/models/slow`)).json()) as { stats: Stats }).stats;
      const seen = (s: Stats) => s.queueDepth + s.inFlight + s.completed;
      const before = seen(await stats());
      const inFlight = [infer(), infer(), infer()];
      // SIGTERM only once the server has taken all three (they reached the model's queue)
      for (let i = 0; i < 400 && seen(await stats()) - before < 3; i++) await new Promise((r) => setTimeout(r, 25));
      expect(seen(await stats()) - before).toBeGreaterThanOrEqual(3);
      child.kill('SIGTERM');
      const answers = await Promise.all(inFlight);
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(await exited).toBe(0);
      await expect(fetch(`${base}/health/live`)).rejects.toThrow();
      expect(output).toMatch(/SIGTERM: draining/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
