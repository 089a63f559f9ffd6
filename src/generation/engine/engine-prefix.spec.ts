import { Sampler } from '../core/sampling';
import { buildGpt2Onnx } from '../../inference/fixtures/gpt2';
import { buildQwen2Onnx, qwen2HeadDim } from '../../inference/fixtures/qwen2';
import { FIXTURE_PRESETS } from '../../inference/fixtures/write-fixture';
import type { TensorLike } from '../../inference/pool/batch-tensors';
import { createSession, makeTensorLike, OrtSession } from '../../inference/runtime/ort';
import { EngineLimits, GenerationEngine, StepRunner } from './engine';
import type { CausalLmShape } from './model-shape';
import { Sequence } from './sequence';

/** Max absolute difference allowed between logits with and without a cached prefix (float32 sums in another order). */
const LOGIT_TOLERANCE = 1e-4;
const BLOCK = 16;

const g = FIXTURE_PRESETS.gpt2.tiny;
const q = FIXTURE_PRESETS.qwen2.tiny;
const FAMILIES: { name: string; model: () => Uint8Array; shape: CausalLmShape }[] = [
  {
    name: 'GPT-2',
    model: () => buildGpt2Onnx(g, 42),
    shape: { layers: g.nLayer, kvHeads: g.nHead, headDim: g.nEmbd / g.nHead, vocabSize: g.vocabSize, contextLength: g.nPositions, hasPositionIds: true, bytesPerToken: g.nLayer * 2 * g.nEmbd * 4 },
  },
  {
    name: 'Qwen2',
    model: () => buildQwen2Onnx(q, 42),
    shape: { layers: q.numLayers, kvHeads: q.numKvHeads, headDim: qwen2HeadDim(q), vocabSize: q.vocabSize, contextLength: 128, hasPositionIds: true, bytesPerToken: q.numLayers * 2 * q.numKvHeads * qwen2HeadDim(q) * 4 },
  },
];

const tokens = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + 7) % 1000);
/** A "system prompt" of 37 tokens (2 whole blocks) that several prompts start with. */
const SYSTEM = tokens(37, 1);
const MAX_TOKENS = 10;

interface Result {
  ids: number[];
  logprobs: number[];
  /** last-position logits of every run that computed this sequence alone */
  logits: Float32Array[];
}

function sequence(promptIds: number[]): Sequence {
  return new Sequence(0, {
    promptIds,
    maxTokens: MAX_TOKENS,
    stopTokenIds: new Set(),
    stop: [],
    sampler: new Sampler({ temperature: 0, logprobs: true }, { vocabSize: 1024 }),
    decode: (ids) => ids.map((i) => String.fromCharCode(0x4e00 + i)).join(''),
  });
}

