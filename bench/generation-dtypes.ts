/**
 * npm run bench:generation:dtypes [-- --family gpt2 --size small --concurrency 1,16 --max-tokens 32 --seconds 9 --slices 3]
 *
 * fp32 vs q8 (DynamicQuantizeLinear + MatMulInteger) vs q4 (MatMulNBits, block 32) weights of
 * the same random-weight fixture (default GPT-2-small shaped: the cost of GPT-2 124M), through
 * this project's engine and pool, greedy, exactly --max-tokens new tokens per request, at
 * each concurrency, side by side in one run: the three models are loaded together and
 * measured in rotating slices, so a change in the shared machine's load hits all alike.
 * Prints each graph's file size, the logits' distance to fp32 on a fixed token sequence
 * (an ONNX Runtime session on this thread, every position), aggregate tokens/s, TTFT, the ratios to
 * fp32 and the load average; writes JSON to bench/results/.
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { logitsDistance } from '../src/inference/fixtures/logits-distance';
import { FixtureKind, FixtureSize, writeFixture } from '../src/inference/fixtures/write-fixture';
import { createSession, makeTensor, Tensor } from '../src/inference/runtime/ort';
import { Dtype, variantPath } from '../src/inference/store/onnx-variants';
import { GenerationClient, oursClient } from './lib/generation-clients';
import { percentile, printTable, runStreamingLoop } from './lib/load';
import { loadAverage, machine, writeResults } from './lib/report';

const DTYPES = ['fp32', 'q8', 'q4'] as const satisfies readonly Dtype[];
const PROMPTS = [
  'Hello, world!',
  '今天的天气怎么样？',
  'The quick brown fox jumps over the lazy dog near the river bank.',
  'I would like to order two copies of a science fiction novel, please. Can you tell me when they will arrive and how much shipping costs?',
  '我要订购一本小说，请问有什么推荐的吗？',
  'Where is my order? It was supposed to arrive yesterday.',
];
const SHARED = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'];

/** One folder with every variant, and per variant a folder of links to it whose llmos.json names that dtype (no copies of the weights). */
async function prepare(family: FixtureKind, size: FixtureSize): Promise<Record<(typeof DTYPES)[number], string>> {
  const base = resolve('var', 'fixtures', `${size}-${family}-dtypes`);
  if (!DTYPES.every((d) => existsSync(join(base, variantPath('onnx/model', d))))) {
    process.stdout.write(`Generating the ${size} ${family} fixture with its q8 and q4 variants in ${base} ...\n`);
    await writeFixture(family, size, base, undefined, DTYPES);
  }
  const dirs = {} as Record<(typeof DTYPES)[number], string>;
  for (const dtype of DTYPES) {
    const dir = `${base}-${dtype}`;
    const graph = variantPath('onnx/model', dtype);
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    for (const f of [...SHARED, graph]) if (!existsSync(join(dir, f))) symlinkSync(join(base, f), join(dir, f));
    writeFileSync(join(dir, 'llmos.json'), JSON.stringify({ task: 'text-generation', dtype }));
    dirs[dtype] = dir;
  }
  return dirs;
}

/** Logits of every position of a fixed 48-token sequence, each variant against fp32: max |diff|, relative to max |fp32|, cosine, top-1 agreement. */
async function logitsError(dirs: Record<string, string>, family: FixtureKind): Promise<Record<string, unknown>[]> {
  const config = JSON.parse(readFileSync(join(dirs.fp32, 'config.json'), 'utf8')) as Record<string, number>;
  const layers = config.n_layer ?? config.num_hidden_layers;
  const kvHeads = family === 'gpt2' ? config.n_head : config.num_key_value_heads;
  const headDim = (config.n_embd ?? config.hidden_size) / (config.n_head ?? config.num_attention_heads);
  const V = config.vocab_size;
  const S = 48;
  const ids = Array.from({ length: S }, (_, i) => (i * 7919 + 13) % V);
  const i64 = (v: number[]) => makeTensor('int64', BigInt64Array.from(v.map(BigInt)), [1, v.length]);
  const feeds: Record<string, Tensor> = { input_ids: i64(ids), attention_mask: i64(ids.map(() => 1)), position_ids: i64(ids.map((_, i) => i)) };
  for (let l = 0; l < layers; l++) for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = makeTensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
  const logits: Record<string, Float32Array> = {};
  for (const dtype of DTYPES) {
    const { session } = await createSession(join(dirs[dtype], variantPath('onnx/model', dtype)), { executionProviders: ['cpu'] });
    logits[dtype] = (await session.run(feeds)).logits.data as Float32Array;
    await session.release();
  }
  const argmax = (x: Float32Array, p: number) => {
    let best = 0;
    for (let v = 1; v < V; v++) if (x[p * V + v] > x[p * V + best]) best = v;
    return best;
  };
  const ref = logits.fp32;
  return DTYPES.filter((d) => d !== 'fp32').map((dtype) => {
    const q = logits[dtype];
    const d = logitsDistance(q, ref);
    let top1 = 0;
    for (let p = 0; p < S; p++) if (argmax(q, p) === argmax(ref, p)) top1++;
    return { dtype, positions: S, max_abs: d.maxAbs, rel: d.rel, cosine: d.cosine, top1_agreement: top1 / S };
  });
}

