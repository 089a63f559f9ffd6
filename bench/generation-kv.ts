/**
 * npm run bench:generation:kv [-- --size small --rows 16 --prompt 64 --steps 32 --rounds 4]
 *
 * What keeping the KV cache in the session worker would gain (issue 14, "Speed"): decode
 * steps of `--rows` sequences on the GPT-2 fixture, run in a worker thread two ways,
 * interleaved (A B B A ...): `transfer` as the engine does today (the whole past goes to
 * the worker and every present comes back, buffers transferred, the main thread adopts
 * them) and `resident` (the worker keeps the present as the next past; only token ids and
 * positions go, only the last position's logits come back). The main thread samples
 * (argmax) in both. Prints ms per step, the main thread's busy share (event-loop
 * utilization, garbage collection included) and the ratio, with the load average.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { FIXTURE_PRESETS, writeFixture } from '../src/inference/fixtures/write-fixture';
import { printTable } from './lib/load';

type Wire = { type: string; dims: number[]; data: Float32Array | BigInt64Array };

function workerEntry(): { file: string; execArgv: string[] } {
  const js = join(__dirname, 'lib', 'kv-residency-worker.js');
  if (existsSync(js)) return { file: js, execArgv: [] };
  return { file: join(__dirname, 'lib', 'kv-residency-worker.ts'), execArgv: ['-r', 'ts-node/register/transpile-only'] };
}

function call(worker: Worker, msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Record<string, Wire>> {
  return new Promise((resolveReply) => {
    worker.once('message', (reply: { outputs: Record<string, Wire> }) => resolveReply(reply.outputs));
    worker.postMessage(msg, transfer);
  });
}

function argmaxRows(logits: Float32Array, rows: number, vocab: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    const row = logits.subarray(r * vocab, (r + 1) * vocab);
    for (let v = 1; v < vocab; v++) if (row[v] > row[best]) best = v;
    out.push(best);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { size: { type: 'string', default: 'small' }, rows: { type: 'string', default: '16' }, prompt: { type: 'string', default: '64' }, steps: { type: 'string', default: '32' }, rounds: { type: 'string', default: '4' } } });
  const size = values.size === 'tiny' ? 'tiny' : 'small';
  const [B, P, steps, rounds] = [Number(values.rows), Number(values.prompt), Number(values.steps), Number(values.rounds)];
  const shape = FIXTURE_PRESETS.gpt2[size];
  const dir = resolve('var', 'fixtures', `${size}-gpt2`);
  if (!existsSync(join(dir, 'onnx', 'model.onnx'))) await writeFixture('gpt2', size, dir);
  const entry = workerEntry();
  const worker = new Worker(entry.file, { execArgv: entry.execArgv, workerData: { model: join(dir, 'onnx', 'model.onnx') } });
  await new Promise((r) => {
    worker.once('message', r);
    worker.postMessage({ type: 'init' });
  });
  const H = shape.nHead;
  const D = shape.nEmbd / shape.nHead;
  const V = shape.vocabSize;
  const i64 = (n: number, f: (i: number) => number) => BigInt64Array.from({ length: n }, (_, i) => BigInt(f(i)));
  const prefillFeeds = (): Record<string, Wire> => {
    const feeds: Record<string, Wire> = {
      input_ids: { type: 'int64', dims: [B, P], data: i64(B * P, (i) => (i * 131 + 7) % V) },
      attention_mask: { type: 'int64', dims: [B, P], data: i64(B * P, () => 1) },
      position_ids: { type: 'int64', dims: [B, P], data: i64(B * P, (i) => i % P) },
    };
    for (let l = 0; l < shape.nLayer; l++) for (const k of ['key', 'value']) feeds[`past_key_values.${l}.${k}`] = { type: 'float32', dims: [B, H, 0, D], data: new Float32Array(0) };
    return feeds;
  };

  /** One sequence batch: a prefill (untimed), then `steps` timed decode steps. */
  async function measure(mode: 'transfer' | 'resident'): Promise<{ msPerStep: number; busy: number; tokens: number[] }> {
    let last: number[];
    let past: Record<string, Wire> = {};
    if (mode === 'transfer') {
      const out = await call(worker, { type: 'transfer', feeds: prefillFeeds() });
      last = argmaxRows(out.logits.data as Float32Array, B, V);
      for (const [n, t] of Object.entries(out)) if (n.startsWith('present.')) past[n.replace('present.', 'past_key_values.')] = t;
    } else {
      const out = await call(worker, { type: 'resident-prefill', feeds: prefillFeeds() });
      last = argmaxRows(out.logits.data as Float32Array, B, V);
    }
    const tokens = [last[0]];
    const elu = performance.eventLoopUtilization();
    const started = performance.now();
    for (let s = 0; s < steps; s++) {
      const ids = i64(B, (r) => last[r]);
      const positions = i64(B, () => P + s);
      let logits: Float32Array;
      if (mode === 'transfer') {
        const L = P + s;
        const feeds: Record<string, Wire> = { input_ids: { type: 'int64', dims: [B, 1], data: ids }, position_ids: { type: 'int64', dims: [B, 1], data: positions }, attention_mask: { type: 'int64', dims: [B, L + 1], data: i64(B * (L + 1), () => 1) }, ...past };
        const out = await call(worker, { type: 'transfer', feeds }, [...new Set(Object.values(feeds).map((t) => t.data.buffer as ArrayBuffer))]);
        past = {};
        for (const [n, t] of Object.entries(out)) if (n.startsWith('present.')) past[n.replace('present.', 'past_key_values.')] = t;
        logits = out.logits.data as Float32Array;
      } else {
        const out = await call(worker, { type: 'resident-step', ids, positions });
        logits = out.logits.data as Float32Array;
      }
      last = argmaxRows(logits, B, V);
      tokens.push(last[0]);
    }
    const ms = performance.now() - started;
    return { msPerStep: ms / steps, busy: performance.eventLoopUtilization(elu).utilization, tokens };
  }

  const loadAtStart = loadavg();
  process.stdout.write(`bench:generation:kv — GPT-2 ${size} fixture, ${B} rows, ${P}-token prompts, ${steps} steps x ${rounds} rounds; load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} CPUs\n`);
  await measure('transfer');
  await measure('resident');
  const acc = { transfer: [] as number[], resident: [] as number[], busyT: [] as number[], busyR: [] as number[] };
  let same = true;
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 === 0 ? (['transfer', 'resident'] as const) : (['resident', 'transfer'] as const)) {
      const m = await measure(mode);
      acc[mode].push(m.msPerStep);
      (mode === 'transfer' ? acc.busyT : acc.busyR).push(m.busy);
      if (r === 0 && mode === 'resident') same = m.tokens.join() === (await measure('transfer')).tokens.join();
    }
  }
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  const t = mean(acc.transfer);
  const res = mean(acc.resident);
  printTable('Decode step, ms (mean of rounds); main-thread busy share; gain = transfer / resident step time', [
    { size, rows: B, past: `${P}..${P + steps}`, transfer_ms_step: t, resident_ms_step: res, gain: t / res, transfer_main_busy: mean(acc.busyT), resident_main_busy: mean(acc.busyR), same_tokens: String(same), load1: loadavg()[0] },
  ]);
  process.stdout.write(`Load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  await worker.terminate();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
