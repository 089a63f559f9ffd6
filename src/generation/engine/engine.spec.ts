import { Sampler } from '../core/sampling';
import { buildGpt2Onnx } from '../../inference/fixtures/gpt2';
import { FIXTURE_PRESETS } from '../../inference/fixtures/write-fixture';
import type { TensorLike } from '../../inference/pool/batch-tensors';
import { createSession, makeTensorLike, OrtSession } from '../../inference/runtime/ort';
import { EngineLimits, FinishedSequence, GenerationEngine, StepRunner } from './engine';
import { TINY_GPT2_SHAPE } from './engine.testing';
import { Sequence } from './sequence';

const tiny = FIXTURE_PRESETS.gpt2.tiny;
const shape = TINY_GPT2_SHAPE;
const LIMITS: EngineLimits = { maxBatch: 8, cacheBytes: 64 * 2 ** 20, maxWaiting: 64 };

/** Prompts of 5, 6, 7, 9 and 30 tokens: the first four share a prefill run, the last runs alone. */
const PROMPTS = [
  [17, 300, 42, 999, 5],
  [640, 77, 1000, 250, 3, 12],
  [9, 8, 7, 6, 5, 4, 3],
  [100, 200, 300, 400, 500, 600, 700, 800, 900],
  Array.from({ length: 30 }, (_, i) => (i * 37 + 11) % tiny.vocabSize),
];

interface Result {
  ids: number[];
  logprobs: number[];
  reason: string;
  text: string;
}

function sequence(id: number, promptIds: number[], maxTokens = 12, signal?: AbortSignal, stop: string[] = []): Sequence {
  return new Sequence(id, {
    promptIds,
    maxTokens,
    stopTokenIds: new Set(),
    stop,
    sampler: new Sampler({ temperature: 0, logprobs: true }, { vocabSize: shape.vocabSize }),
    decode: (ids) => ids.map((i) => String.fromCharCode(0x4e00 + i)).join(''),
    signal,
  });
}

async function collect(seq: Sequence): Promise<Result> {
  const r: Result = { ids: [], logprobs: [], reason: '', text: '' };
  for await (const e of seq.stream()) {
    r.text += e.text;
    if (e.type === 'token') {
      r.ids.push(e.tokenId);
      r.logprobs.push(e.logprob!);
    } else {
      r.reason = e.reason;
    }
  }
  return r;
}

