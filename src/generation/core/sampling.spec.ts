import { SampledToken, Sampler, SamplingContext, SamplingOptions, SamplingOptionsError, validateSamplingOptions } from './sampling';

const EMPTY: SamplingContext = { promptIds: [], generatedIds: [] };
const row = (...xs: number[]) => new Float32Array(xs);
const logs = (...ps: number[]) => new Float32Array(ps.map(Math.log));

/** The tokens the sampler may draw from: the processed distribution's support (vocab or kept set <= 20). */
function keptSet(logits: Float32Array, opts: SamplingOptions, ctx = EMPTY): number[] {
  const r = new Sampler({ ...opts, seed: 1, logprobs_mode: 'processed', top_logprobs: 20 }).next(logits, ctx);
  // With more than 20 tokens the list only shows the whole kept set when it is shorter.
  if (logits.length > 20) expect(r.top!.length).toBeLessThan(20);
  return r.top!.map((t) => t.tokenId).sort((a, b) => a - b);
}

function frequencies(logits: Float32Array, opts: SamplingOptions, draws: number): number[] {
  const s = new Sampler(opts);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[s.next(logits, EMPTY).tokenId]++;
  return counts.map((c) => c / draws);
}

function logSoftmax(xs: ArrayLike<number>): number[] {
  const m = Math.max(...Array.from(xs));
  const lse = m + Math.log(Array.from(xs).reduce((s, x) => s + Math.exp(x - m), 0));
  return Array.from(xs, (x) => x - lse);
}

/** HF's warpers written the obvious way (full sort): temperature -> top_k -> top_p -> min_p. */
function referenceKept(logits: Float32Array, t: number, k: number, p: number, minP: number): { ids: number[]; probs: Map<number, number> } {
  const scores = Array.from(logits, (x, id) => ({ id, s: x / t }));
  scores.sort((a, b) => b.s - a.s || a.id - b.id);
  let kept = k > 0 ? scores.slice(0, k) : scores;
  const norm = (list: typeof kept) => {
    const m = list[0].s;
    const z = list.reduce((acc, x) => acc + Math.exp(x.s - m), 0);
    return list.map((x) => ({ ...x, q: Math.exp(x.s - m) / z }));
  };
  let withQ = norm(kept);
  let before = 0;
  withQ = withQ.filter((x) => {
    const keep = before < p;
    before += x.q;
    return keep;
  });
  kept = withQ;
  withQ = norm(kept).filter((x, _, all) => x.q >= minP * all[0].q);
  const final = norm(withQ);
  return { ids: final.map((x) => x.id).sort((a, b) => a - b), probs: new Map(final.map((x) => [x.id, x.q])) };
}

describe('Sampler: greedy', () => {
  it('picks the argmax at temperature 0 and with do_sample false, lowest id on ties', () => {
    expect(new Sampler({ temperature: 0 }).next(row(0.1, 3, -2, 2.9), EMPTY).tokenId).toBe(1);
    expect(new Sampler({ temperature: 1, do_sample: false }).next(row(5, 1, 7, 7), EMPTY).tokenId).toBe(2);
    expect(new Sampler({ temperature: 0 }).greedy).toBe(true);
  });

  it('leaves the caller logits untouched and omits logprobs unless asked', () => {
    const logits = row(1, 2, 3);
    const r = new Sampler({ temperature: 0, repetition_penalty: 2, logit_bias: { '2': -50 } }).next(logits, { promptIds: [1], generatedIds: [] });
    expect(Array.from(logits)).toEqual([1, 2, 3]);
    expect(r).toEqual({ tokenId: 0 });
  });

  it('throws on NaN logits instead of picking garbage', () => {
    expect(() => new Sampler({ temperature: 0 }).next(row(1, NaN, 2), EMPTY)).toThrow(/NaN/);
    expect(() => new Sampler({ temperature: 1, seed: 1 }).next(row(1, NaN, 2), EMPTY)).toThrow(/NaN/);
  });
});

