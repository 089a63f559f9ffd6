/**
 * npm run bench:memory [-- --parses 200]
 *
 * Idle memory of the real server process (dist/src/main.js), the way a user starts it: a
 * fresh DATA_DIR, first start (imports the bundled NLU data and trains the first model),
 * then a restart on the same folder (the trained model is loaded, nothing is trained).
 * For each start: peak RSS (VmHWM), idle RSS after start-up, and idle RSS after a burst of
 * parses (so lazily built state is counted), with the largest memory areas of
 * /proc/<pid>/smaps; the parse burst's latency p50/p99 is printed beside it, so a memory
 * change that slows requests shows in the same table. Linux only (reads /proc).
 * Prints the load average; writes JSON to bench/results/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile, printTable } from './lib/load';

/** the repository root, from dist/bench (npm run) or bench/ (ts-node) */
const ROOT = resolve(__dirname, ...(resolve(__dirname, '..').endsWith('dist') ? ['..', '..'] : ['..']));
const TEXTS = ['今天的天气怎么样？', 'What is the weather in Paris tomorrow?', '我要订购一本小说', 'recommend me some t-shirts', '明天上海会下雨吗', 'track my order please'];

function status(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** The largest resident areas: [heap], anonymous mappings (WASM memory, thread arenas), libraries. */
function largestAreas(pid: number, n = 6): string[] {
  const areas: { kb: number; name: string }[] = [];
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) name = head[1] || '[anon]';
    else if (line.startsWith('Rss:')) areas.push({ kb: Number(line.split(/\s+/)[1]), name });
  }
  return areas
    .sort((a, b) => b.kb - a.kb)
    .slice(0, n)
    .map((a) => `${(a.kb / 1024).toFixed(0)} MB ${a.name.split('/').pop()}`);
}

async function startServer(dataDir: string, port: number): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', MODELS_DIR: join(dataDir, 'models') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
    if (ok) return { pid: child.pid!, stop: async () => void (child.kill('SIGTERM'), await exited) };
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill('SIGKILL');
  throw new Error('server did not become ready in 300 s');
}

async function measure(label: string, dataDir: string, port: number, parses: number): Promise<Record<string, unknown>> {
  const server = await startServer(dataDir, port);
  try {
    await new Promise((r) => setTimeout(r, 3000)); // let start-up work settle
    const idle = status(server.pid);
    const latencies: number[] = [];
    for (let i = 0; i < parses; i++) {
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/nlu/parse`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: TEXTS[i % TEXTS.length] }) });
      if (!res.ok) throw new Error(`parse answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      latencies.push(performance.now() - t);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const after = status(server.pid);
    return {
      start: label,
      'peak RSS MB': Math.round(after.hwm),
      'idle RSS MB': Math.round(idle.rss),
      'after parses MB': Math.round(after.rss),
      'parse p50 ms': percentile(latencies, 50),
      'parse p99 ms': percentile(latencies, 99),
      'largest areas': largestAreas(server.pid, 4).join(', '),
    };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { parses: { type: 'string', default: '200' }, port: { type: 'string', default: '3917' } } });
  const parses = Number(values.parses);
  const port = Number(values.port);
  const dataDir = mkdtempSync(join(os.tmpdir(), 'llmos-bench-memory-'));
  mkdirSync(join(dataDir, 'models'), { recursive: true });
  try {
    const rows = [await measure('first (trains)', dataDir, port, parses), await measure('restart', dataDir, port, parses)];
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    printTable(`bench:memory — server RSS on a fresh DATA_DIR (goal: idle < 400 MB); load average ${load}`, rows);
    const out = join(ROOT, 'bench', 'results', `memory-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(out, JSON.stringify({ rows, loadavg: os.loadavg(), node: process.version }, null, 2));
    process.stdout.write(`\nwrote ${out}\n`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:memory failed: ${err.message}\n`);
  process.exit(1);
});