describe('GenerationEngine prefill batching (tiny GPT-2 fixture)', () => {
  let session: OrtSession;
  /** shapes of the runs that prefilled more than one sequence ([rows, tokens]) */
  let groupRuns: number[][];
  let failGroups: boolean;
  let onGroupRun: () => void;
  const run: StepRunner = async (feeds) => {
    const [rows, tokens] = feeds.input_ids.dims;
    if (rows > 1 && tokens > 1) {
      groupRuns.push([rows, tokens]);
      onGroupRun();
      if (failGroups) throw new Error('injected failure');
    }
    return (await session.run(feeds as Parameters<OrtSession['run']>[0])) as unknown as Record<string, TensorLike>;
  };
  const engine = () => new GenerationEngine('tiny', shape, run, makeTensorLike, LIMITS);

  beforeAll(async () => {
    session = (await createSession(buildGpt2Onnx(tiny, 42), { executionProviders: ['cpu'] })).session;
  });
  afterAll(() => session.release());
  beforeEach(() => {
    groupRuns = [];
    failGroups = false;
    onGroupRun = () => undefined;
  });

  async function solo(prompts: number[][], maxTokens = 12): Promise<Result[]> {
    const out: Result[] = [];
    for (const [i, p] of prompts.entries()) {
      const seq = sequence(i, p, maxTokens);
      engine().submit(seq);
      out.push(await collect(seq));
    }
    return out;
  }

  it('prefills similar-length prompts in one left-padded run and gives exactly their solo tokens', async () => {
    const alone = await solo(PROMPTS);
    expect(groupRuns).toEqual([]);
    const e = engine();
    const seqs = PROMPTS.map((p, i) => sequence(i, p));
    for (const s of seqs) e.submit(s);
    const together = await Promise.all(seqs.map(collect));
    expect(groupRuns).toEqual([[4, 9]]);
    expect(together.map((r) => r.ids)).toEqual(alone.map((r) => r.ids));
    together.forEach((r, i) => r.logprobs.forEach((lp, j) => expect(lp).toBeCloseTo(alone[i].logprobs[j], 4)));
    const stats = e.getStats();
    expect(stats.prefills).toBe(5);
    expect(stats.tokensGenerated).toBe(5 * 12);
    // 12 tokens each: the first from the prefill, 11 decode steps shared by all five
    expect(stats.steps).toBe(11);
  });

  it('a sequence that ends at its prefill or is cancelled during it leaves the rest of its group intact', async () => {
    const alone = await solo(PROMPTS.slice(0, 4));
    const e = engine();
    const cancelled = new AbortController();
    const seqs = [sequence(0, PROMPTS[0]), sequence(1, PROMPTS[1], 1), sequence(2, PROMPTS[2], 12, cancelled.signal), sequence(3, PROMPTS[3])];
    onGroupRun = () => cancelled.abort();
    for (const s of seqs) e.submit(s);
    const results = await Promise.all(seqs.map(collect));
    expect(groupRuns).toEqual([[4, 9]]);
    expect(results.map((r) => r.reason)).toEqual(['length', 'length', 'cancelled', 'length']);
    expect(results[1].ids).toEqual(alone[1].ids.slice(0, 1));
    expect(results[0].ids).toEqual(alone[0].ids);
    expect(results[3].ids).toEqual(alone[3].ids);
    expect(e.getStats()).toMatchObject({ active: 0, cacheBytes: 0 });
  });

  it('a failed prefill run ends every sequence of its group with the error, and the engine keeps serving', async () => {
    const e = engine();
    failGroups = true;
    const seqs = PROMPTS.slice(0, 3).map((p, i) => sequence(i, p));
    for (const s of seqs) e.submit(s);
    const failed = await Promise.all(seqs.map(collect));
    expect(failed.map((r) => r.reason)).toEqual(['error', 'error', 'error']);
    failGroups = false;
    const next = sequence(9, PROMPTS[0]);
    e.submit(next);
    expect((await collect(next)).ids).toEqual((await solo([PROMPTS[0]]))[0].ids);
    expect(e.getStats().finished).toMatchObject({ error: 3, length: 1 });
  });

  it('a stop string found while the next step already runs ends the sequence exactly where it would alone', async () => {
    const alone = await solo(PROMPTS.slice(0, 3));
    // Stop at the text of the 5th generated token of prompt 1: its events come while step 5 runs.
    const stop = alone[1].text.slice(4, 5);
    const cut = alone[1].text.indexOf(stop);
    const e = engine();
    const seqs = [sequence(0, PROMPTS[0]), sequence(1, PROMPTS[1], 12, undefined, [stop]), sequence(2, PROMPTS[2])];
    for (const s of seqs) e.submit(s);
    const results = await Promise.all(seqs.map(collect));
    expect(results[1]).toMatchObject({ reason: 'stop', text: alone[1].text.slice(0, cut) });
    expect(results[1].ids).toEqual(alone[1].ids.slice(0, results[1].ids.length));
    for (const i of [0, 2]) expect({ ...results[i], logprobs: [] }).toEqual({ ...alone[i], logprobs: [] });
    expect(e.getStats()).toMatchObject({ tokensGenerated: 12 + results[1].ids.length + 12, finished: { stop: 1, length: 2 }, active: 0 });
  });

  it('reports each sequence once to its observer: first token, sampled tokens, finish with its counts and times', async () => {
    const firstTokens: number[] = [];
    const runs: number[] = [];
    const finished: FinishedSequence[] = [];
    const e = new GenerationEngine('tiny', shape, run, makeTensorLike, LIMITS, {
      firstToken: (s) => firstTokens.push(s),
      tokens: (n) => runs.push(n),
      finished: (f) => finished.push(f),
    });
    const cancelled = new AbortController();
    const seqs = [sequence(0, PROMPTS[0], 7), sequence(1, PROMPTS[1], 3), sequence(2, PROMPTS[2], 12, cancelled.signal), sequence(3, PROMPTS[4], 5)];
    onGroupRun = () => cancelled.abort();
    for (const s of seqs) e.submit(s);
    const results = await Promise.all(seqs.map(collect));
    expect(results.map((r) => r.reason)).toEqual(['length', 'length', 'cancelled', 'length']);
    // the cancelled one left at its prefill, before its first token
    expect(firstTokens).toHaveLength(3);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(e.getStats().tokensGenerated);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(seqs.reduce((a, s) => a + s.generated.length, 0));
    expect(finished).toHaveLength(4);
    const byPrompt = (n: number) => finished.find((f) => f.promptTokens === n)!;
    expect(byPrompt(5)).toMatchObject({ reason: 'length', completionTokens: 7 });
    expect(byPrompt(6)).toMatchObject({ reason: 'length', completionTokens: 3 });
    expect(byPrompt(7)).toMatchObject({ reason: 'cancelled', completionTokens: 0, ttftSeconds: undefined });
    expect(byPrompt(30)).toMatchObject({ reason: 'length', completionTokens: 5 });
    for (const f of finished.filter((x) => x.reason === 'length')) {
      expect(f.ttftSeconds).toBeGreaterThanOrEqual(0);
      expect(f.e2eSeconds).toBeGreaterThanOrEqual(f.ttftSeconds!);
    }
    expect(e.getStats().finished).toEqual({ length: 3, cancelled: 1 });
  });

  it('counts a sequence once when a failed step ends a batch in which a stop string already ended it', async () => {
    const alone = await solo([PROMPTS[1]]);
    const finished: FinishedSequence[] = [];
    let failed = false;
    const seqs = [sequence(0, PROMPTS[0]), sequence(1, PROMPTS[1], 12, undefined, [alone[0].text.slice(0, 1)])];
    // The engine emits recorded tokens right after starting a run: fail the decode step
    // during which the stop string ended sequence 1 (it is still a row of that step).
    const failing: StepRunner = async (feeds) => {
      const out = run(feeds);
      await null;
      if (!failed && feeds.input_ids.dims[1] === 1 && seqs[1].finished === 'stop') {
        failed = true;
        await out; // the session outlives the test's runs
        throw new Error('injected failure');
      }
      return out;
    };
    const e = new GenerationEngine('tiny', shape, failing, makeTensorLike, LIMITS, { finished: (f) => finished.push(f) });
    for (const s of seqs) e.submit(s);
    const results = await Promise.all(seqs.map(collect));
    expect(failed).toBe(true);
    expect(results.map((r) => r.reason)).toEqual(['error', 'stop']);
    expect(finished.map((f) => f.reason).sort()).toEqual(['error', 'stop']);
    expect(e.getStats().finished).toEqual({ error: 1, stop: 1 });
  });
});

