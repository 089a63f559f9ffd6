/**
 * npm run bench:generation [-- --families gpt2 --sizes tiny,small --concurrency 1,4,16 --max-tokens 32 --seconds 0 --slices 3 --intra-op-threads 0 --prefix-tokens 512 --prefix-reps 5 --prefix-only --kv-only]
 *
 * Text generation on the fixtures (--families gpt2,qwen2: GPT-2's architecture, and
 * Llama/Qwen2's with grouped-query attention; tiny, and GPT-2-small shaped), this project's
 * engine (continuous batching over the InferencePool) vs transformers.js's own
 * text-generation pipeline called once per request, at several concurrencies, side by
 * side in one run. Greedy, exactly --max-tokens new tokens per request (EOS ignored),
 * prompts of varied lengths. Prints aggregate tokens/s, time to first token p50/p99 and
 * the ratios the goals are stated in; writes JSON to bench/results/.
 *
 * --seconds: minimum time per client and cell, split into --slices alternating slices
 * (every concurrent caller finishes at least one request per slice); 0 = per size
 * defaults (tiny 3 s, small 12 s). --intra-op-threads: our session's INFERENCE_INTRA_OP_THREADS
 * (0 = ONNX Runtime's default, all cores; transformers.js always uses its default).
 *
 * The throughput rows run with the prefix cache off (transformers.js has none, and the
 * prompts repeat). Prefix caching has its own rows: time to first token of a request whose
 * --prefix-tokens-token prefix is cached vs one whose prefix is new (cold), same engine,
 * one request at a time, interleaved, --prefix-reps of each (0 = skip; --prefix-only: nothing else).
 *
 * KV residency: the engine with the batch's KV cache in the session worker (the default)
 * vs the same engine with the cache crossing to the worker at every step
 * (GENERATION_KV_IN_WORKER=false, as before), interleaved at the lowest and highest
 * concurrency, same greedy tokens checked (--kv-only: only these rows).
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FixtureKind, writeFixture } from '../src/inference/fixtures/write-fixture';
import { GenerationClient, oursClient, transformersClient } from './lib/generation-clients';
import { percentile, printTable, runStreamingLoop } from './lib/load';
import { measureMaskCost } from './lib/mask-cost';

/** 2 to 69 tokens with the fixtures' tokenizer (tiny's context is 128, so prompt + 32 fits). */
const PROMPTS = [
  'Hello, world!',
  '今天的天气怎么样？',
  'The quick brown fox jumps over the lazy dog near the river bank.',
  'I would like to order two copies of a science fiction novel, please. Can you tell me when they will arrive and how much shipping costs?',
  '我要订购一本小说，请问有什么推荐的吗？',
  'Summarize: The meeting covered the quarterly budget, the hiring plan for the next two quarters, and the migration of the billing system to the new database.',
  'Where is my order? It was supposed to arrive yesterday.',
  '请帮我写一首关于秋天的短诗，要有落叶、月亮和远方的朋友。',
];
const DEFAULT_SECONDS: Record<string, number> = { tiny: 3, small: 12 };

/** The structured-output row's schema: a free string (most steps inside it), an enum, an array of integers. */
const BENCH_SCHEMA = {
  type: 'object',
  properties: { answer: { type: 'string' }, mood: { enum: ['calm', 'busy', '忙'] }, scores: { type: 'array', items: { type: 'integer' } } },
  required: ['answer', 'mood', 'scores'],
};

interface Cell {
  tokS: number;
  requests: number;
  ttftP50?: number;
  ttftP99?: number;
  latencyP50: number;
  avgBatch?: number;
}

/**
 * Both clients at one concurrency, in alternating slices (ours, theirs, theirs, ours, ...)
 * so a change in the machine's load (it is shared) hits both alike; each client's
 * tokens, time and per-request numbers are summed over its slices.
 */
