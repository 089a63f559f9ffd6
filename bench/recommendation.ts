/**
 * npm run bench:recommendation [-- --users 5000 --items 2000 --events 200000 --clusters 20 --seconds 10
 *                                 --bulk 20000 --ml-users 943 --ml-items 1682 --ml-ratings 100000 --quick
 *                                 --serving-items 20000 --serving-events 100000 --serving-only]
 *
 * Recommendation through the HTTP API of a real server process (temporary DATA_DIR, PGlite):
 *  1. planted taste clusters (5k users, 2k items, 200k events): bulk ingestion events/s, one
 *     training job with its holdout evaluation (time per model from the version's stats),
 *     GET users/:id latency p50/p99 at concurrency 16 (goal p99 < 50 ms), NDCG@10 of each model
 *     and the blend vs popularity (goal: the best >= 1.5x popularity);
 *  2. MovieLens-100k-shaped ratings (943 users, 1682 items, ~80k ingested ratings, the rest of
 *     each user's ratings held out) through the same path: bulk ratings -> train -> per-user
 *     top-10 with seen items excluded, NDCG@10 computed here against the held-out 4-5 ratings;
 *  3. REC_SERVING=typescript vs onnx side by side (latency and throughput of GET users/:id at
 *     concurrency 16) on the version of 1, and on a larger catalog (--serving-items 20000,
 *     --serving-events 100000); each pair measured by two servers in a row on one DATA_DIR.
 * --quick: 1000 users, 500 items, 30k events, 200 ML users, 5000 serving items.
 * --serving-only: only 3 (the clusters are ingested and trained without evaluation first).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile, runClosedLoop } from './lib/load';
import { Dataset, generateClusters, generateRatings } from './lib/recommendation-data';
import { goal, loadAverage, machine, writeResults } from './lib/report';
import { mean, ndcgAtK } from './lib/retrieval-metrics';
import { call, closeConnections, delay, freePort, startServer, waitFor } from './lib/server';

const REC = '/api/v1/recommendations';
const P99_GOAL_MS = 50;
const NDCG_RATIO_GOAL = 1.5;
const CONCURRENCY = 16;

type Version = { version: number; status: string; error: string | null; stats: { trainMs: number; timingsMs: Record<string, number>; items: number; users: number; interactions: number }; metrics: { models: Record<string, { ndcg: number; precision: number; recall: number; coverage: number }> } | null };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of several shapes, read field by field
async function ok(port: number, method: string, path: string, body?: unknown, expect = [200, 201, 202]): Promise<any> {
  // a keep-alive socket the server closed as idle just as a request went out: sent again once
  // (GETs, and bulk requests whose event ids make them idempotent)
  const r = await call(port, method, path, body).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNRESET' && (method === 'GET' || path.endsWith('/bulk'))) return call(port, method, path, body);
    throw err;
  });
  if (!expect.includes(r.status)) throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 400)}`);
  return r.body;
}

/** A server process on a fresh DATA_DIR (removed after), or on `keep`'s (kept: a second server reads what the first wrote). */
async function withServer<T>(fn: (port: number, dataDir: string) => Promise<T>, env: Record<string, string> = {}, keep?: string): Promise<T> {
  const dataDir = keep ?? mkdtempSync(join(tmpdir(), 'llmos-bench-rec-'));
  mkdirSync(join(dataDir, 'models'), { recursive: true });
  const port = await freePort();
  const child = startServer(port, dataDir, { NLU_BOOTSTRAP: 'false', REC_DEMO: 'false', ...env });
  let stopping = false;
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`the server exited early: code ${code}, signal ${signal}\n`);
      r(code);
    }),
  );
  try {
    await Promise.race([
      waitFor(async () => (await call(port, 'GET', '/health/ready')).status === 200, 'the server to be ready', 300),
      exited.then((code) => Promise.reject(new Error(`the server exited with ${code} before it was ready`))),
    ]);
    return await fn(port, dataDir);
  } finally {
    stopping = true;
    child.kill('SIGTERM');
    await exited;
    closeConnections();
    if (!keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Latency {
  requests: number;
  failed: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  loadAverage: string;
}

/** GET users/:id?k=10 for `seconds` at concurrency 16, users taken in a fixed spread order. */
async function latencyRun(port: number, users: string[], seconds: number): Promise<Latency> {
  const loadBeforeLatency = loadAverage();
  const latency = await runClosedLoop(CONCURRENCY, seconds, async (i) => {
    const r = await call(port, 'GET', `${REC}/users/${users[(i * 7919) % users.length]}?k=10`);
    if (r.status !== 200) throw new Error(String(r.status));
  });
  return { requests: latency.completed, failed: latency.failed, rps: latency.completed / latency.seconds, p50Ms: percentile(latency.latencies, 50), p99Ms: percentile(latency.latencies, 99), loadAverage: loadBeforeLatency };
}

const describeLatency = (l: Latency) => `${l.rps.toFixed(0)} req/s, p50 ${l.p50Ms.toFixed(1)} ms, p99 ${l.p99Ms.toFixed(1)} ms (load ${l.loadAverage})`;

/** Every user's recommendations once (concurrency 16), so that the measurement finds their histories in memory. */
async function warmUp(port: number, users: string[]): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < users.length) await ok(port, 'GET', `${REC}/users/${users[next++]}?k=10`);
  }));
}