describe('GenerationEngine KV cache budget (tiny GPT-2 fixture)', () => {
  let session: OrtSession;
  beforeAll(async () => {
    session = (await createSession(buildGpt2Onnx(tiny, 42), { executionProviders: ['cpu'] })).session;
  });
  afterAll(() => session.release());

  it('makes sequences beyond the budget wait their turn instead of failing, with unchanged tokens', async () => {
    const decodeRows: number[] = [];
    const run: StepRunner = async (feeds) => {
      const [rows, tokens] = feeds.input_ids.dims;
      if (tokens === 1) decodeRows.push(rows);
      return (await session.run(feeds as Parameters<OrtSession['run']>[0])) as unknown as Record<string, TensorLike>;
    };
    const prompts = PROMPTS.slice(0, 4);
    const alone: Result[] = [];
    for (const [i, p] of prompts.entries()) {
      const seq = sequence(i, p, 12);
      new GenerationEngine('tiny', shape, run, makeTensorLike, LIMITS).submit(seq);
      alone.push(await collect(seq));
    }
    decodeRows.length = 0;
    // room for two rows of the longest worst case (9 + 12 tokens), not three
    const budget = { ...LIMITS, cacheBytes: 2 * 21 * shape.bytesPerToken };
    const engine = new GenerationEngine('tiny', shape, run, makeTensorLike, budget);
    const seqs = prompts.map((p, i) => sequence(10 + i, p, 12));
    seqs.forEach((s) => engine.submit(s));
    expect(engine.getStats().waiting + engine.getStats().active).toBe(4);
    const results = await Promise.all(seqs.map(collect));
    expect(results.map((r) => r.ids)).toEqual(alone.map((r) => r.ids));
    expect(Math.max(...decodeRows)).toBe(2);
    expect(engine.getStats().cacheBytes).toBe(0);
  });

  it('refuses a request that could never fit, stating the numbers', () => {
    const engine = new GenerationEngine('tiny', shape, async () => ({}), makeTensorLike, { ...LIMITS, cacheBytes: 10 * shape.bytesPerToken });
    expect(() => engine.submit(sequence(1, PROMPTS[0], 12))).toThrow(/needs up to .* MB of KV cache \(prompt 5 \+ max_tokens 12 tokens\)/);
  });
});