async function measurePair(clients: GenerationClient[], concurrency: number, seconds: number, slices: number, maxTokens: number): Promise<Cell[]> {
  const acc = clients.map(() => ({ tokens: 0, seconds: 0, requests: 0, ttfts: [] as number[], latencies: [] as number[], decoded: 0, steps: 0, next: 0 }));
  for (let s = 0; s < slices; s++) {
    for (const k of s % 2 === 0 ? [0, 1] : [1, 0]) {
      const client = clients[k];
      const a = acc[k];
      const before = await client.counters?.();
      const r = await runStreamingLoop(concurrency, seconds / slices, 1, () => client.generate(PROMPTS[a.next++ % PROMPTS.length], maxTokens));
      if (r.failed) throw new Error(`${client.name}: ${r.failed} of ${r.failed + r.requests} requests failed: ${r.error}`);
      const after = await client.counters?.();
      a.tokens += r.tokens;
      a.seconds += r.seconds;
      a.requests += r.requests;
      a.ttfts.push(...r.ttfts);
      a.latencies.push(...r.latencies);
      if (before && after) {
        // each prefill yields one token outside the decode steps
        a.decoded += after.tokens - before.tokens - (after.prefills - before.prefills);
        a.steps += after.steps - before.steps;
      }
    }
  }
  return acc.map((a, k) => ({
    tokS: a.tokens / a.seconds,
    requests: a.requests,
    ttftP50: a.ttfts.length ? percentile(a.ttfts, 50) : undefined,
    ttftP99: a.ttfts.length ? percentile(a.ttfts, 99) : undefined,
    latencyP50: percentile(a.latencies, 50),
    avgBatch: clients[k].counters ? a.decoded / Math.max(1, a.steps) : undefined,
  }));
}

async function fixture(family: FixtureKind, size: 'tiny' | 'small'): Promise<string> {
  const dir = resolve('var', 'fixtures', `${size}-${family}`);
  if (!existsSync(join(dir, 'onnx', 'model.onnx'))) {
    process.stdout.write(`Generating the ${size} ${family} fixture in ${dir} ...\n`);
    await writeFixture(family, size, dir);
  }
  return dir;
}

/**
 * TTFT with a cached prefix vs cold: each cold request brings a new `prefixTokens`-token
 * prefix (a miss) and a 16-token suffix; the cached request that follows has the same
 * prefix and another suffix. Also checks that repeating a cold prompt once its prefix is
 * cached gives the same greedy tokens.
 */
async function benchPrefix(family: FixtureKind, size: 'tiny' | 'small', prefixTokens: number, reps: number, intraOpThreads: number) {
  const dir = await fixture(family, size);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, number>;
  const vocab = config.vocab_size;
  const context = config.n_positions ?? config.max_position_embeddings;
  const suffix = 16;
  const maxTokens = 4;
  if (prefixTokens + suffix + maxTokens > context) return { family, size, skipped: `context ${context} < ${prefixTokens + suffix + maxTokens}` };
  const ours = await oursClient(dir, 1, intraOpThreads, 512);
  const ids = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (i * 7919 + seed * 104729 + 13) % vocab);
  try {
    await ours.generateIds([...ids(prefixTokens, 0), ...ids(suffix, 1)], maxTokens); // warm-up
    const cold: number[] = [];
    const cached: number[] = [];
    const load = loadavg()[0];
    const before = (await ours.counters!()).reusedTokens;
    let same = true;
    for (let r = 1; r <= reps; r++) {
      const prefix = ids(prefixTokens, 1000 + r);
      const first = await ours.generateIds([...prefix, ...ids(suffix, r)], maxTokens);
      cold.push(first.ttftMs!);
      cached.push((await ours.generateIds([...prefix, ...ids(suffix, 5000 + r)], maxTokens)).ttftMs!);
      if (r === 1) same = (await ours.generateIds([...prefix, ...ids(suffix, r)], maxTokens)).ids.join() === first.ids.join();
    }
    const reused = (await ours.counters!()).reusedTokens - before;
    const coldP50 = percentile(cold, 50);
    const cachedP50 = percentile(cached, 50);
    return { family, size, prefix_tokens: prefixTokens, suffix_tokens: suffix, reps, cold_ttft_p50: coldP50, cached_ttft_p50: cachedP50, ratio: coldP50 / cachedP50, reused_per_cached: reused / (reps + 1), same_tokens: String(same), load1: load };
  } finally {
    await ours.close();
  }
}

/** The engine with the KV cache in the worker vs crossing per step, interleaved slices, same model and prompts. */
async function benchKvResidency(family: FixtureKind, size: 'tiny' | 'small', levels: number[], maxTokens: number, seconds: number, slices: number, intraOpThreads: number) {
  const dir = await fixture(family, size);
  const max = Math.max(...levels);
  const resident = await oursClient(dir, max, intraOpThreads, 0, true);
  const crossing = await oursClient(dir, max, intraOpThreads, 0, false);
  try {
    const a = await resident.generate(PROMPTS[2], maxTokens);
    const b = await crossing.generate(PROMPTS[2], maxTokens);
    for (const c of [resident, crossing]) await Promise.all(PROMPTS.slice(0, 4).map((p) => c.generate(p, 4)));
    const rows: Record<string, unknown>[] = [];
    for (const concurrency of [...new Set([Math.min(...levels), max])]) {
      const load = loadavg()[0];
      const [w, x] = await measurePair([resident, crossing], concurrency, seconds, slices, maxTokens);
      rows.push({ family, size, c: concurrency, in_worker_tok_s: w.tokS, crossing_tok_s: x.tokS, ratio: w.tokS / x.tokS, in_worker_ttft_p50: w.ttftP50 ?? 'n/a', crossing_ttft_p50: x.ttftP50 ?? 'n/a', in_worker_avg_batch: w.avgBatch ?? 'n/a', crossing_avg_batch: x.avgBatch ?? 'n/a', same_tokens: String(a.ids.join() === b.ids.join()), load1: load });
    }
    return rows;
  } finally {
    await resident.close();
    await crossing.close();
  }
}

