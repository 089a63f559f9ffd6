import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock, DataDirLockedError } from './data-dir-lock';

const ROOT = join(__dirname, '..', '..');

// Another process taking the same lock with the same class; it reports on stdout.
const CHILD = `
const { DataDirLock } = require(${JSON.stringify(join(__dirname, 'data-dir-lock'))});
try {
  DataDirLock.acquire(process.argv[1], 'the test database');
  process.stdout.write('locked\\n');
  setInterval(() => undefined, 1 << 30);
} catch (err) {
  process.stdout.write('refused: ' + err.message + '\\n');
  process.exit(3);
}`;

interface Child {
  proc: ChildProcess;
  /** the first line the child printed */
  line: Promise<string>;
  exited: Promise<number | string>;
}

function child(path: string): Child {
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', CHILD, path], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const line = new Promise<string>((resolve) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    proc.once('exit', () => resolve(out));
  });
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { proc, line, exited };
}

describe('DataDirLock', () => {
  let dir: string;
  let path: string;
  const children: Child[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llmos-lock-unit-'));
    path = join(dir, 'pglite.lock');
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
      await c.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses while another process holds it, naming that process; the kernel releases it when the holder is killed -9', async () => {
    const holder = child(path);
    children.push(holder);
    expect(await holder.line).toBe('locked');

    let refusal: unknown;
    try {
      DataDirLock.acquire(path, '/srv/db');
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(DataDirLockedError);
    const message = (refusal as Error).message;
    expect(message).toContain('The embedded database at /srv/db is in use by another process');
    expect(message).toContain(`pid ${holder.proc.pid}, host ${hostname()}`);
    expect(message).toMatch(/Stop the other server first/);
    expect(message).toMatch(/PostgreSQL via DATABASE_URL/);

    holder.proc.kill('SIGKILL');
    await holder.exited;
    const lock = DataDirLock.acquire(path);
    expect(lock.isHeld).toBe(true);
    lock.release();
  });

  it('refuses a second process while this one holds it, and lets it in after release', async () => {
    const lock = DataDirLock.acquire(path, '/srv/db');
    const refused = child(path);
    children.push(refused);
    expect(await refused.line).toMatch(/^refused: The embedded database at the test database is in use by another process/);
    expect(await refused.line).toContain(`pid ${process.pid}`);
    expect(await refused.exited).toBe(3);

    lock.release();
    const next = child(path);
    children.push(next);
    expect(await next.line).toBe('locked');
  });

  it('refuses to be taken twice in one process, and again after release', () => {
    const lock = DataDirLock.acquire(path, '/srv/db');
    expect(() => DataDirLock.acquire(path, '/srv/db')).toThrow(/already open in this process/);
    lock.release();
    lock.release(); // idempotent
    const again = DataDirLock.acquire(path);
    again.release();
  });

  it.each([
    ['an old-format pid file naming this very process (a restarted container has the same pid)', () => String(process.pid)],
    ['a pid that now belongs to a live unrelated program', () => String(process.ppid)],
    ['a note from a server on another host', () => JSON.stringify({ pid: 1, hostname: 'elsewhere', startedAt: '2026-01-01T00:00:00.000Z' })],
  ])('is not blocked by a leftover file: %s', (_what, contents) => {
    writeFileSync(path, contents());
    const lock = DataDirLock.acquire(path);
    expect(lock.isHeld).toBe(true);
    lock.release();
  });

  it('writes its pid and host into the file for messages and clears them on release', () => {
    const lock = DataDirLock.acquire(path);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ pid: process.pid, hostname: hostname(), startedAt: expect.any(String) });
    lock.release();
    expect(readFileSync(path, 'utf8')).toBe('');
  });
});