/**
 * REC_SERVING side by side on one trained version: a server with the TypeScript scorer, then a
 * second one on the same DATA_DIR with REC_SERVING=onnx, measured once the version's graph is
 * loaded in its pool. Both keep histories for the whole run (REC_HISTORY_CACHE_MS) and serve
 * every user once before the clock starts: what is compared is the scoring, not cold reads.
 */
async function servingSideBySide(dataDir: string, users: string[], seconds: number): Promise<{ typescript: Latency; onnx: Latency; onnxOverTypescriptRps: number; graphLoadMs: number }> {
  const env = { REC_HISTORY_CACHE_MS: '3600000' };
  const typescript = await withServer(
    async (port) => {
      await warmUp(port, users);
      return latencyRun(port, users, seconds);
    },
    { ...env, REC_SERVING: 'typescript' },
    dataDir,
  );
  const onnx = await withServer(
    async (port) => {
      const t0 = performance.now();
      await ok(port, 'GET', `${REC}/users/${users[0]}?k=10`); // decodes the version and starts loading its graph
      await waitFor(async () => ((await ok(port, 'GET', '/api/v1/models')).models as { id: string; state: string }[]).some((m) => m.id.startsWith('recommender-') && m.state === 'ready'), 'the recommender graph to load', 600);
      const graphLoadMs = performance.now() - t0;
      await warmUp(port, users);
      return { ...(await latencyRun(port, users, seconds)), graphLoadMs };
    },
    { ...env, REC_SERVING: 'onnx' },
    dataDir,
  );
  const { graphLoadMs, ...onnxLatency } = onnx;
  return { typescript, onnx: onnxLatency, onnxOverTypescriptRps: onnx.rps / typescript.rps, graphLoadMs };
}