describe('Sampler: temperature', () => {
  it('approaches greedy as temperature goes to 0', () => {
    const f = frequencies(row(1, 2, 1.5, 0), { temperature: 0.01, seed: 3 }, 2000);
    expect(f[1]).toBe(1);
  });

  it('draws from softmax(logits / T)', () => {
    const ps = [0.1, 0.2, 0.3, 0.4];
    const f = frequencies(logs(...ps), { temperature: 0.5, seed: 11 }, 40000);
    const z = ps.reduce((s, p) => s + p * p, 0);
    ps.forEach((p, i) => expect(Math.abs(f[i] - (p * p) / z)).toBeLessThan(0.01));
  });
});

describe('Sampler: truncation keeps exactly the right candidates', () => {
  const probs = logs(0.5, 0.3, 0.15, 0.05);

  it('top_k', () => {
    expect(keptSet(row(1, 4, 3, 2, 0), { top_k: 2 })).toEqual([1, 2]);
    expect(keptSet(row(1, 4, 3, 2, 0), { top_k: 1 })).toEqual([1]);
    expect(keptSet(row(1, 4, 3, 2, 0), { top_k: 0 })).toEqual([0, 1, 2, 3, 4]);
    expect(keptSet(row(1, 4, 3, 2, 0), { top_k: 99 })).toEqual([0, 1, 2, 3, 4]);
    expect(keptSet(row(2, 1, 2, 2), { top_k: 2 })).toEqual([0, 2]); // ties: lower ids first
  });

  it('top_p keeps the smallest prefix reaching the mass (HF: mass before the token < top_p)', () => {
    expect(keptSet(probs, { top_p: 0.45 })).toEqual([0]);
    expect(keptSet(probs, { top_p: 0.55 })).toEqual([0, 1]);
    expect(keptSet(probs, { top_p: 0.75 })).toEqual([0, 1]);
    expect(keptSet(probs, { top_p: 0.85 })).toEqual([0, 1, 2]);
    expect(keptSet(probs, { top_p: 1 })).toEqual([0, 1, 2, 3]);
  });

  it('min_p drops tokens below min_p x the best probability', () => {
    expect(keptSet(probs, { min_p: 0.2 })).toEqual([0, 1, 2]); // threshold 0.1
    expect(keptSet(probs, { min_p: 0.4 })).toEqual([0, 1]); // threshold 0.2
    expect(keptSet(probs, { min_p: 1 })).toEqual([0]);
  });

  it('renormalises over the kept set when sampling', () => {
    const f = frequencies(logs(0.4, 0.3, 0.2, 0.1), { top_k: 2, seed: 5 }, 30000);
    expect(Math.abs(f[0] - 4 / 7)).toBeLessThan(0.012);
    expect(Math.abs(f[1] - 3 / 7)).toBeLessThan(0.012);
    expect(f[2] + f[3]).toBe(0);
  });

  it('matches a full-sort reference on random rows (temperature, top_k, top_p, min_p combined)', () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let trial = 0; trial < 200; trial++) {
      const logits = new Float32Array(20).map(() => rnd() * 8 - 4);
      const t = 0.3 + rnd() * 1.5;
      const k = rnd() < 0.5 ? 0 : 1 + Math.floor(rnd() * 19);
      const p = rnd() < 0.2 ? 1 : 0.2 + rnd() * 0.79;
      const minP = rnd() < 0.5 ? 0 : rnd() * 0.3;
      const ref = referenceKept(logits, t, k, p, minP);
      const r = new Sampler({ temperature: t, top_k: k, top_p: p, min_p: minP, seed: trial, logprobs_mode: 'processed', top_logprobs: 20 }).next(logits, EMPTY);
      expect(r.top!.map((x) => x.tokenId).sort((a, b) => a - b)).toEqual(ref.ids);
      for (const x of r.top!) expect(Math.exp(x.logprob)).toBeCloseTo(ref.probs.get(x.tokenId)!, 5);
      expect(ref.ids).toContain(r.tokenId);
    }
  });

  it('finds the nucleus in a 50257-token row (prefilter and quickselect paths)', () => {
    let seed = 99;
    const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
    const logits = new Float32Array(50257).map(() => rnd() * 4 - 2);
    for (let j = 0; j < 15; j++) logits[Math.floor(rnd() * 50257)] = 13 + rnd() * 2;
    const variants: SamplingOptions[] = [{ top_p: 0.9 }, { top_p: 0.9, top_k: 300 }, { top_p: 0.6, temperature: 0.7 }, { top_k: 12 }, { min_p: 0.3 }];
    for (const opts of variants) {
      const ref = referenceKept(logits, opts.temperature ?? 1, opts.top_k ?? 0, opts.top_p ?? 1, opts.min_p ?? 0);
      expect(ref.ids.length).toBeLessThan(20);
      expect(keptSet(logits, opts)).toEqual(ref.ids);
    }
  });

  it('falls back to the whole row when the likely tokens do not reach top_p', () => {
    // One token with weight 1 and 999 tied tokens with weight 5e-5 each: top_p 0.97
    // needs ~370 of the tied ones, taken in id order.
    const logits = new Float32Array(1000).fill(Math.log(5e-5));
    logits[0] = 0;
    const w = Math.exp(logits[1]);
    const target = 0.97 * (1 + 999 * w);
    const keptTail = Math.ceil((target - 1) / w);
    const s = new Sampler({ top_p: 0.97, seed: 8 });
    let maxId = 0;
    for (let i = 0; i < 20000; i++) maxId = Math.max(maxId, s.next(logits, EMPTY).tokenId);
    expect(maxId).toBeLessThanOrEqual(keptTail + 1);
    expect(maxId).toBeGreaterThan(keptTail - 40);
  });
});