async function benchSize(family: FixtureKind, size: 'tiny' | 'small', levels: number[], maxTokens: number, seconds: number, slices: number, intraOpThreads: number) {
  const dir = await fixture(family, size);
  const ours = await oursClient(dir, Math.max(...levels), intraOpThreads);
  const theirs = await transformersClient(dir);
  try {
    // Both must compute the same thing: same greedy tokens for a prompt (warms both paths too).
    const a = await ours.generate(PROMPTS[2], maxTokens);
    const b = await theirs.generate(PROMPTS[2], maxTokens);
    const sameTokens = b.ids.length === 0 ? 'n/a' : String(a.ids.join() === b.ids.join());
    for (const c of [ours, theirs]) await Promise.all(PROMPTS.slice(0, 4).map((p) => c.generate(p, 4)));
    const rows: Record<string, unknown>[] = [];
    for (const concurrency of levels) {
      const load = loadavg()[0];
      const [o, t] = await measurePair([ours, theirs], concurrency, seconds, slices, maxTokens);
      rows.push({
        family,
        size,
        c: concurrency,
        ours_tok_s: o.tokS,
        tfjs_tok_s: t.tokS,
        ratio: o.tokS / t.tokS,
        ours_ttft_p50: o.ttftP50 ?? 'n/a',
        ours_ttft_p99: o.ttftP99 ?? 'n/a',
        tfjs_ttft_p50: t.ttftP50 ?? 'n/a',
        tfjs_ttft_p99: t.ttftP99 ?? 'n/a',
        ours_lat_p50: o.latencyP50,
        tfjs_lat_p50: t.latencyP50,
        ours_reqs: o.requests,
        tfjs_reqs: t.requests,
        ours_avg_batch: o.avgBatch ?? 'n/a',
        load1: load,
      });
    }
    // Structured outputs: the same engine with and without a JSON-schema mask, interleaved (per-token mask overhead).
    const spec = { kind: 'json_schema' as const, name: 'bench', schema: BENCH_SCHEMA };
    const json = ours.constrained(spec);
    const outputs = [];
    for (const p of PROMPTS) outputs.push((await json.generate(p, maxTokens)).ids); // also builds the vocabulary trie
    const vocab = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).vocab_size as number;
    const maskCost = { family, size, ...(await measureMaskCost(dir, spec, outputs, vocab)) };
    const structured: Record<string, unknown>[] = [];
    for (const concurrency of [1, Math.max(...levels)]) {
      const load = loadavg()[0];
      const [plain, constrained] = await measurePair([ours, json], concurrency, seconds, slices, maxTokens);
      structured.push({
        family,
        size,
        c: concurrency,
        plain_tok_s: plain.tokS,
        json_tok_s: constrained.tokS,
        ratio: constrained.tokS / plain.tokS,
        // per stream: what a token costs more with the mask
        overhead_ms_per_token: (concurrency * 1000) / constrained.tokS - (concurrency * 1000) / plain.tokS,
        json_reqs: constrained.requests,
        load1: load,
      });
    }
    return { family, size, sameTokens, rows, structured, maskCost };
  } finally {
    await ours.close();
    await theirs.close();
  }
}

