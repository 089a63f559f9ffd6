/**
 * bench:search at scale: generated chunks ingested through the public API, then vector
 * search checked against exact search computed here from /v1/embeddings vectors of the same
 * texts (recall@10), query latency, and filtered queries (1% and 50% selectivity) that must
 * come back with a full k.
 */
import type { TrainingExample } from '../../src/nlu/core/types';
import { percentile, printTable } from './load';
import { exactTopK, mean, recallAtK, similarity, VectorTable } from './retrieval-metrics';
import type { SearchClient } from './search-client';
import { CATEGORIES, Chunk, ChunkGenerator, vocabulary } from './search-corpus';

const K = 10;
const COLLECTION = 'bench-scale';

export interface ScaleOptions {
  chunks: number;
  queries: number;
  ingestBatch: number;
  ingestConcurrency: number;
  /** hnsw.ef_search values to sweep (recall against latency) besides the server's default */
  efSearch: number[];
  /** a collection left by an earlier run on the same --data-dir with the same --chunks is searched without ingesting again */
  reuse?: boolean;
}

interface QueryStats {
  queries: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  recallAt10?: number;
  fullK?: number;
  plans?: Record<string, number>;
}

/**
 * Runs `queries` one at a time (the latency a single caller sees). Only the request is timed:
 * scoring a reply (exact search over every chunk, tens of ms at 100k) happens after the clock stops.
 */
async function run<T>(texts: string[], search: (text: string, i: number) => Promise<T>, score: (reply: T, i: number) => void = () => {}): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    const t = performance.now();
    const reply = await search(texts[i], i);
    latencies.push(performance.now() - t);
    score(reply, i);
  }
  return latencies;
}

const stats = (latencies: number[], extra: Partial<QueryStats> = {}): QueryStats => ({ queries: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), meanMs: mean(latencies), ...extra });

export async function measureScale(client: SearchClient, examples: TrainingExample[], o: ScaleOptions) {
  const gen = new ChunkGenerator(vocabulary(examples));
  const chunks: Chunk[] = gen.chunks(o.chunks);
  const queryTexts = Array.from({ length: o.queries }, () => gen.text().text);
  const index = new Map(chunks.map((c, i) => [c.id, i]));

  const before = o.reuse ? await client.existing(COLLECTION) : null;
  const reused = before?.chunks === chunks.length;
  if (before && !reused) throw new Error(`--data-dir holds collection ${COLLECTION} with ${before.chunks} chunks, not ${chunks.length}: use another folder or the same --chunks`);
  if (!reused) await client.createCollection(COLLECTION, { description: 'bench:search generated chunks' });
  const started = performance.now();
  let lastReport = started;
  // the generator is deterministic, so a reused collection holds exactly these chunks; re-sending them writes nothing
  const written = reused
    ? 0
    : await client.upsert(COLLECTION, chunks, o.ingestBatch, o.ingestConcurrency, (done) => {
        if (performance.now() - lastReport > 30_000) {
          lastReport = performance.now();
          process.stdout.write(`  ingested ${done}/${chunks.length} (${(done / ((lastReport - started) / 1000)).toFixed(0)} chunks/s)\n`);
        }
      });
  const ingestSeconds = (performance.now() - started) / 1000;
  const stored = await client.collection(COLLECTION);
  if (reused) process.stdout.write(`Reusing the ${stored.chunks} chunks of an earlier run (no ingestion measured)\n`);
  // exact search below treats every document as one chunk; say so if the server chunked otherwise
  if (stored.chunks !== chunks.length) throw new Error(`expected one chunk per generated document (${chunks.length}), the collection holds ${stored.chunks} chunks (${written} written)`);
  const ingest = reused
    ? { chunks: stored.chunks, documents: stored.documents, reused: true }
    : { chunks: stored.chunks, documents: stored.documents, seconds: ingestSeconds, chunksPerSecond: stored.chunks / ingestSeconds, batch: o.ingestBatch, concurrency: o.ingestConcurrency };
  if (!reused) process.stdout.write(`Ingested ${stored.chunks} chunks in ${ingestSeconds.toFixed(1)} s: ${(stored.chunks / ingestSeconds).toFixed(0)} chunks/s\n`);

  const t = performance.now();
  const table: VectorTable = await client.embed(chunks.map((c) => c.text), 'passage');
  const queries = await client.embed(queryTexts, 'query');
  const q = (i: number) => queries.data.subarray(i * queries.dim, (i + 1) * queries.dim);
  const embedSeconds = (performance.now() - t) / 1000;

  const scored = (i: number, hits: { documentId: string }[]) => hits.map((h) => similarity(table, index.get(h.documentId)!, q(i)));
  /** vector queries with a per-query filter, recall against exact search over the rows the filter admits */
  const vector = async (filter?: (i: number) => Record<string, unknown>, admits?: (row: number, i: number) => boolean, extra: Record<string, unknown> = {}) => {
    const recalls: number[] = [];
    const plans: Record<string, number> = {};
    let full = 0;
    const search = (text: string, i: number) => client.search(COLLECTION, { query: text, k: K, mode: 'vector', ...(filter ? { filter: filter(i) } : {}), ...extra });
    const latencies = await run(queryTexts, search, (r, i) => {
      const plan = r.plan.vector ?? 'none';
      plans[plan] = (plans[plan] ?? 0) + 1;
      if (r.results.length === K) full++;
      recalls.push(recallAtK(exactTopK(table, q(i), K, admits && ((row) => admits(row, i))), scored(i, r.results)));
    });
    return stats(latencies, { recallAt10: mean(recalls), fullK: full / queryTexts.length, plans });
  };
  const category = (i: number) => `cat-${(i * 37) % CATEGORIES}`;
  const rows: Record<string, QueryStats> = {};
  rows['vector'] = await vector();
  for (const ef of o.efSearch) rows[`vector, efSearch ${ef}`] = await vector(undefined, undefined, { efSearch: ef });
  // 1%: one category of 100 (selective: the server may answer it exactly)
  rows['vector, filter 1% (category)'] = await vector((i) => ({ category: category(i) }), (row, i) => chunks[row].metadata.category === category(i));
  // 50%: a range over bucket 0-99 (broad: the HNSW index with a filtered, iterative scan)
  rows['vector, filter 50% (bucket < 50)'] = await vector(() => ({ bucket: { lt: 50 } }), (row) => chunks[row].metadata.bucket < 50);
  for (const mode of ['keyword', 'hybrid'] as const) {
    rows[mode] = stats(await run(queryTexts, async (text) => void (await client.search(COLLECTION, { query: text, k: K, mode }))));
  }
  printTable(`Search over ${stored.chunks} chunks, k=${K}, one caller, ${queryTexts.length} queries per row (recall against exact search computed from /v1/embeddings vectors)`, Object.entries(rows).map(([query, s]) => ({
    query, p50_ms: s.p50Ms, p99_ms: s.p99Ms, mean_ms: s.meanMs, 'recall@10': s.recallAt10 ?? '', full_k: s.fullK ?? '', plans: s.plans ? Object.entries(s.plans).map(([p, n]) => `${p}:${n}`).join(' ') : '',
  })));
  return { ingest, embedSecondsForExact: embedSeconds, k: K, queries: rows };
}
