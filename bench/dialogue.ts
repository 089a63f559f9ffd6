/**
 * npm run bench:dialogue [-- --concurrency 32 --seconds 20 --quick]
 *
 * Dialogue through the HTTP API of a real server process (temporary DATA_DIR, PGlite, no LLM):
 * `concurrency` scripted conversations at once, each a fresh session running one of the three
 * flows of the shop assistant: weather (今天的天气怎么样？ against a local Open-Meteo stand-in),
 * ordering (我要订购一本小说 -> 《斗破苍穹》 -> 好的) and recommendations (我正在浏览T恤衫，请推荐一些).
 * Reports turns/s and p50/p99 turn latency per flow and overall (goal p99 < 100 ms per turn),
 * with the load average, and the server's CPU time per turn (from /proc: on a shared machine the
 * latencies follow the load, the CPU per turn much less). --quick: 8 conversations for 5 s.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeOpenMeteo } from '../src/dialogue/weather/open-meteo.fake';
import { percentile, printTable } from './lib/load';
import { goal, loadAverage, machine, writeResults } from './lib/report';
import { call, closeConnections, freePort, startServer, waitFor } from './lib/server';

const D = '/api/v1/dialogue';
const P99_GOAL_MS = 100;
const FLOWS: Record<string, { text: string; expect: RegExp }[]> = {
  weather: [{ text: '今天的天气怎么样？', expect: /^北京今天的天气：晴，气温：\d+度$/ }],
  order: [
    { text: '我要订购一本小说', expect: /哪一本小说/ },
    { text: '《斗破苍穹》', expect: /^为您推荐《斗破苍穹》，共计100元，包年会员8折优惠/ },
    { text: '好的', expect: /^已为您下单/ },
  ],
  recommend: [{ text: '我正在浏览T恤衫，请推荐一些', expect: /^为您推荐以下商品：T恤衫[ABC]、T恤衫[ABC]、T恤衫[ABC]$/ }],
};
const ITEMS = [
  { id: 'book-doupo', title: '斗破苍穹', category: 'books', price: 100 },
  { id: 'book-wudong', title: '武动乾坤', category: 'books', price: 88 },
  { id: 'tshirt-a', title: 'T恤衫A (T-shirt A, white)', category: 'clothing', subCategories: ['t-shirts'], price: 59 },
  { id: 'tshirt-b', title: 'T恤衫B (T-shirt B, black)', category: 'clothing', subCategories: ['t-shirts'], price: 69 },
  { id: 'tshirt-c', title: 'T恤衫C (T-shirt C, navy)', category: 'clothing', subCategories: ['t-shirts'], price: 79 },
];

/**
 * The conversations' own keep-alive connections, one per conversation (bench/lib's shared agent
 * has 8 sockets: 32 conversations would queue in the client, and the server would never see
 * more than 8 turns at once).
 */
let conversationAgent = new http.Agent({ keepAlive: true });