function goals(label: string, rows: Record<string, unknown>[], levels: number[]): Record<string, unknown>[] {
  const at = (c: number) => rows.find((r) => r.c === c) as Record<string, number> | undefined;
  const lo = at(Math.min(...levels));
  const hi = at(Math.max(...levels));
  if (!lo || !hi) return [];
  const check = (name: string, value: number, goal: number) => ({ size: label, ratio: name, value, goal: `>= ${goal}`, met: value >= goal ? 'yes' : 'NO' });
  return [
    check(`ours/tfjs single-stream (c=${lo.c})`, lo.ours_tok_s / lo.tfjs_tok_s, 1),
    check(`ours/tfjs aggregate (c=${hi.c})`, hi.ours_tok_s / hi.tfjs_tok_s, 4),
    check(`ours c=${hi.c} / ours c=${lo.c}`, hi.ours_tok_s / lo.ours_tok_s, 4),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      families: { type: 'string', default: 'gpt2' },
      sizes: { type: 'string', default: 'tiny,small' },
      concurrency: { type: 'string', default: '1,4,16' },
      'max-tokens': { type: 'string', default: '32' },
      seconds: { type: 'string', default: '0' },
      slices: { type: 'string', default: '3' },
      'intra-op-threads': { type: 'string', default: '0' },
      'prefix-tokens': { type: 'string', default: '512' },
      'prefix-reps': { type: 'string', default: '5' },
      'prefix-only': { type: 'boolean', default: false },
      'kv-only': { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes!.split(',').map((s) => (s.trim() === 'tiny' ? 'tiny' : 'small'));
  const families = values.families!.split(',').map((f) => {
    if (f.trim() !== 'gpt2' && f.trim() !== 'qwen2') throw new Error(`--families: gpt2 or qwen2, not "${f}"`);
    return f.trim() as FixtureKind;
  });
  const levels = values.concurrency!.split(',').map(Number);
  const maxTokens = Number(values['max-tokens']);
  const intraOpThreads = Number(values['intra-op-threads']);
  const loadAtStart = loadavg();
  process.stdout.write(`bench:generation — load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs\n`);
  const results = [];
  const prefix = [];
  const kv = [];
  for (const family of families) {
    for (const size of sizes) {
      const seconds = Number(values.seconds) || DEFAULT_SECONDS[size];
      if (!values['prefix-only']) kv.push(...(await benchKvResidency(family, size, levels, maxTokens, seconds, Number(values.slices), intraOpThreads)));
      if (values['kv-only']) continue;
      if (Number(values['prefix-reps']) > 0) prefix.push(await benchPrefix(family, size, Number(values['prefix-tokens']), Number(values['prefix-reps']), intraOpThreads));
      if (values['prefix-only']) continue;
      const started = performance.now();
      const r = await benchSize(family, size, levels, maxTokens, seconds, Number(values.slices), intraOpThreads);
      results.push({ ...r, seconds, wallSeconds: (performance.now() - started) / 1000 });
    }
  }
  const rows = results.flatMap((r) => r.rows);
  const goalRows = results.flatMap((r) => goals(`${r.family} ${r.size}`, r.rows, levels));
  printTable(`bench:generation — ${families.join(' and ')} fixtures, greedy, ${maxTokens} new tokens per request; ours (engine over the pool) vs transformers.js pipeline; tokens/s aggregate over all streams, TTFT and latency in ms`, rows);
  printTable(`Prefix cache: time to first token (ms, p50, c=1) with a cached ${values['prefix-tokens']}-token prefix vs a new one; reused = prompt tokens taken from the cache per cached request`, prefix.filter((p) => !('skipped' in p)));
  for (const p of prefix) if ('skipped' in p) process.stdout.write(`Prefix cache on ${p.family} ${p.size}: skipped (${p.skipped})\n`);
  const prefixGoals = prefix.filter((p) => 'ratio' in p).map((p) => ({ size: `${p.family} ${p.size}`, ratio: 'TTFT cold / cached prefix', value: (p as { ratio: number }).ratio, goal: '>= 5', met: (p as { ratio: number }).ratio >= 5 ? 'yes' : 'NO' }));
  printTable('KV cache in the session worker vs crossing per decode step (GENERATION_KV_IN_WORKER=false), same engine, interleaved; tokens/s aggregate, ratio = in worker / crossing', kv);
  printTable('Goals', [...goalRows, ...prefixGoals]);
  printTable('Structured outputs (json_schema mask) vs plain, same engine, interleaved; overhead in ms per token per stream', results.flatMap((r) => r.structured));
  printTable('Constrained decoding on the main thread, per token, without the model (ms): mask + apply + advance vs the sampler alone', results.map((r) => r.maskCost));
  for (const r of results) process.stdout.write(`${r.family} ${r.size}: same greedy tokens as transformers.js: ${r.sameTokens}; ${r.seconds} s cells, ${r.wallSeconds.toFixed(0)} s in all\n`);
  const loadAtEnd = loadavg();
  process.stdout.write(`Load average at end ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')}\n`);
  mkdirSync(resolve('bench', 'results'), { recursive: true });
  const file = resolve('bench', 'results', `generation-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, memGiB: Math.round(totalmem() / 2 ** 30), loadAtStart, loadAtEnd };
  writeFileSync(file, JSON.stringify({ bench: 'generation', families, maxTokens, levels, intraOpThreads, prompts: PROMPTS, machine, results, prefix, kv, goals: [...goalRows, ...prefixGoals] }, null, 2));
  process.stdout.write(`Wrote ${file}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