interface Acc {
  tokens: number;
  seconds: number;
  requests: number;
  ttfts: number[];
  next: number;
}

/** All clients at one concurrency in rotating slices (fp32 q8 q4, q8 q4 fp32, ...); sums per client. */
async function measure(clients: GenerationClient[], concurrency: number, seconds: number, slices: number, maxTokens: number): Promise<Acc[]> {
  const acc: Acc[] = clients.map(() => ({ tokens: 0, seconds: 0, requests: 0, ttfts: [], next: 0 }));
  for (let s = 0; s < slices; s++) {
    for (let j = 0; j < clients.length; j++) {
      const k = (s + j) % clients.length;
      const a = acc[k];
      const r = await runStreamingLoop(concurrency, seconds / slices, 1, () => clients[k].generate(PROMPTS[a.next++ % PROMPTS.length], maxTokens));
      if (r.failed) throw new Error(`${clients[k].name}: ${r.failed} requests failed: ${r.error}`);
      a.tokens += r.tokens;
      a.seconds += r.seconds;
      a.requests += r.requests;
      a.ttfts.push(...r.ttfts);
    }
  }
  return acc;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      family: { type: 'string', default: 'gpt2' },
      size: { type: 'string', default: 'small' },
      concurrency: { type: 'string', default: '1,16' },
      'max-tokens': { type: 'string', default: '32' },
      seconds: { type: 'string', default: '9' },
      slices: { type: 'string', default: '3' },
    },
  });
  const family = values.family as FixtureKind;
  if (family !== 'gpt2' && family !== 'qwen2') throw new Error(`--family: gpt2 or qwen2, not "${values.family}"`);
  const size = values.size === 'tiny' ? 'tiny' : 'small';
  const levels = values.concurrency!.split(',').map(Number);
  const [maxTokens, seconds, slices] = [Number(values['max-tokens']), Number(values.seconds), Number(values.slices)];
  const loadAtStart = loadavg();
  process.stdout.write(`bench:generation:dtypes — load average at start ${loadAverage()} on ${cpus().length} CPUs\n`);

  const dirs = await prepare(family, size);
  const files = DTYPES.map((dtype) => ({ dtype, file: variantPath('onnx/model', dtype), MiB: statSync(join(dirs[dtype], variantPath('onnx/model', dtype))).size / 2 ** 20 }));
  files.forEach((f) => Object.assign(f, { vs_fp32: f.MiB / files[0].MiB }));
  printTable(`${size}-${family}: ONNX graph sizes`, files);
  const accuracy = await logitsError(dirs, family);
  printTable(`${size}-${family}: logits vs fp32 on a fixed ${accuracy[0]?.positions}-token sequence (every position)`, accuracy);

  const clients = [];
  for (const dtype of DTYPES) clients.push({ ...(await oursClient(dirs[dtype], Math.max(...levels))), name: dtype });
  const rows: Record<string, unknown>[] = [];
  try {
    const greedy = await Promise.all(clients.map((c) => c.generate(PROMPTS[2], maxTokens)));
    const sameAsFp32 = greedy.map((g) => g.ids.filter((id, i) => id === greedy[0].ids[i]).length);
    for (const c of clients) await Promise.all(PROMPTS.slice(0, 4).map((p) => c.generate(p, 4)));
    for (const concurrency of levels) {
      const load = loadavg()[0];
      const acc = await measure(clients, concurrency, seconds, slices, maxTokens);
      const fp32 = acc[0].tokens / acc[0].seconds;
      acc.forEach((a, k) => {
        const tokS = a.tokens / a.seconds;
        rows.push({ dtype: DTYPES[k], c: concurrency, tok_s: tokS, vs_fp32: tokS / fp32, ttft_p50: percentile(a.ttfts, 50), ttft_p99: percentile(a.ttfts, 99), reqs: a.requests, load1: load, load1_end: loadavg()[0] });
      });
    }
    printTable(`bench:generation:dtypes — ${size}-${family}, greedy, ${maxTokens} new tokens per request, this engine; tokens/s aggregate over all streams, TTFT in ms`, rows);
    process.stdout.write(`Greedy tokens equal to fp32's (of ${maxTokens}, one prompt): ${DTYPES.map((d, k) => `${d} ${sameAsFp32[k]}`).join(', ')}\n`);
    const loadAtEnd = loadavg();
    process.stdout.write(`Load average at end ${loadAverage()}\n`);
    writeResults('generation-dtypes', { bench: 'generation-dtypes', family, size, maxTokens, levels, seconds, slices, machine: { ...machine(), loadAtStart, loadAtEnd }, files, accuracy, sameAsFp32, rows });
  } finally {
    for (const c of clients) await c.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