function post(port: number, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, agent: conversationAgent, headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { concurrency: { type: 'string' }, seconds: { type: 'string' }, quick: { type: 'boolean' } } });
  const quick = !!values.quick;
  const concurrency = Number(values.concurrency ?? (quick ? 8 : 32));
  const seconds = Number(values.seconds ?? (quick ? 5 : 20));
  conversationAgent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const weather = await startFakeOpenMeteo();
  const dataDir = mkdtempSync(join(tmpdir(), 'llmos-bench-dialogue-'));
  mkdirSync(join(dataDir, 'models'), { recursive: true });
  const port = await freePort();
  const child = startServer(port, dataDir, {
    NLU_BOOTSTRAP: 'false',
    REC_DEMO: 'false',
    DIALOGUE_FAQ_SEED: 'false',
    DIALOGUE_WEATHER_GEOCODING_URL: weather.geocodingUrl,
    DIALOGUE_WEATHER_FORECAST_URL: weather.forecastUrl,
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const loadBefore = loadAverage();
  try {
    await Promise.race([
      waitFor(async () => (await call(port, 'GET', '/health/ready')).status === 200, 'the server to be ready', 300),
      exited.then((code) => Promise.reject(new Error(`the server exited with ${code} before it was ready`))),
    ]);
    const seeded = await call(port, 'POST', '/api/v1/recommendations/items/bulk', { items: ITEMS });
    if (seeded.status !== 201) throw new Error(`seeding the catalog answered ${seeded.status}`);
    // one warm-up conversation of each flow (first-call costs: catalog snapshot, item vectors)
    for (const flow of Object.keys(FLOWS)) await conversation(port, flow, []);

    const latencies: Record<string, number[]> = { weather: [], order: [], recommend: [] };
    const wrong: string[] = [];
    let conversations = 0;
    let n = 0;
    const loadAtStart = loadAverage();
    const cpuAtStart = serverCpuMs(child.pid);
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          const flow = Object.keys(FLOWS)[n++ % 3];
          const times: number[] = [];
          const problems = await conversation(port, flow, times);
          latencies[flow].push(...times);
          wrong.push(...problems);
          conversations++;
        }
      }),
    );
    const wall = (performance.now() - started) / 1000;
    const cpuMs = serverCpuMs(child.pid) - cpuAtStart;
    const all = Object.values(latencies).flat();
    const row = (name: string, l: number[]) => ({ flow: name, turns: l.length, turnsPerSecond: Number((l.length / wall).toFixed(1)), p50Ms: Number(percentile(l, 50).toFixed(1)), p99Ms: Number(percentile(l, 99).toFixed(1)) });
    const rows = [...Object.entries(latencies).map(([k, l]) => row(k, l)), row('all', all)];
    printTable(`dialogue: ${concurrency} concurrent conversations for ${seconds} s (load average at start ${loadAtStart})`, rows);
    const overall = rows[rows.length - 1];
    // the session opens (one per conversation) are in the server's CPU time too
    const serverCpuMsPerTurn = Number((cpuMs / all.length).toFixed(2));
    process.stdout.write(`server CPU ${cpuMs.toFixed(0)} ms over ${wall.toFixed(1)} s: ${serverCpuMsPerTurn} ms per turn (${conversations} conversations opened)\n`);
    const goals = {
      p99: goal(`turn p99 < ${P99_GOAL_MS} ms at ${concurrency} concurrent conversations`, overall.p99Ms < P99_GOAL_MS, `p50 ${overall.p50Ms} ms, p99 ${overall.p99Ms} ms`),
      replies: goal('every reply is the expected one', wrong.length === 0, `${wrong.length} unexpected replies${wrong.length ? `, e.g. ${wrong[0]}` : ''}`),
    };
    writeResults('dialogue', { bench: 'dialogue', options: { concurrency, seconds, quick }, machine: { ...machine(), loadBefore, loadAtStart, loadAfter: loadAverage() }, conversations, wallSeconds: wall, serverCpuMs: cpuMs, serverCpuMsPerTurn, flows: rows, goals });
  } finally {
    child.kill('SIGTERM');
    await exited;
    closeConnections();
    conversationAgent.destroy();
    await weather.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** User + system CPU time of a process so far, in ms (Linux /proc; NaN elsewhere). */
function serverCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

/** One scripted conversation in a new session; pushes each turn's latency, returns unexpected replies. */
async function conversation(port: number, flow: string, times: number[]): Promise<string[]> {
  const opened = await post(port, `${D}/sessions`, {});
  if (opened.status !== 201) return [`open answered ${opened.status}`];
  const id = opened.body.id as string;
  const problems: string[] = [];
  for (const turn of FLOWS[flow]) {
    const t = performance.now();
    const r = await post(port, `${D}/sessions/${id}/messages`, { text: turn.text });
    times.push(performance.now() - t);
    const reply = typeof r.body.reply === 'string' ? r.body.reply : '';
    if (r.status !== 200 || !turn.expect.test(reply)) problems.push(`${flow} ${JSON.stringify(turn.text)} -> ${r.status} ${JSON.stringify(reply)}`);
  }
  return problems;
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