describe('Sampler: penalties and bias on hand-computed logits', () => {
  // logits [2, -1, 0.5, 3]; prompt [0]; generated [1, 1, 2]
  const logits = row(2, -1, 0.5, 3);
  const ctx: SamplingContext = { promptIds: [0], generatedIds: [1, 1, 2] };
  const processed = (opts: SamplingOptions) => {
    const r = new Sampler({ ...opts, temperature: 0, logprobs_mode: 'processed', top_logprobs: 4 }).next(logits, ctx);
    const byId = new Map(r.top!.map((t) => [t.tokenId, t.logprob]));
    return [0, 1, 2, 3].map((id) => byId.get(id)!);
  };
  const expectLogits = (got: number[], want: number[]) => logSoftmax(want).forEach((w, i) => expect(got[i]).toBeCloseTo(w, 5));

  it('repetition_penalty (HF): divides positive, multiplies negative, over prompt + generated, once per token', () => {
    expectLogits(processed({ repetition_penalty: 2 }), [1, -2, 0.25, 3]);
  });

  it('presence and frequency penalties (OpenAI): over generated tokens, count-weighted', () => {
    expectLogits(processed({ presence_penalty: 0.5, frequency_penalty: 0.25 }), [2, -2, -0.25, 3]);
  });

  it('all three together, repetition first', () => {
    expectLogits(processed({ repetition_penalty: 2, presence_penalty: 0.5, frequency_penalty: 0.25 }), [1, -3, -0.5, 3]);
  });

  it('logit_bias moves the argmax and can ban a token', () => {
    expect(new Sampler({ temperature: 0, logit_bias: { '3': -100 } }).next(logits, EMPTY).tokenId).toBe(0);
    expect(new Sampler({ temperature: 0, logit_bias: { '1': 5 } }).next(logits, EMPTY).tokenId).toBe(1);
    const f = frequencies(logits, { seed: 2, logit_bias: { '3': -100, '0': -100 } }, 2000);
    expect(f[0] + f[3]).toBe(0);
  });

  it('negative penalties encourage repeats', () => {
    expectLogits(processed({ presence_penalty: -1 }), [2, 0, 1.5, 3]);
  });
});

