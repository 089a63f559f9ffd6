/**
 * npm run bench:search [-- --chunks 100000 --queries 300 --ef-search 40,100 --seconds 3 --batches 1,8,32 --bert-size small
 *                         --ingest-batch 1000 --ingest-concurrency 1 --labelled-queries 0 --data-dir <folder> --quick]
 *
 * Embeddings and search, in one run:
 *  1. embedding throughput (texts/s) at each batch size, in this process: EmbeddingsService over
 *     the InferencePool for the built-in llmos-lexical encoder and the BERT fixture
 *     (var/fixtures/<size>-bert, bert-base shaped for small) vs transformers.js's
 *     pipeline('feature-extraction') on the same folder (bench/lib/embedding-throughput.ts);
 *  2. a real server process (temporary DATA_DIR, PGlite + pgvector): --chunks generated zh/en
 *     chunks ingested with bulk upserts (chunks/s), vector search recall@10 against exact search
 *     computed here from /v1/embeddings vectors (goal >= 0.95), latency p50/p99 with one caller
 *     (goal p99 < 50 ms), filtered queries at 1% and 50% selectivity returning a full k (goal:
 *     all), keyword and hybrid latency (bench/lib/search-scale.ts);
 *  3. nDCG@10 of keyword, vector and hybrid on a labelled set from the bundled NLU examples
 *     (goal: hybrid >= the better of the two; bench/lib/search-quality.ts).
 * --data-dir: the server's DATA_DIR, kept after the run; a later run with the same folder and --chunks
 * searches the collection already there without ingesting again (ingestion dominates the time).
 * --quick: 5000 chunks, 50 queries, 1 s cells, the tiny BERT fixture. A part that cannot run
 * (the search API missing, a failed request) ends the bench with a non-zero exit code.
 */
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Logger } from '@nestjs/common';
import { loadBundledTrainingData } from '../src/nlu/data';
import { bertFixture, measureEmbeddingThroughput } from './lib/embedding-throughput';
import { goal, loadAverage, machine, writeResults } from './lib/report';
import { ApiMissing, SearchClient } from './lib/search-client';
import { measureQuality } from './lib/search-quality';
import { measureScale } from './lib/search-scale';
import { call, closeConnections, freePort, startServer, waitFor } from './lib/server';

const RECALL_GOAL = 0.95;
const P99_GOAL_MS = 50;