/** Loads the catalog and events (default project) in bulk requests; events/s over the event requests. */
async function load(port: number, data: Dataset, bulk: number): Promise<{ events: number; seconds: number; eventsPerSecond: number }> {
  for (let i = 0; i < data.items.length; i += 5000) await ok(port, 'POST', `${REC}/items/bulk`, { items: data.items.slice(i, i + 5000) });
  const t0 = performance.now();
  for (let i = 0; i < data.events.length; i += bulk) {
    const r = await ok(port, 'POST', `${REC}/events/bulk`, { events: data.events.slice(i, i + bulk) }, [201]);
    if (r.inserted !== Math.min(bulk, data.events.length - i)) throw new Error(`bulk request at ${i}: ${JSON.stringify(r)}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { events: data.events.length, seconds, eventsPerSecond: data.events.length / seconds };
}

async function train(port: number, body: object): Promise<Version & { wallMs: number }> {
  const t0 = performance.now();
  const started = await ok(port, 'POST', `${REC}/train`, body, [202]);
  for (;;) {
    const v: Version = await ok(port, 'GET', `${REC}/models/${started.model.version}`);
    if (v.status === 'ready') return { ...v, wallMs: performance.now() - t0 };
    if (v.status === 'failed') throw new Error(`training failed: ${v.error}`);
    await delay(250);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string' }, items: { type: 'string' }, events: { type: 'string' }, clusters: { type: 'string', default: '20' }, seconds: { type: 'string', default: '10' },
      bulk: { type: 'string', default: '20000' }, 'ml-users': { type: 'string' }, 'ml-items': { type: 'string' }, 'ml-ratings': { type: 'string' }, quick: { type: 'boolean', default: false },
      'serving-items': { type: 'string' }, 'serving-events': { type: 'string' }, 'serving-only': { type: 'boolean', default: false },
    },
  });
  const quick = values.quick!;
  const o = {
    users: Number(values.users ?? (quick ? 1000 : 5000)),
    items: Number(values.items ?? (quick ? 500 : 2000)),
    events: Number(values.events ?? (quick ? 30_000 : 200_000)),
    clusters: Number(values.clusters),
    seconds: Number(values.seconds),
    bulk: Number(values.bulk),
    mlUsers: Number(values['ml-users'] ?? (quick ? 200 : 943)),
    mlItems: Number(values['ml-items'] ?? (quick ? 400 : 1682)),
    // 100k ratings of which 80% are ingested: the 80k of a MovieLens-100k fold
    mlRatings: Number(values['ml-ratings'] ?? (quick ? 20_000 : 100_000)),
    // REC_SERVING side by side: at the catalog above and at this larger one (0: skipped)
    servingItems: Number(values['serving-items'] ?? (quick ? 5000 : 20_000)),
    servingEvents: Number(values['serving-events'] ?? (quick ? 30_000 : 100_000)),
    servingOnly: values['serving-only']!,
  };
  const loadBefore = loadAverage();
  const started = performance.now();
  process.stdout.write(`bench:recommendation — ${o.users} users, ${o.items} items, ${o.events} events in ${o.clusters} taste clusters; ML-shaped ${o.mlUsers} x ${o.mlItems}; load average ${loadBefore}\n`);

  const clustersDir = mkdtempSync(join(tmpdir(), 'llmos-bench-rec-'));
  const clusterData = generateClusters({ users: o.users, items: o.items, events: o.events, clusters: o.clusters, inCluster: 0.8, seed: 7 });
  const clusters = o.servingOnly ? null : await withServer(async (port) => {
    // 1. planted clusters
    const data = clusterData;
    const ingest = await load(port, data, o.bulk);
    process.stdout.write(`ingest: ${ingest.eventsPerSecond.toFixed(0)} events/s (${ingest.events} events in ${ingest.seconds.toFixed(1)} s, ${o.bulk} a request)\n`);
    const version = await train(port, { evaluate: true, k: 10 });
    const timings = { ...version.stats.timingsMs, total: version.stats.trainMs };
    process.stdout.write(`train: ${JSON.stringify(timings)} ms (job wall ${version.wallMs.toFixed(0)} ms)\n`);
    const ndcg = Object.fromEntries(Object.entries(version.metrics!.models).map(([m, v]) => [m, v.ndcg]));
    process.stdout.write(`NDCG@10 on the holdout: ${JSON.stringify(ndcg)}\n`);
    const lat = await latencyRun(port, data.users, o.seconds);
    process.stdout.write(`GET users/:id at concurrency ${CONCURRENCY}: ${describeLatency(lat)}\n`);
    return { ingest, training: { timingsMs: timings, wallMs: version.wallMs, stats: version.stats }, metrics: version.metrics, latency: lat };
  }, {}, clustersDir);

  // 2. REC_SERVING=typescript vs onnx on the version just trained, and on a larger catalog
  if (o.servingOnly) await withServer((port) => load(port, clusterData, o.bulk).then(() => train(port, { evaluate: false })), {}, clustersDir);
  const serving: Record<string, Awaited<ReturnType<typeof servingSideBySide>> & { items: number; events: number }> = {};
  const sideBySide = async (label: string, dir: string, items: number, events: number, users: string[]) => {
    serving[label] = { items, events, ...(await servingSideBySide(dir, users, o.seconds)) };
    const r = serving[label];
    process.stdout.write(`serving at ${items} items: typescript ${describeLatency(r.typescript)}; onnx ${describeLatency(r.onnx)}; onnx/typescript throughput ${r.onnxOverTypescriptRps.toFixed(2)}x (graph loaded in ${(r.graphLoadMs / 1000).toFixed(1)} s)\n`);
  };
  await sideBySide(`${o.items}`, clustersDir, o.items, o.events, clusterData.users);
  rmSync(clustersDir, { recursive: true, force: true });
  if (o.servingItems > 0) {
    const largeDir = mkdtempSync(join(tmpdir(), 'llmos-bench-rec-'));
    const large = generateClusters({ users: o.users, items: o.servingItems, events: o.servingEvents, clusters: o.clusters, inCluster: 0.8, seed: 8 });
    const trained = await withServer((port) => load(port, large, o.bulk).then(() => train(port, { evaluate: false })), {}, largeDir);
    process.stdout.write(`larger catalog: ${o.servingItems} items, ${o.servingEvents} events, trained in ${(trained.wallMs / 1000).toFixed(1)} s\n`);
    await sideBySide(`${o.servingItems}`, largeDir, o.servingItems, o.servingEvents, large.users);
    rmSync(largeDir, { recursive: true, force: true });
  }
  const loadAfterServing = loadAverage();
  if (o.servingOnly || !clusters) {
    process.stdout.write(`Load average before ${loadBefore}, at the end ${loadAfterServing}\n`);
    writeResults('recommendation', { bench: 'recommendation', options: o, machine: { ...machine(), loadBefore, loadAfter: loadAfterServing }, serving });
    return 0;
  }

  // 3. MovieLens-100k-shaped ratings through the same path, on a fresh server
  const movielens = await withServer(async (port) => {
    const ml = generateRatings({ users: o.mlUsers, items: o.mlItems, ratings: o.mlRatings, clusters: 19, inCluster: 0.7, trainFraction: 0.8, seed: 11 });
    const mlIngest = await load(port, ml, o.bulk);
    const mlVersion = await train(port, { evaluate: false });
    const t0 = performance.now();
    const testUsers = [...ml.test.keys()];
    const ndcgs: number[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < testUsers.length) {
        const u = testUsers[next++];
        const r = await call(port, 'GET', `${REC}/users/${u}?k=10&excludeSeen=true`);
        if (r.status !== 200) throw new Error(`top-10 of ${u}: ${r.status}`);
        ndcgs.push(ndcgAtK((r.body as { items: { itemId: string }[] }).items.map((i) => i.itemId), ml.test.get(u)!, 10));
      }
    }));
    const topMs = performance.now() - t0;
    const out = { users: o.mlUsers, items: o.mlItems, ingestedRatings: ml.events.length, testUsers: testUsers.length, ingest: mlIngest, trainMs: mlVersion.stats.trainMs, trainWallMs: mlVersion.wallMs, timingsMs: mlVersion.stats.timingsMs, topKMs: topMs, ndcgAt10: mean(ndcgs) };
    process.stdout.write(`ML-shaped: ${ml.events.length} ratings ingested in ${mlIngest.seconds.toFixed(1)} s, trained in ${(mlVersion.wallMs / 1000).toFixed(1)} s, top-10 of ${testUsers.length} users in ${(topMs / 1000).toFixed(1)} s, NDCG@10 ${out.ndcgAt10.toFixed(4)}\n`);
    return out;
  });
  const result = { ...clusters, serving, movielens };

  const models = Object.entries(result.metrics!.models).filter(([m]) => m !== 'popularity');
  const [bestName, best] = models.sort((a, b) => b[1].ndcg - a[1].ndcg)[0];
  const pop = result.metrics!.models.popularity.ndcg;
  process.stdout.write('\n');
  const goals = {
    p99: goal(`GET users/:id p99 < ${P99_GOAL_MS} ms at concurrency ${CONCURRENCY}`, result.latency.p99Ms < P99_GOAL_MS, `p50 ${result.latency.p50Ms.toFixed(1)} ms, p99 ${result.latency.p99Ms.toFixed(1)} ms`),
    ndcg: goal(`best NDCG@10 >= ${NDCG_RATIO_GOAL}x popularity`, best.ndcg >= NDCG_RATIO_GOAL * pop, `${bestName} ${best.ndcg.toFixed(4)} vs popularity ${pop.toFixed(4)}: ${(best.ndcg / pop).toFixed(2)}x`),
  };
  const loadAfter = loadAverage();
  const wallSeconds = (performance.now() - started) / 1000;
  process.stdout.write(`Load average before ${loadBefore}, at the end ${loadAfter}; ${wallSeconds.toFixed(0)} s in all\n`);
  writeResults('recommendation', { bench: 'recommendation', options: o, machine: { ...machine(), loadBefore, loadAfter }, wallSeconds, ...result, goals });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  },
);