describe('Sampler: seeds', () => {
  const flat = row(0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7);
  const draw = (s: Sampler, n: number, logits = flat) => Array.from({ length: n }, () => s.next(logits, EMPTY).tokenId);

  it('repeats with the same seed and differs across seeds', () => {
    const a = draw(new Sampler({ seed: 42 }), 200);
    expect(draw(new Sampler({ seed: 42 }), 200)).toEqual(a);
    expect(draw(new Sampler({ seed: 43 }), 200)).not.toEqual(a);
    expect(draw(new Sampler({ seed: -42 }), 200)).not.toEqual(a);
    expect(draw(new Sampler({ seed: 42 + 2 ** 32 }), 200)).not.toEqual(a);
  });

  it('gives the same tokens whatever other sequences are sampled in between', () => {
    const alone = draw(new Sampler({ seed: 7, frequency_penalty: 0.5 }), 100);
    const a = new Sampler({ seed: 7, frequency_penalty: 0.5 });
    const b = new Sampler({ seed: 8, repetition_penalty: 1.3, presence_penalty: 1, top_p: 0.8 });
    const other = new Float32Array(1000).map((_, i) => Math.sin(i));
    const interleaved: number[] = [];
    for (let i = 0; i < 100; i++) {
      b.next(other, { promptIds: [1, 2, 3], generatedIds: [4, 4, 5] });
      interleaved.push(a.next(flat, EMPTY).tokenId);
      b.next(other, { promptIds: [9], generatedIds: [9, 9] });
    }
    expect(interleaved).toEqual(alone);
  });

  it('draws unseeded streams that differ', () => {
    expect(draw(new Sampler({}), 100)).not.toEqual(draw(new Sampler({}), 100));
  });
});

describe('Sampler: logprobs', () => {
  const logits = row(1, 2, 0.5, -1, 3, 0, 0.25, 2.5, -3, 1.5);

  it('raw mode is the log-softmax of the model logits, unaffected by temperature, penalties and truncation', () => {
    const want = logSoftmax(logits);
    for (const opts of [{ temperature: 0, repetition_penalty: 1.3, logit_bias: { '8': 3 } }, { temperature: 1.7, top_k: 3 }, { temperature: 0.3, top_p: 0.5, repetition_penalty: 1.5 }, { temperature: 1 }, { temperature: 1, repetition_penalty: 2 }]) {
      const r: SampledToken = new Sampler({ ...opts, seed: 4, top_logprobs: 10 }).next(logits, { promptIds: [4], generatedIds: [] });
      expect(r.logprob).toBeCloseTo(want[r.tokenId], 6);
      expect(r.top!.map((t) => t.tokenId)).toEqual([4, 7, 1, 9, 0, 2, 6, 5, 3, 8]);
      r.top!.forEach((t) => expect(t.logprob).toBeCloseTo(want[t.tokenId], 6));
      expect(r.top!.reduce((s, t) => s + Math.exp(t.logprob), 0)).toBeCloseTo(1, 6);
    }
  });

  it('processed mode is normalised over the kept set, and logprobs alone gives no top list', () => {
    const r = new Sampler({ temperature: 0.8, top_p: 0.9, seed: 6, logprobs_mode: 'processed', top_logprobs: 20 }).next(logits, EMPTY);
    expect(r.top!.reduce((s, t) => s + Math.exp(t.logprob), 0)).toBeCloseTo(1, 6);
    expect(r.top!.find((t) => t.tokenId === r.tokenId)!.logprob).toBeCloseTo(r.logprob!, 9);
    const plain = new Sampler({ seed: 6, logprobs: true }).next(logits, EMPTY);
    expect(plain.top).toBeUndefined();
    expect(plain.logprob).toBeCloseTo(logSoftmax(logits)[plain.tokenId], 6);
  });

  it('returns at most top_logprobs alternatives, best first', () => {
    const r = new Sampler({ temperature: 0, top_logprobs: 3 }).next(logits, EMPTY);
    expect(r.top!.map((t) => t.tokenId)).toEqual([4, 7, 1]);
  });
});

