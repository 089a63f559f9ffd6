/**
 * Next-token selection for one sequence: logit processors (bias, penalties), then
 * temperature and truncation (top-k, top-p, min-p), then a seeded draw.
 *
 * Order: logit_bias -> repetition_penalty -> presence/frequency penalties (as vLLM's
 * V1 sampler) -> temperature -> top_k -> top_p -> min_p (HF `generate`'s warper order;
 * vLLM applies min_p before top-k/top-p, which differs only when min_p and top_p are
 * combined). Greedy (temperature 0 or do_sample false) takes the argmax after the
 * processors, lowest id on ties.
 *
 * Logprobs ("raw", the default) are the model's own log-softmax over the whole vocabulary,
 * before bias, penalties, temperature and truncation: vLLM V1's default
 * (`logprobs_mode=raw_logprobs`) and what OpenAI's users observe (its logprobs do not
 * change with temperature). They are comparable across requests and never -Infinity for
 * the sampled token. "processed" gives the log-probabilities of the distribution the
 * token was actually drawn from (after every step above, renormalised over the kept
 * tokens; for greedy, the processed logits at temperature 1). Logprobs are computed only
 * when asked for: they cost an exp over the whole vocabulary, as much as the rest of a
 * greedy step.
 */
import { SamplingOptionsError } from './errors';
import { argmax, expNonPositive, logSumExp } from './fast-math';
import { Prng } from './prng';
import { LogprobsMode, SamplingOptions, parseLogitBias, validateSamplingOptions } from './sampling-options';
import { selectMass, selectTop, topNInto, topOfCandidates, topOfRow } from './select';
import type { TokenMask } from '../structured/constraint';

export { SamplingOptionsError } from './errors';
export { choiceSeed } from './prng';
export { argmax, logSumExp } from './fast-math';
export * from './sampling-options';

export interface SamplingContext {
  promptIds: ArrayLike<number>;
  generatedIds: ArrayLike<number>;
}

export interface TokenLogprob {
  tokenId: number;
  logprob: number;
}

export interface SampledToken {
  tokenId: number;
  /** log-probability of tokenId, present when logprobs or top_logprobs was asked for */
  logprob?: number;
  /** best alternatives, most likely first, when top_logprobs > 0 */
  top?: TokenLogprob[];
}

/** Up to this top_k, one pass with a sorted buffer beats quickselect. */
const SMALL_TOP_K = 128;
/** Nucleus candidates are first narrowed to tokens at least this fraction as likely as the best. */
const NUCLEUS_PREFILTER = 1e-4;

/**
 * Scratch rows shared by all samplers. `next()` is synchronous and JS runs one call at a
 * time, so one set serves every sequence, instead of ~1 MB of buffers per sequence.
 */
const scratch = {
  size: 0,
  work: new Float32Array(0),
  ids: new Int32Array(0),
  keys: new Float64Array(0),
  counts: new Int32Array(0),
  seen: new Uint32Array(0),
  epoch: 0,
};

function ensureScratch(vocab: number): void {
  if (scratch.size >= vocab) return;
  scratch.size = vocab;
  scratch.work = new Float32Array(vocab);
  scratch.ids = new Int32Array(vocab);
  scratch.keys = new Float64Array(vocab);
  scratch.counts = new Int32Array(vocab);
  scratch.seen = new Uint32Array(vocab);
  scratch.epoch = 0;
}

/** One per sequence; holds its PRNG, so a seeded sequence is reproducible whatever its batch. */
export class Sampler {
  readonly greedy: boolean;
  private readonly temperature: number;
  private readonly topK: number;
  private readonly topP: number;
  private readonly minP: number;
  private readonly repetition: number;
  private readonly presence: number;
  private readonly frequency: number;
  private readonly wantLogprobs: boolean;
  private readonly topN: number;
  private readonly mode: LogprobsMode;
  private readonly bias: { ids: Int32Array; values: Float32Array };
  private readonly rng: Prng;

  constructor(options: SamplingOptions = {}, config: { vocabSize?: number } = {}) {
    validateSamplingOptions(options, config.vocabSize);
    this.temperature = options.temperature ?? 1;
    this.greedy = options.do_sample === false || this.temperature === 0;
    this.topK = options.top_k ?? 0;
    this.topP = options.top_p ?? 1;
    this.minP = options.min_p ?? 0;
    this.repetition = options.repetition_penalty ?? 1;
    this.presence = options.presence_penalty ?? 0;
    this.frequency = options.frequency_penalty ?? 0;
    this.topN = options.top_logprobs ?? 0;
    this.wantLogprobs = options.logprobs === true || this.topN > 0;
    this.mode = options.logprobs_mode ?? 'raw';
    this.bias = parseLogitBias(options.logit_bias ?? {}, config.vocabSize);
    this.rng = new Prng(options.seed);
  }

