import { Sampler } from '../core/sampling';
import { buildGpt2Onnx } from '../../inference/fixtures/gpt2';
import { FIXTURE_PRESETS } from '../../inference/fixtures/write-fixture';
import type { TensorLike } from '../../inference/pool/batch-tensors';
import { createSession, makeTensorLike, OrtSession } from '../../inference/runtime/ort';
import { EngineLimits, GenerationEngine, StepRunner } from './engine';
import { Sequence } from './sequence';
import { acrossThreads, TINY_GPT2_SHAPE } from './engine.testing';

const shape = TINY_GPT2_SHAPE;
const V = shape.vocabSize;
const limits = (prefixBlocks = 0): EngineLimits => ({ maxBatch: 8, cacheBytes: 64 * 2 ** 20, maxWaiting: 64, prefixCacheBytes: prefixBlocks * 16 * shape.bytesPerToken });
const tokens = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + 7) % 1000);
const PROMPTS = [tokens(5, 1), tokens(6, 2), tokens(9, 3), tokens(30, 4), tokens(41, 5)];

function sequence(promptIds: number[], maxTokens = 10, signal?: AbortSignal): Sequence {
  return new Sequence(0, {
    promptIds,
    maxTokens,
    stopTokenIds: new Set(),
    stop: [],
    sampler: new Sampler({ temperature: 0, logprobs: true }, { vocabSize: V }),
    decode: (ids) => ids.map((i) => String.fromCharCode(0x4e00 + i)).join(''),
    signal,
  });
}

async function collect(seq: Sequence): Promise<{ ids: number[]; logprobs: number[]; reason: string; error?: Error }> {
  const r = { ids: [] as number[], logprobs: [] as number[], reason: '', error: undefined as Error | undefined };
  for await (const e of seq.stream()) {
    if (e.type === 'token') {
      r.ids.push(e.tokenId);
      r.logprobs.push(e.logprob!);
    } else {
      r.reason = e.reason;
      r.error = e.error;
    }
  }
  return r;
}

async function generate(engine: GenerationEngine, prompts: number[][], maxTokens = 10) {
  const seqs = prompts.map((p) => sequence(p, maxTokens));
  for (const s of seqs) engine.submit(s);
  return Promise.all(seqs.map(collect));
}