async function withServer<T>(keptDir: string | undefined, fn: (client: SearchClient) => Promise<T>): Promise<T> {
  const dataDir = keptDir ?? mkdtempSync(join(tmpdir(), 'llmos-bench-search-'));
  mkdirSync(join(dataDir, 'models'), { recursive: true });
  const port = await freePort();
  const child = startServer(port, dataDir, { NLU_BOOTSTRAP: 'false' });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await Promise.race([
      waitFor(async () => (await call(port, 'GET', '/health/live')).status === 200, 'the server to listen', 300),
      exited.then((code) => Promise.reject(new Error(`the server exited with ${code} before listening`))),
    ]);
    return await fn(new SearchClient(port));
  } finally {
    child.kill('SIGTERM');
    await exited;
    closeConnections();
    if (!keptDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      chunks: { type: 'string' }, queries: { type: 'string' }, seconds: { type: 'string' }, 'bert-size': { type: 'string' },
      batches: { type: 'string', default: '1,8,32' }, 'ingest-batch': { type: 'string', default: '1000' }, 'ingest-concurrency': { type: 'string', default: '1' },
      'labelled-queries': { type: 'string', default: '0' }, 'data-dir': { type: 'string' }, quick: { type: 'boolean', default: false }, 'ef-search': { type: 'string', default: '40,100' },
    },
  });
  const quick = values.quick!;
  const o = {
    chunks: Number(values.chunks ?? (quick ? 5000 : 100_000)),
    queries: Number(values.queries ?? (quick ? 50 : 300)),
    seconds: Number(values.seconds ?? (quick ? 1 : 3)),
    bertSize: (values['bert-size'] ?? (quick ? 'tiny' : 'small')) === 'tiny' ? ('tiny' as const) : ('small' as const),
    batches: values.batches!.split(',').map(Number),
    ingestBatch: Number(values['ingest-batch']),
    ingestConcurrency: Number(values['ingest-concurrency']),
    labelledQueries: Number(values['labelled-queries']) || Infinity,
    efSearch: values['ef-search']!.split(',').filter(Boolean).map(Number),
    reuse: values['data-dir'] !== undefined,
  };
  Logger.overrideLogger(['error', 'warn']);
  const loadBefore = loadAverage();
  const started = performance.now();
  process.stdout.write(`bench:search — ${o.chunks} chunks, ${o.queries} queries, BERT fixture ${o.bertSize}; load average ${loadBefore}\n`);
  const examples = loadBundledTrainingData().examples;
  const texts = examples.map((e) => e.text);
  const failures: string[] = [];
  const attempt = async <T>(part: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (err) {
      failures.push(`${part}: ${(err as Error).message}`);
      process.stderr.write(`${part} could not run: ${(err as Error).stack}\n`);
      return null;
    }
  };

  const throughput = await attempt('embedding throughput', async () => measureEmbeddingThroughput(await bertFixture(o.bertSize), texts, o.batches, o.seconds));
  const loadAfterEmbeddings = loadAverage();
  const server = await attempt('server', () => withServer(values['data-dir'] && resolve(values['data-dir']), async (client) => ({
    scale: await attempt('search at scale', () => measureScale(client, examples, o)),
    quality: await attempt('retrieval quality', () => measureQuality(client, examples, o.labelledQueries)),
  })));
  const scale = server?.scale ?? null;
  const quality = server?.quality ?? null;

  process.stdout.write('\n');
  const goals: Record<string, boolean> = {};
  if (throughput) {
    for (const r of throughput.rows.filter((x) => typeof x.ratio === 'number')) process.stdout.write(`${throughput.fixture} batch ${r.batch}: pool / transformers.js = ${(r.ratio as number).toFixed(2)}\n`);
  }
  if (scale) {
    const v = scale.queries['vector'];
    const f1 = scale.queries['vector, filter 1% (category)'];
    const f50 = scale.queries['vector, filter 50% (bucket < 50)'];
    goals.recall = goal(`HNSW recall@10 >= ${RECALL_GOAL}`, v.recallAt10! >= RECALL_GOAL, `${v.recallAt10!.toFixed(4)} over ${scale.ingest.chunks} chunks`);
    goals.p99 = goal(`vector query p99 < ${P99_GOAL_MS} ms`, v.p99Ms < P99_GOAL_MS, `p50 ${v.p50Ms.toFixed(1)} ms, p99 ${v.p99Ms.toFixed(1)} ms`);
    goals.filteredFullK = goal('filtered queries at 1% return a full k: all', f1.fullK === 1, `${(f1.fullK! * 100).toFixed(1)}% full, recall@10 ${f1.recallAt10!.toFixed(4)}, plans ${JSON.stringify(f1.plans)}`);
    goals.broadFilterFullK = goal('filtered queries at 50% return a full k: all', f50.fullK === 1, `${(f50.fullK! * 100).toFixed(1)}% full, recall@10 ${f50.recallAt10!.toFixed(4)}, plans ${JSON.stringify(f50.plans)}`);
    if (scale.ingest.chunksPerSecond !== undefined) process.stdout.write(`ingest: ${scale.ingest.chunksPerSecond.toFixed(0)} chunks/s (${scale.ingest.chunks} chunks, batches of ${scale.ingest.batch})\n`);
  }
  if (quality) {
    const n = quality.ndcg;
    goals.hybrid = goal('hybrid nDCG@10 >= max(keyword, vector)', n.hybrid >= Math.max(n.keyword, n.vector), `keyword ${n.keyword.toFixed(4)}, vector ${n.vector.toFixed(4)}, hybrid ${n.hybrid.toFixed(4)}`);
  }
  const loadAfter = loadAverage();
  const wallSeconds = (performance.now() - started) / 1000;
  process.stdout.write(`Load average before ${loadBefore}, after the embedding part ${loadAfterEmbeddings}, at the end ${loadAfter}; ${wallSeconds.toFixed(0)} s in all\n`);
  writeResults('search', { bench: 'search', options: { ...o, labelledQueries: Number.isFinite(o.labelledQueries) ? o.labelledQueries : 'all' }, machine: { ...machine(), loadBefore, loadAfterEmbeddings, loadAfter }, wallSeconds, throughput, scale, quality, goals, failures });
  for (const f of failures) process.stdout.write(`could not run: ${f}\n`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(err instanceof ApiMissing ? 2 : 1);
  },
);
