import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The embedded database's directory lock, with the real server process in pid namespaces
 * (`unshare --pid --fork --mount-proc`), as containers run it: a restarted container's
 * node gets the same pid as the one that died, and a pid in one namespace means nothing
 * in another.
 */

const ROOT = join(__dirname, '..', '..');
const SERVER = [process.execPath, '-r', 'ts-node/register/transpile-only', 'src/main.ts'];
const TEST_TIMEOUT = 600_000;

const unshare = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { encoding: 'utf8' });
const canUnshare = unshare.status === 0;
if (!canUnshare) {
  console.warn(`SKIPPED data-lock e2e: \`unshare --pid --fork --mount-proc\` does not work here (needs root or CAP_SYS_ADMIN): ${unshare.error?.message ?? unshare.stderr.trim()}`);
}

/**
 * - `namespace`: node is pid 1 of a fresh pid namespace;
 * - `under-init`: a shell is pid 1 and node its child, pid 2 (the image's tini -> node);
 * - `host`: node in the test runner's own pid namespace.
 */
type Layout = 'namespace' | 'under-init' | 'host';

interface Server {
  base: string;
  output: () => string;
  /** resolves with the exit code (or signal name) of the outermost process */
  exited: Promise<number | string>;
  launcher: ChildProcess;
}

const started: Server[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startServer(dataDir: string, layout: Layout): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, MODELS_DIR: join(dataDir, 'models'), LOG_LEVEL: 'info', NLU_BOOTSTRAP: 'false' };
  delete env.DATABASE_URL;
  delete env.API_KEYS;
  const quoted = SERVER.map((a) => `'${a}'`).join(' ');
  const argv =
    layout === 'host'
      ? SERVER
      : ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', ...(layout === 'namespace' ? SERVER : ['sh', '-c', `${quoted}; exit $?`])];
  const launcher = spawn(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  launcher.stdout!.on('data', (d) => (output += d));
  launcher.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | string>((resolve) => launcher.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const server = { base: `http://127.0.0.1:${port}`, output: () => output, exited, launcher };
  started.push(server);
  return server;
}

/** Ready (resolves true) or exited first (resolves false); polls until one of them happens. */
async function readyOrExited(s: Server): Promise<boolean> {
  let gone = false;
  void s.exited.then(() => (gone = true));
  for (;;) {
    if (gone) return false;
    try {
      if ((await fetch(`${s.base}/health/ready`)).ok) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function expectReady(s: Server): Promise<void> {
  if (!(await readyOrExited(s))) throw new Error(`server exited with ${await s.exited}:\n${s.output()}`);
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // kernels without CONFIG_PROC_CHILDREN: scan every process's parent
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((name) => {
        try {
          return Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1]) === pid;
        } catch {
          return false;
        }
      })
      .map(Number);
  }
}

/** The node server's pid on this host and inside its own pid namespace (from /proc's NSpid). */
function serverPids(s: Server): { host: number; ns: number; parent: number } {
  const queue = [s.launcher.pid!];
  while (queue.length) {
    const pid = queue.shift()!;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.startsWith(`${process.execPath}\0`) && cmdline.includes('src/main.ts')) {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const nspid = /^NSpid:\s+(.+)$/m.exec(status)![1].trim().split(/\s+/).map(Number);
      const parent = Number(/^PPid:\s+(\d+)$/m.exec(status)![1]);
      return { host: pid, ns: nspid[nspid.length - 1], parent };
    }
    queue.push(...childrenOf(pid));
  }
  throw new Error('server process not found');
}

/** The innermost pid of a host pid, as its own pid namespace sees it. */
function nsPidOf(hostPid: number): number {
  const nspid = /^NSpid:\s+(.+)$/m.exec(readFileSync(`/proc/${hostPid}/status`, 'utf8'))![1].trim().split(/\s+/).map(Number);
  return nspid[nspid.length - 1];
}

async function addExamples(s: Server, intent: string, texts: string[]): Promise<void> {
  for (const text of texts) {
    const res = await fetch(`${s.base}/api/v1/nlu/examples`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, intent, lang: 'en' }) });
    expect(res.status).toBe(201);
  }
}