  /**
   * Picks the next token from one row of logits (left unmodified). Draws exactly one
   * random number per call unless greedy. `logprob`/`top` are filled only when asked for.
   */
  next(logits: Float32Array, context: SamplingContext, mask?: TokenMask): SampledToken {
    const vocab = logits.length;
    if (vocab === 0) throw new Error('Sampler.next: empty logits row');
    ensureScratch(vocab);
    const work = scratch.work;
    work.set(logits);
    if (mask) applyMask(work, vocab, mask);
    const changed = this.applyProcessors(work, vocab, context) || mask !== undefined;
    const raw = this.wantLogprobs && this.mode === 'raw';

    if (this.greedy) {
      const tokenId = argmax(work, vocab);
      if (!this.wantLogprobs) return { tokenId };
      return this.withLogprobs(tokenId, raw ? logits : work, vocab);
    }

    const { ids, keys } = scratch;
    const { kept: n, max, total, full } = this.truncate(work, vocab);
    let kept = total; // unless truncation dropped something
    if (n < vocab) {
      kept = 0;
      for (let i = 0; i < n; i++) kept += keys[i];
    }
    const u = this.rng.nextFloat() * kept;
    let pick = n - 1;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += keys[i];
      if (u < acc) {
        pick = i;
        break;
      }
    }
    const tokenId = ids[pick];
    if (!this.wantLogprobs) return { tokenId };
    if (raw) {
      // The truncation pass already summed exp over the untouched row when nothing changed it.
      const free = full && !changed && this.temperature === 1;
      return this.withLogprobs(tokenId, logits, vocab, free ? max + Math.log(total) : undefined);
    }
    const logKept = Math.log(kept);
    const out: SampledToken = { tokenId, logprob: Math.log(keys[pick]) - logKept };
    if (this.topN > 0) {
      const best = topOfCandidates(ids, keys, n, this.topN);
      out.top = best.ids.map((id, i) => ({ tokenId: id, logprob: Math.log(best.values[i]) - logKept }));
    }
    return out;
  }

  /** log-softmax of `row` at the chosen token, plus the top alternatives. */
  private withLogprobs(tokenId: number, row: Float32Array, vocab: number, lse = logSumExp(row, vocab)): SampledToken {
    const out: SampledToken = { tokenId, logprob: row[tokenId] - lse };
    if (this.topN > 0) {
      const best = topOfRow(row, vocab, this.topN);
      out.top = best.ids.map((id, i) => ({ tokenId: id, logprob: best.values[i] - lse }));
    }
    return out;
  }

  /**
   * logit_bias, repetition, presence and frequency penalties; touches only the tokens
   * involved. Returns whether any logit may have changed.
   */
  private applyProcessors(work: Float32Array, vocab: number, context: SamplingContext): boolean {
    const { ids: biasIds, values: biasValues } = this.bias;
    for (let i = 0; i < biasIds.length; i++) {
      const id = biasIds[i];
      if (id >= vocab) {
        throw new SamplingOptionsError('logit_bias', `logit_bias names token ${id}, beyond the vocabulary size ${vocab}`);
      }
      work[id] += biasValues[i];
    }
    let changed = biasIds.length > 0;
    if (this.repetition !== 1) {
      const seen = scratch.seen;
      scratch.epoch = (scratch.epoch + 1) >>> 0;
      if (scratch.epoch === 0) {
        seen.fill(0);
        scratch.epoch = 1;
      }
      const epoch = scratch.epoch;
      const penalise = (ids: ArrayLike<number>) => {
        for (let i = 0; i < ids.length; i++) {
          const t = ids[i];
          if (t < 0 || t >= vocab || seen[t] === epoch) continue;
          seen[t] = epoch;
          const x = work[t];
          work[t] = x < 0 ? x * this.repetition : x / this.repetition;
          changed = true;
        }
      };
      penalise(context.promptIds);
      penalise(context.generatedIds);
    }
    if (this.presence !== 0 || this.frequency !== 0) {
      const counts = scratch.counts;
      const gen = context.generatedIds;
      for (let i = 0; i < gen.length; i++) {
        const t = gen[i];
        if (t >= 0 && t < vocab) counts[t]++;
      }
      for (let i = 0; i < gen.length; i++) {
        const t = gen[i];
        if (t < 0 || t >= vocab || counts[t] === 0) continue;
        work[t] -= counts[t] * this.frequency + this.presence;
        counts[t] = 0; // also marks t done for its later repeats
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Fills scratch ids/keys[0..kept) with the kept candidates and their unnormalised
   * probabilities exp((logit - max) / T). `full` says whether `total` summed the whole row.
   */
  private truncate(work: Float32Array, vocab: number): { kept: number; max: number; total: number; full: boolean } {
    const { ids, keys } = scratch;
    const invT = 1 / this.temperature;
    let n = vocab;
    let max: number;
    let total = 0;
    let front = 0; // ids[0..front) hold the likely tokens (weight >= NUCLEUS_PREFILTER)
    let frontMass = 0;
    const full = !(this.topK > 0 && this.topK < vocab);
    if (!full) {
      n = this.topK;
      if (n <= SMALL_TOP_K) {
        topNInto(work, vocab, n, ids, keys); // sorted: the best comes first
        max = keys[0];
      } else {
        for (let i = 0; i < vocab; i++) {
          ids[i] = i;
          keys[i] = work[i];
        }
        selectTop(ids, keys, vocab, n);
        max = -Infinity;
        for (let i = 0; i < n; i++) if (keys[i] > max) max = keys[i];
      }
      if (max !== max) throw new Error('Sampler.next: logits contain NaN');
      checkFinite(max);
      for (let i = 0; i < n; i++) {
        const w = expNonPositive((keys[i] - max) * invT);
        keys[i] = w;
        total += w;
      }
      front = n;
      frontMass = total;
    } else {
      max = work[argmax(work, vocab)];
      checkFinite(max);
      // One pass: weights, total, and the likely tokens packed at the front, the rest at the back.
      let back = vocab;
      for (let i = 0; i < vocab; i++) {
        const w = expNonPositive((work[i] - max) * invT);
        total += w;
        if (w >= NUCLEUS_PREFILTER) {
          ids[front] = i;
          keys[front++] = w;
          frontMass += w;
        } else {
          ids[--back] = i;
          keys[back] = w;
        }
      }
    }
    if (this.topP < 1) {
      const target = this.topP * total;
      // Exact shortcut: if the likely tokens alone reach the target, the cut is among them.
      n = selectMass(ids, keys, frontMass >= target ? front : n, target);
    }
    if (this.minP > 0) {
      // Everything min_p keeps is among the likely tokens packed at the front, unless
      // top_p has already reordered the candidates.
      if (this.topP === 1 && this.minP >= NUCLEUS_PREFILTER) n = Math.min(n, front);
      // The best token has weight exactly 1 (e^0), so min_p compares weights directly.
      let m = 0;
      for (let i = 0; i < n; i++) {
        if (keys[i] >= this.minP) {
          if (i !== m) swapCandidates(ids, keys, i, m);
          m++;
        }
      }
      n = m;
    }
    return { kept: n, max, total, full };
  }
}

/**
 * Constrained decoding: tokens outside the mask get -Infinity, before every other step
 * (so penalties, temperature and truncation see only allowed tokens). One pass over the
 * vocabulary, a word of 32 tokens at a time.
 */
function applyMask(work: Float32Array, vocab: number, mask: TokenMask): void {
  const { bits, extra } = mask;
  const keep = extra.map((id) => work[id]);
  for (let w = 0, base = 0; base < vocab; w++, base += 32) {
    const word = bits[w];
    if (word === 0xffffffff) continue;
    const end = Math.min(base + 32, vocab);
    if (word === 0) {
      work.fill(-Infinity, base, end);
      continue;
    }
    for (let i = base; i < end; i++) if ((word & (1 << (i - base))) === 0) work[i] = -Infinity;
  }
  extra.forEach((id, i) => (work[id] = keep[i]));
}

function checkFinite(max: number): void {
  if (max === -Infinity) throw new Error('Sampler.next: no token has a finite logit');
  if (max === Infinity) throw new Error('Sampler.next: logits contain +Infinity');
}

function swapCandidates(ids: Int32Array, keys: Float64Array, i: number, j: number): void {
  const t = ids[i];
  ids[i] = ids[j];
  ids[j] = t;
  const k = keys[i];
  keys[i] = keys[j];
  keys[j] = k;
}