describe('validateSamplingOptions', () => {
  const cases: [SamplingOptions, string, RegExp][] = [
    [{ temperature: 2.5 }, 'temperature', /temperature must be a number from 0 to 2, got 2.5/],
    [{ temperature: -0.1 }, 'temperature', /from 0 to 2/],
    [{ top_p: 0 }, 'top_p', /top_p must be a number greater than 0 and at most 1, got 0/],
    [{ top_p: 1.01 }, 'top_p', /got 1.01/],
    [{ top_k: -1 }, 'top_k', /top_k must be an integer >= 0 \(0 disables it\), got -1/],
    [{ top_k: 1.5 }, 'top_k', /got 1.5/],
    [{ min_p: 2 }, 'min_p', /min_p must be a number from 0 to 1/],
    [{ repetition_penalty: 0 }, 'repetition_penalty', /greater than 0 \(1 disables it\), got 0/],
    [{ presence_penalty: 2.5 }, 'presence_penalty', /from -2 to 2, got 2.5/],
    [{ frequency_penalty: -3 }, 'frequency_penalty', /from -2 to 2, got -3/],
    [{ seed: 1.5 }, 'seed', /seed must be an integer/],
    [{ top_logprobs: 21 }, 'top_logprobs', /from 0 to 20, got 21/],
    [{ temperature: '1' as unknown as number }, 'temperature', /got "1"/],
    [{ logit_bias: { abc: 1 } }, 'logit_bias', /keys must be token ids/],
    [{ logit_bias: { '5': 200 } }, 'logit_bias', /from -100 to 100, got 200 for token 5/],
  ];
  it.each(cases)('rejects %j naming %s', (opts, param, message) => {
    let err: unknown;
    try {
      validateSamplingOptions(opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SamplingOptionsError);
    expect((err as SamplingOptionsError).param).toBe(param);
    expect((err as SamplingOptionsError).status).toBe(400);
    expect((err as Error).message).toMatch(message);
  });

  it('checks logit_bias token ids against the vocabulary when known', () => {
    expect(() => new Sampler({ logit_bias: { '50257': 1 } }, { vocabSize: 50257 })).toThrow(/below the vocabulary size 50257/);
    expect(() => new Sampler({ logit_bias: { '50256': 1 } }, { vocabSize: 50257 })).not.toThrow();
  });

  it('accepts the boundaries', () => {
    expect(() =>
      validateSamplingOptions({ temperature: 2, top_p: 1, top_k: 0, min_p: 1, presence_penalty: -2, frequency_penalty: 2, repetition_penalty: 0.5, top_logprobs: 20 }),
    ).not.toThrow();
  });
});

describe('Sampler with a token mask (constrained decoding)', () => {
  const vocab = 1100;
  const bits = new Uint32Array(Math.ceil(vocab / 32));
  for (const id of [3, 40, 1000]) bits[id >>> 5] |= 1 << (id & 31);
  const mask = { bits, extra: [5] };
  const logits = Float32Array.from({ length: vocab }, (_, i) => (i === 7 ? 50 : Math.cos(i)));
  const ctx = { promptIds: [], generatedIds: [] };

  it('greedy takes the best allowed token, and the row itself is left alone', () => {
    const best = [3, 40, 1000, 5].reduce((a, b) => (logits[b] > logits[a] ? b : a));
    expect(new Sampler({ temperature: 0 }).next(logits, ctx, mask).tokenId).toBe(best);
    expect(logits[7]).toBe(50);
  });

  it('sampling (with top-k, top-p, penalties) only ever draws allowed tokens', () => {
    const allowed = new Set([3, 40, 1000, 5]);
    const s = new Sampler({ temperature: 1.5, top_k: 50, top_p: 0.99, repetition_penalty: 1.3, seed: 9, logprobs: true });
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const t = s.next(logits, { promptIds: [7, 3], generatedIds: [40] }, mask);
      expect(allowed.has(t.tokenId)).toBe(true);
      expect(Number.isFinite(t.logprob)).toBe(true);
      seen.add(t.tokenId);
    }
    expect(seen.size).toBeGreaterThan(1);
  });
});
