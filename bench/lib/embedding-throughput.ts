/**
 * Embedding throughput for bench:search, in this process: EmbeddingsService over the
 * InferencePool (the path /v1/embeddings and search take, without HTTP) for the built-in
 * lexical encoder and a BERT fixture, and transformers.js's pipeline('feature-extraction')
 * (mean pooling, normalized: what the fixture's store encoder does) on the same fixture
 * folder. One caller at a time, `batch` texts per call; texts/s over --seconds per cell.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { EmbeddingsService, LEXICAL_ID } from '../../src/embeddings/embeddings.service';
import { ReadinessService } from '../../src/health/readiness.service';
import { writeFixture } from '../../src/inference/fixtures/write-fixture';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { TokenizerService } from '../../src/inference/tokenizer.service';
import { MetricsService } from '../../src/metrics/metrics.service';
import { printTable, runClosedLoop } from './load';

export interface ThroughputRow {
  encoder: string;
  batch: number;
  pool_texts_s: number;
  tfjs_texts_s: number | string;
  ratio: number | string;
}

type Embed = (texts: string[]) => Promise<ArrayLike<number>[]>;

async function textsPerSecond(embed: Embed, texts: string[], batch: number, seconds: number): Promise<number> {
  const slice = (i: number) => Array.from({ length: batch }, (_, j) => texts[(i * batch + j) % texts.length]);
  await runClosedLoop(1, Math.min(1, seconds / 3), (i) => embed(slice(i))); // warm-up
  const r = await runClosedLoop(1, seconds, (i) => embed(slice(i)));
  if (r.failed) throw new Error(`${r.failed} embedding calls failed`);
  return (r.completed * batch) / r.seconds;
}

/** The BERT fixture of this size under var/fixtures (written once, as bench:inference does). */
export async function bertFixture(size: 'tiny' | 'small'): Promise<string> {
  const dir = resolve('var', 'fixtures', `${size}-bert`);
  if (!existsSync(join(dir, 'onnx', 'model.onnx'))) {
    process.stdout.write(`Generating the ${size} BERT fixture in ${dir} ...\n`);
    await writeFixture('bert', size, dir);
  }
  return dir;
}

export async function measureEmbeddingThroughput(fixtureDir: string, texts: string[], batches: number[], seconds: number) {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn', MODELS_DIR: dirname(fixtureDir), INFERENCE_AUTOLOAD: 'false' });
  const pool = new InferencePool(config, new MetricsService(), new ReadinessService());
  const embeddings = new EmbeddingsService(pool, new TokenizerService(pool), config);
  embeddings.onModuleInit();
  pool.rescan();
  const bert = basename(fixtureDir);
  await pool.load(LEXICAL_ID);
  await pool.load(bert);
  const ours = (model: string): Embed => async (t) => (await embeddings.embed(t, { model })).vectors;

  const tf = require('@huggingface/transformers') as typeof import('@huggingface/transformers');
  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  tf.env.localModelPath = `${dirname(fixtureDir)}/`;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const extractor = (await tf.pipeline('feature-extraction', bert, { dtype: 'fp32' })) as any;
  const theirs: Embed = async (t) => {
    const out = await extractor(t, { pooling: 'mean', normalize: true });
    const dim = out.dims[1];
    return t.map((_, i) => (out.data as Float32Array).subarray(i * dim, (i + 1) * dim));
  };
  try {
    // both must compute the same vectors, or the comparison means nothing
    const sample = texts.slice(0, 8);
    const [a, b] = [await ours(bert)(sample), await theirs(sample)];
    const maxDiff = Math.max(...a.map((v, i) => Math.max(...Array.from(v, (x, d) => Math.abs(x - b[i][d])))));
    const rows: ThroughputRow[] = [];
    for (const batch of batches) {
      rows.push({ encoder: LEXICAL_ID, batch, pool_texts_s: await textsPerSecond(ours(LEXICAL_ID), texts, batch, seconds), tfjs_texts_s: 'n/a', ratio: 'n/a' });
    }
    for (const batch of batches) {
      // alternate which side goes first, so a change in the machine's load hits both alike
      const first = batch % 2 === 0;
      const x = first ? await textsPerSecond(ours(bert), texts, batch, seconds) : NaN;
      const y = await textsPerSecond(theirs, texts, batch, seconds);
      const pool_texts_s = first ? x : await textsPerSecond(ours(bert), texts, batch, seconds);
      rows.push({ encoder: bert, batch, pool_texts_s, tfjs_texts_s: y, ratio: pool_texts_s / y });
    }
    printTable(`Embedding throughput, texts/s (in process: EmbeddingsService -> InferencePool vs transformers.js feature-extraction; one caller, ${seconds}s per cell)`, rows as unknown as Record<string, unknown>[]);
    process.stdout.write(`${bert}: pool vs transformers.js vectors, max |diff| ${maxDiff.toExponential(2)} over ${sample.length} texts\n`);
    return { rows, fixture: bert, maxDiffVsTransformers: maxDiff };
  } finally {
    await extractor.dispose();
    await pool.onModuleDestroy();
  }
}
