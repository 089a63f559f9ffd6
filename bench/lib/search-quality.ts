/**
 * Retrieval quality for bench:search on a labelled set built from the bundled NLU examples
 * (bench/lib/search-corpus.ts): nDCG@10 of keyword, vector and hybrid search, each query's
 * own document left out of its results.
 */
import type { TrainingExample } from '../../src/nlu/core/types';
import { printTable } from './load';
import { mean, ndcgAtK } from './retrieval-metrics';
import type { SearchClient } from './search-client';
import { labelledSet } from './search-corpus';

const K = 10;
const COLLECTION = 'bench-labelled';
export const MODES = ['keyword', 'vector', 'hybrid'] as const;

export async function measureQuality(client: SearchClient, examples: TrainingExample[], maxQueries: number) {
  const set = labelledSet(examples);
  // a --data-dir kept from an earlier run has it already (the upsert below then writes nothing)
  if (!(await client.existing(COLLECTION))) await client.createCollection(COLLECTION, { description: 'bench:search labelled set (bundled NLU examples)' });
  await client.upsert(COLLECTION, set.documents, 1000);
  // every n-th query when capped, so both languages and all intents stay in
  const step = Math.max(1, Math.ceil(set.queries.length / Math.max(1, maxQueries)));
  const queries = set.queries.filter((_, i) => i % step === 0);
  const ndcg: Record<string, number> = {};
  for (const mode of MODES) {
    const scores: number[] = [];
    for (const q of queries) {
      const self = set.documents[q.index].id;
      const r = await client.search(COLLECTION, { query: q.text, k: K + 1, mode });
      scores.push(ndcgAtK(r.results.map((h) => h.documentId).filter((id) => id !== self), q.relevant, K));
    }
    ndcg[mode] = mean(scores);
  }
  printTable(`Retrieval quality: ${queries.length} queries over ${set.documents.length} bundled NLU examples (relevant = the other examples of the query's intent; out_of_scope only as distractors)`, [
    { metric: 'nDCG@10', ...ndcg, 'hybrid/max(keyword,vector)': ndcg.hybrid / Math.max(ndcg.keyword, ndcg.vector) },
  ]);
  return { documents: set.documents.length, queries: queries.length, of: set.queries.length, k: K, ndcg };
}