describe('GenerationEngine with the KV cache beyond a thread boundary (tiny GPT-2 fixture)', () => {
  let session: OrtSession;
  let failDecode = false;
  const run: StepRunner = async (feeds) => {
    if (failDecode && feeds.input_ids.dims[1] === 1) throw new Error('injected failure');
    return (await session.run(feeds as Parameters<OrtSession['run']>[0])) as unknown as Record<string, TensorLike>;
  };

  beforeAll(async () => {
    session = (await createSession(buildGpt2Onnx(FIXTURE_PRESETS.gpt2.tiny, 42), { executionProviders: ['cpu'] })).session;
  });
  afterAll(() => session.release());
  beforeEach(() => (failDecode = false));

  it('gives the in-thread tokens; a decode step sends no keys or values and gets only logits back', async () => {
    const local = await generate(new GenerationEngine('m', shape, run, makeTensorLike, limits()), PROMPTS);
    const remote = acrossThreads(shape, run, makeTensorLike);
    const engine = new GenerationEngine('m', shape, remote.model, makeTensorLike, limits());
    const got = await generate(engine, PROMPTS);
    expect(got.map((r) => r.ids)).toEqual(local.map((r) => r.ids));
    got.forEach((r, i) => r.logprobs.forEach((lp, j) => expect(lp).toBeCloseTo(local[i].logprobs[j], 4)));
    const decodes = remote.log.filter((c) => c.op === 'decode');
    expect(decodes).toHaveLength(engine.getStats().steps);
    for (const c of decodes) {
      expect(c.sentFloats).toBe(0);
      // [rows, 1, vocab] logits, rows <= 5
      expect(c.receivedFloats % V).toBe(0);
      expect(c.receivedFloats / V).toBeLessThanOrEqual(PROMPTS.length);
    }
    // without a prefix cache nothing else moves keys or values either
    for (const c of remote.log.filter((x) => x.op !== 'decode')) expect([c.op, c.sentFloats, c.op === 'prefill' ? 0 : c.receivedFloats]).toEqual([c.op, 0, 0]);
    expect(engine.getStats()).toMatchObject({ active: 0, cacheBytes: 0, cacheLength: 0 });
    expect(remote.pins.held).toBe(0);
  });

  it('with the prefix cache, keys and values cross at prefills and when rows leave, and a conversation hits its earlier turn', async () => {
    const first = tokens(40, 7);
    const remote = acrossThreads(shape, run, makeTensorLike);
    const engine = new GenerationEngine('m', shape, remote.model, makeTensorLike, limits(64));
    const local = new GenerationEngine('m', shape, run, makeTensorLike, limits(64));
    const [a] = await generate(engine, [first]);
    const [b] = await generate(local, [first]);
    expect(a.ids).toEqual(b.ids);
    // the leaving row was read for the prefix cache
    expect(remote.log.find((c) => c.op === 'keep')!.receivedFloats).toBeGreaterThan(0);
    const next = [...first, ...a.ids, ...tokens(5, 8)];
    const [c] = await generate(engine, [next]);
    const [d] = await generate(local, [next]);
    expect(c.ids).toEqual(d.ids);
    expect(engine.getStats().prefixCache.reusedTokens).toBe(local.getStats().prefixCache.reusedTokens);
    expect(engine.getStats().prefixCache.reusedTokens).toBeGreaterThanOrEqual(48);
    const prefills = remote.log.filter((x) => x.op === 'prefill');
    // the second prefill brought its cached past with it
    expect(prefills[1].sentFloats).toBeGreaterThan(0);
    for (const x of remote.log.filter((y) => y.op === 'decode')) expect(x.sentFloats).toBe(0);
  });

  it('a cancelled sequence frees its row and the pin goes when the batch is empty', async () => {
    const remote = acrossThreads(shape, run, makeTensorLike);
    const engine = new GenerationEngine('m', shape, remote.model, makeTensorLike, limits());
    const abort = new AbortController();
    const seqs = [sequence(PROMPTS[0], 40, abort.signal), sequence(PROMPTS[1], 40)];
    for (const s of seqs) engine.submit(s);
    const results = seqs.map(collect);
    while (engine.getStats().steps < 3) await new Promise((r) => setTimeout(r, 1));
    expect(remote.pins.held).toBe(1);
    abort.abort();
    const [cancelled, kept] = await Promise.all(results);
    expect(cancelled.reason).toBe('cancelled');
    expect(kept.ids).toHaveLength(40);
    await engine.idle();
    expect(engine.getStats()).toMatchObject({ active: 0, cacheBytes: 0, finished: { cancelled: 1, length: 1 } });
    expect(remote.pins).toEqual({ held: 0, total: 1 });
  });

  it('a failed decode step ends the batch with the error; the next request starts on an empty batch', async () => {
    const remote = acrossThreads(shape, run, makeTensorLike);
    const engine = new GenerationEngine('m', shape, remote.model, makeTensorLike, limits());
    failDecode = true;
    const failed = await generate(engine, PROMPTS.slice(0, 2));
    expect(failed.map((r) => [r.reason, r.error?.message])).toEqual([
      ['error', 'injected failure'],
      ['error', 'injected failure'],
    ]);
    failDecode = false;
    const local = await generate(new GenerationEngine('m', shape, run, makeTensorLike, limits()), [PROMPTS[2]]);
    const [again] = await generate(engine, [PROMPTS[2]]);
    expect(again.ids).toEqual(local[0].ids);
    expect(remote.pins.held).toBe(0);
  });
});