async function collect(seq: Sequence): Promise<Omit<Result, 'logits'>> {
  const r = { ids: [] as number[], logprobs: [] as number[] };
  for await (const e of seq.stream()) {
    if (e.type === 'token') {
      r.ids.push(e.tokenId);
      r.logprobs.push(e.logprob!);
    } else if (e.reason !== 'length') {
      throw e.error ?? new Error(e.reason);
    }
  }
  return r;
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

it('keeps the prefix cache off for a graph without position_ids (its positions follow the past, which padding shifts)', () => {
  const shape = { ...FAMILIES[0].shape, hasPositionIds: false };
  const engine = new GenerationEngine('m', shape, async () => ({}), makeTensorLike, { maxBatch: 8, cacheBytes: 2 ** 20, maxWaiting: 8, prefixCacheBytes: 2 ** 20 });
  expect(engine.getStats().prefixCache.limitBytes).toBe(0);
  engine.setLimits({ maxBatch: 8, cacheBytes: 2 ** 20, maxWaiting: 8, prefixCacheBytes: 2 ** 21 });
  expect(engine.getStats().prefixCache.limitBytes).toBe(0);
});

describe.each(FAMILIES)('GenerationEngine prefix cache ($name fixture)', ({ model, shape }) => {
  let session: OrtSession;
  /** every run: [rows, fed tokens, past columns], and the last-position logits of row 0 */
  let runs: { dims: number[]; logits: Float32Array }[];
  const run: StepRunner = async (feeds) => {
    const out = (await session.run(feeds as Parameters<OrtSession['run']>[0])) as unknown as Record<string, TensorLike>;
    const [rows, fed] = feeds.input_ids.dims;
    const [, S, V] = out.logits.dims;
    runs.push({ dims: [rows, fed, feeds['past_key_values.0.key'].dims[2]], logits: (out.logits.data as Float32Array).slice((S - 1) * V, S * V) });
    return out;
  };
  const limits = (prefixBlocks: number): EngineLimits => ({ maxBatch: 8, cacheBytes: 64 * 2 ** 20, maxWaiting: 64, prefixCacheBytes: prefixBlocks * BLOCK * shape.bytesPerToken, prefixBlockTokens: BLOCK });

  /** Each prompt alone, one after another, through `engine`, with the logits of its runs. */
  async function alone(engine: GenerationEngine, prompts: number[][]): Promise<Result[]> {
    const out: Result[] = [];
    for (const p of prompts) {
      runs = [];
      const seq = sequence(p);
      engine.submit(seq);
      const r = await collect(seq);
      out.push({ ...r, logits: runs.map((x) => x.logits) });
    }
    return out;
  }

  const expectSame = (got: Result[], want: Result[]) => {
    expect(got.map((r) => r.ids)).toEqual(want.map((r) => r.ids));
    got.forEach((r, i) => {
      expect(r.logits).toHaveLength(want[i].logits.length);
      r.logits.forEach((l, j) => expect(maxDiff(l, want[i].logits[j])).toBeLessThan(LOGIT_TOLERANCE));
    });
  };

  beforeAll(async () => {
    session = (await createSession(model(), { executionProviders: ['cpu'] })).session;
  });
  afterAll(() => session.release());

  it('a hit and a partial hit: the same tokens and logits as without the cache, only the uncached part fed', async () => {
    const prompts = [
      [...SYSTEM, ...tokens(9, 2)], // cold: caches its 46 tokens' 2 whole blocks... and more below
      [...SYSTEM, ...tokens(9, 2)], // the same prompt: 2 blocks (45 tokens may be reused at most)
      [...SYSTEM, ...tokens(5, 3)], // the system prompt's 2 blocks
      [...SYSTEM.slice(0, 20), ...tokens(30, 4)], // the first block only: a partial hit
    ];
    const cold = await alone(new GenerationEngine('m', shape, run, makeTensorLike, limits(0)), prompts);
    const engine = new GenerationEngine('m', shape, run, makeTensorLike, limits(64));
    const fed: number[][] = [];
    const warm: Result[] = [];
    for (const p of prompts) {
      warm.push(...(await alone(engine, [p])));
      fed.push(runs[0].dims);
    }
    expectSame(warm, cold);
    // [rows, fed tokens, past columns] of each prefill
    expect(fed).toEqual([
      [1, 46, 0],
      [1, 46 - 32, 32],
      [1, 42 - 32, 32],
      [1, 50 - 16, 16],
    ]);
    expect(engine.getStats().prefixCache).toMatchObject({ hits: 3, misses: 1, reusedTokens: 32 + 32 + 16 });
  });

  it('concurrent requests sharing a prefix, with a miss in the same group, give their solo tokens', async () => {
    const prompts = [tokens(3, 9), ...[5, 6, 7, 8].map((s) => [...SYSTEM, ...tokens(s, s)]), tokens(40, 10)];
    const cold = await alone(new GenerationEngine('m', shape, run, makeTensorLike, limits(0)), prompts);
    const engine = new GenerationEngine('m', shape, run, makeTensorLike, limits(64));
    await alone(engine, [[...SYSTEM, 1]]);
    runs = [];
    const seqs = prompts.map(sequence);
    for (const s of seqs) engine.submit(s);
    const together = await Promise.all(seqs.map(collect));
    expect(together.map((r) => r.ids)).toEqual(cold.map((r) => r.ids));
    together.forEach((r, i) => r.logprobs.forEach((lp, j) => expect(Math.abs(lp - cold[i].logprobs[j])).toBeLessThan(LOGIT_TOLERANCE)));
    // Uncached parts of 3, 10..13 and 40 tokens: one group feeds 13 tokens a row (the 3-token
    // miss left-padded, the others' last 13 with up to 32 cached ones as past), the 40 alone.
    expect(runs.slice(0, 2).map((r) => r.dims)).toEqual([
      [5, 13, 32],
      [1, 40, 0],
    ]);
    expect(engine.getStats().prefixCache).toMatchObject({ hits: 4, misses: 3 });
    expect(engine.getStats()).toMatchObject({ active: 0, cacheBytes: 0 });
  });

  it('a conversation\'s next turn reuses the blocks of the previous turn\'s prompt and answer', async () => {
    const first = [...SYSTEM, ...tokens(20, 11)];
    const engine = new GenerationEngine('m', shape, run, makeTensorLike, limits(64));
    const [turn1] = await alone(engine, [first]);
    // the previous prompt, the answer's tokens (as a client would send them back), a new message
    const second = [...first, ...turn1.ids, ...tokens(6, 12)];
    const [cold] = await alone(new GenerationEngine('m', shape, run, makeTensorLike, limits(0)), [second]);
    const before = engine.getStats().prefixCache.reusedTokens;
    const [warm] = await alone(engine, [second]);
    expectSame([warm], [cold]);
    // 57 prompt + 9 fed answer tokens = 66 cached: 4 whole blocks, beyond the 3 of the first prompt
    expect(engine.getStats().prefixCache.reusedTokens - before).toBe(64);
  });

  it('evicts least recently used blocks within the budget, results unchanged', async () => {
    const prompts = [0, 1, 2, 0, 3, 1].map((s) => [...tokens(33, 20 + s), s]);
    const cold = await alone(new GenerationEngine('m', shape, run, makeTensorLike, limits(0)), prompts);
    // room for 5 blocks; each prompt has 2 (34 tokens, 43 with its answer)
    const engine = new GenerationEngine('m', shape, run, makeTensorLike, limits(5));
    const warm = await alone(engine, prompts);
    expectSame(warm, cold);
    const stats = engine.getStats().prefixCache;
    expect(stats.bytes).toBeLessThanOrEqual(stats.limitBytes);
    expect(stats.evictions).toBeGreaterThan(0);
    // Prompt 0 came back with its first block still cached (its second, a leaf, was the first
    // evicted); prompt 1 came back after both of its blocks were gone.
    expect(stats).toMatchObject({ hits: 1, misses: 5, blocks: 5, evictions: 6, reusedTokens: 16 });
  });
});