async function examplesOf(s: Server, intent: string): Promise<string[]> {
  const res = await fetch(`${s.base}/api/v1/nlu/examples?intent=${intent}&limit=500`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { text: string }[] }).items.map((e) => e.text).sort();
}

function runKeysCli(dataDir: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/keys.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, output })));
}

/** Graceful stop, sent to node itself (a shell as pid 1 forwards nothing, like a container without tini). */
async function stop(s: Server): Promise<void> {
  process.kill(serverPids(s).host, 'SIGTERM');
  expect(await s.exited).toBe(0);
}

(canUnshare ? describe : describe.skip)('embedded database lock across pid namespaces (the real process)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'llmos-lock-'));
    mkdirSync(join(dataDir, 'models'), { recursive: true });
  });
  afterEach(async () => {
    for (const s of started.splice(0)) {
      // unshare --kill-child takes its namespace down with it
      if (s.launcher.exitCode === null && s.launcher.signalCode === null) s.launcher.kill('SIGKILL');
      await s.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'starts again after kill -9 when the new process has the dead one\'s pid (tini -> node layout)',
    async () => {
      const first = await startServer(dataDir, 'under-init');
      await expectReady(first);
      const before = serverPids(first);
      expect(before.ns).toBe(2);
      await addExamples(first, 'lock_crash', ['before the crash']);

      process.kill(before.host, 'SIGKILL');
      await first.exited;

      const second = await startServer(dataDir, 'under-init');
      await expectReady(second);
      expect(serverPids(second).ns).toBe(before.ns);
      expect(await examplesOf(second, 'lock_crash')).toEqual(['before the crash']);
      await addExamples(second, 'lock_crash', ['after the crash']);
      expect(await examplesOf(second, 'lock_crash')).toEqual(['after the crash', 'before the crash']);
      await stop(second);
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses a second server in another pid namespace; the first keeps serving and its writes survive a restart',
    async () => {
      // The first server's pid does not exist in the second one's namespace: a pid file
      // would look stale there.
      const first = await startServer(dataDir, 'host');
      await expectReady(first);
      await addExamples(first, 'lock_two', ['one', 'two', 'three']);

      const second = await startServer(dataDir, 'namespace');
      expect(await readyOrExited(second)).toBe(false);
      expect(await second.exited).not.toBe(0);
      const message = second.output();
      expect(message).toContain(join(dataDir, 'pglite'));
      expect(message).toMatch(/in use by another process/);
      expect(message).toContain(`pid ${serverPids(first).host}`);
      expect(message).toMatch(/stop .*server/i);
      expect(message).toMatch(/DATABASE_URL/);

      // The keys CLI opens the embedded database too, here in the first server's own namespace.
      const keys = await runKeysCli(dataDir, ['list']);
      expect(keys.code).toBe(1);
      expect(keys.output).toContain(`The embedded database at ${join(dataDir, 'pglite')} is in use by another process`);
      expect(keys.output).toMatch(/POST \/api\/v1\/auth\/keys/);

      await addExamples(first, 'lock_two', ['four', 'five']);
      expect(await examplesOf(first, 'lock_two')).toEqual(['five', 'four', 'one', 'three', 'two']);
      await stop(first);

      const restarted = await startServer(dataDir, 'namespace');
      await expectReady(restarted);
      expect(await examplesOf(restarted, 'lock_two')).toEqual(['five', 'four', 'one', 'three', 'two']);
      await stop(restarted);
    },
    TEST_TIMEOUT,
  );

  it(
    'is not blocked by a leftover lock file whose pid belongs to a live unrelated program',
    async () => {
      // The old lock format: a bare pid. In the new namespace pid 1 will be the shell that
      // starts node, alive and not a server.
      writeFileSync(join(dataDir, 'pglite.lock'), '1');
      const s = await startServer(dataDir, 'under-init');
      await expectReady(s);
      const pids = serverPids(s);
      expect(nsPidOf(pids.parent)).toBe(1);
      expect(readFileSync(`/proc/${pids.parent}/comm`, 'utf8').trim()).toBe('sh');
      expect(pids.ns).toBe(2);
      await addExamples(s, 'lock_leftover', ['served']);
      expect(await examplesOf(s, 'lock_leftover')).toEqual(['served']);
      await stop(s);
    },
    TEST_TIMEOUT,
  );
});
