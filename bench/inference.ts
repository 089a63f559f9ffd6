/**
 * npm run bench:inference [-- --size small|tiny --seconds 4 --concurrency 1,8,32]
 *
 * The encoder fixture (BERT-architecture, bert-base shape by default) served by the
 * InferencePool, batching off vs on, at several concurrencies, in one run. Prints
 * throughput, p50/p99 latency and the on/off ratios; writes JSON to bench/results/.
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/app-config';
import { ReadinessService } from '../src/health/readiness.service';
import { writeFixture } from '../src/inference/fixtures/write-fixture';
import { InferencePool } from '../src/inference/inference-pool.service';
import { makeTensorLike } from '../src/inference/runtime/ort';
import { describeFolder } from '../src/inference/store/model-store';
import { servingDefaults } from '../src/inference/inference.config';
import { TokenizerService } from '../src/inference/tokenizer.service';
import { MetricsService } from '../src/metrics/metrics.service';
import { percentile, printTable, runClosedLoop } from './lib/load';

const SENTENCES = [
  'What is the weather like in Shanghai tomorrow?',
  '今天的天气怎么样？',
  'I would like to order two copies of a science fiction novel, please.',
  '我正在浏览T恤衫，请推荐一些',
  'Do members get a discount on books this week?',
  '《斗破苍穹》还有货吗',
  'Where is my order? It was supposed to arrive yesterday.',
  'thanks a lot!',
];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { size: { type: 'string', default: 'small' }, seconds: { type: 'string', default: '4' }, concurrency: { type: 'string', default: '1,8,32' } } });
  const size = values.size === 'tiny' ? 'tiny' : 'small';
  const seconds = Number(values.seconds);
  const levels = values.concurrency!.split(',').map(Number);
  const dir = resolve('var', 'fixtures', `${size}-bert`);
  if (!existsSync(join(dir, 'onnx', 'model.onnx'))) {
    process.stdout.write(`Generating the ${size} BERT fixture in ${dir} ...\n`);
    await writeFixture('bert', size, dir);
  }
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'warn', MODELS_DIR: resolve('var', 'bench-empty-store'), INFERENCE_AUTOLOAD: 'false' });
  const pool = new InferencePool(config, new MetricsService(), new ReadinessService());
  const defaults = servingDefaults(config);
  const base = describeFolder(dir, 'encoder', defaults);
  pool.register({ ...base, id: 'batching-off', serving: { ...base.serving, batching: { ...base.serving.batching, enabled: false, maxQueueSize: 100_000 } } });
  pool.register({ ...base, id: 'batching-on', serving: { ...base.serving, batching: { enabled: true, maxBatchSize: 32, maxQueueDelayMs: defaults.batching.maxQueueDelayMs, maxQueueSize: 100_000 } } });
  await pool.load('batching-off');
  await pool.load('batching-on');
  const tokenizer = await new TokenizerService(pool).fromFolder(dir);
  const encoded = SENTENCES.map((s) => tokenizer.encode(s));
  const feeds = (i: number) => {
    const ids = encoded[i % encoded.length];
    const t = (v: number[]) => makeTensorLike('int64', BigInt64Array.from(v.map(BigInt)), [1, v.length]);
    return { input_ids: t(ids), attention_mask: t(ids.map(() => 1)), token_type_ids: t(ids.map(() => 0)) };
  };

  const rows: Record<string, unknown>[] = [];
  for (const concurrency of levels) {
    const result: Record<string, Record<string, number>> = {};
    for (const model of ['batching-off', 'batching-on']) {
      // warm the path, then measure
      await runClosedLoop(Math.min(concurrency, 4), 0.3, (i) => pool.run(model, feeds(i)));
      const before = pool.stats(model);
      const r = await runClosedLoop(concurrency, seconds, (i) => pool.run(model, feeds(i)));
      const after = pool.stats(model);
      result[model] = {
        throughput: r.completed / r.seconds,
        p50: percentile(r.latencies, 50),
        p99: percentile(r.latencies, 99),
        avgBatch: (after.completed - before.completed) / Math.max(1, after.batches - before.batches),
      };
    }
    const off = result['batching-off'];
    const on = result['batching-on'];
    rows.push({
      concurrency,
      off_rps: off.throughput,
      on_rps: on.throughput,
      throughput_ratio: on.throughput / off.throughput,
      off_p50_ms: off.p50,
      on_p50_ms: on.p50,
      off_p99_ms: off.p99,
      on_p99_ms: on.p99,
      p99_ratio: on.p99 / off.p99,
      on_avg_batch: on.avgBatch,
    });
  }
  await pool.onModuleDestroy();
  printTable(`bench:inference — ${size} BERT encoder, batching off vs on, ${seconds}s per cell`, rows);
  const at32 = rows.find((r) => r.concurrency === 32);
  if (at32) {
    process.stdout.write(`\nGoal at concurrency 32: throughput ratio >= 3 (got ${(at32.throughput_ratio as number).toFixed(2)}), p99 ratio <= 2 (got ${(at32.p99_ratio as number).toFixed(2)})\n`);
  }
  mkdirSync(resolve('bench', 'results'), { recursive: true });
  const file = resolve('bench', 'results', `inference-${size}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ bench: 'inference', size, seconds, machine: machine(), rows }, null, 2));
  process.stdout.write(`Wrote ${file}\n`);
}

function machine() {
  const os = require('node:os') as typeof import('node:os');
  return { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, memGiB: Math.round(os.totalmem() / 2 ** 30) };
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
