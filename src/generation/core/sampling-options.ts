/**
 * Sampling options and their validation, with OpenAI's ranges (temperature 0..2,
 * penalties -2..2, logit_bias -100..100, top_logprobs <= 20) and HF/vLLM's for the
 * extras (top_k >= 0, min_p 0..1, repetition_penalty > 0). Errors name the field.
 */
import { SamplingOptionsError } from './errors';

export type LogprobsMode = 'raw' | 'processed';

export interface SamplingOptions {
  /** 0..2, default 1; 0 means greedy */
  temperature?: number;
  /** keep the k most likely tokens; 0 (default) disables */
  top_k?: number;
  /** nucleus: smallest set with at least this mass, (0, 1], default 1 (off) */
  top_p?: number;
  /** drop tokens below min_p x the top token's probability, [0, 1], default 0 (off) */
  min_p?: number;
  /** HF semantics over prompt + generated tokens: divide positive logits, multiply negative; > 0, default 1 (off) */
  repetition_penalty?: number;
  /** OpenAI semantics over generated tokens: minus this once a token has appeared; -2..2 */
  presence_penalty?: number;
  /** OpenAI semantics over generated tokens: minus this times the token's count; -2..2 */
  frequency_penalty?: number;
  /** safe integer; same seed, same logits, same tokens */
  seed?: number;
  /** token id -> added to its logit, -100..100 (OpenAI) */
  logit_bias?: Readonly<Record<string, number>>;
  /** false forces greedy decoding (HF's flag) */
  do_sample?: boolean;
  /** compute the chosen token's logprob (costs one exp pass over the vocabulary) */
  logprobs?: boolean;
  /** how many alternatives to return with each token, 0..20; > 0 implies logprobs */
  top_logprobs?: number;
  logprobs_mode?: LogprobsMode;
}

export const MAX_TOP_LOGPROBS = 20;
export const MAX_LOGIT_BIAS = 100;

/** Throws SamplingOptionsError naming the first bad field. `vocabSize` enables token id checks. */
export function validateSamplingOptions(o: SamplingOptions, vocabSize?: number): void {
  range('temperature', o.temperature, 0, 2);
  if (o.top_k !== undefined && !(Number.isInteger(o.top_k) && o.top_k >= 0)) {
    throw new SamplingOptionsError('top_k', `top_k must be an integer >= 0 (0 disables it), got ${show(o.top_k)}`);
  }
  if (o.top_p !== undefined && !(isNum(o.top_p) && o.top_p > 0 && o.top_p <= 1)) {
    throw new SamplingOptionsError('top_p', `top_p must be a number greater than 0 and at most 1, got ${show(o.top_p)}`);
  }
  range('min_p', o.min_p, 0, 1);
  if (o.repetition_penalty !== undefined && !(isNum(o.repetition_penalty) && o.repetition_penalty > 0)) {
    throw new SamplingOptionsError(
      'repetition_penalty',
      `repetition_penalty must be a number greater than 0 (1 disables it), got ${show(o.repetition_penalty)}`,
    );
  }
  range('presence_penalty', o.presence_penalty, -2, 2);
  range('frequency_penalty', o.frequency_penalty, -2, 2);
  if (o.seed !== undefined && !Number.isSafeInteger(o.seed)) {
    throw new SamplingOptionsError('seed', `seed must be an integer between -(2^53-1) and 2^53-1, got ${show(o.seed)}`);
  }
  for (const field of ['do_sample', 'logprobs'] as const) {
    if (o[field] !== undefined && typeof o[field] !== 'boolean') {
      throw new SamplingOptionsError(field, `${field} must be true or false, got ${show(o[field])}`);
    }
  }
  if (o.top_logprobs !== undefined && !(Number.isInteger(o.top_logprobs) && o.top_logprobs >= 0 && o.top_logprobs <= MAX_TOP_LOGPROBS)) {
    throw new SamplingOptionsError(
      'top_logprobs',
      `top_logprobs must be an integer from 0 to ${MAX_TOP_LOGPROBS}, got ${show(o.top_logprobs)}`,
    );
  }
  if (o.logprobs_mode !== undefined && o.logprobs_mode !== 'raw' && o.logprobs_mode !== 'processed') {
    throw new SamplingOptionsError('logprobs_mode', `logprobs_mode must be "raw" or "processed", got ${show(o.logprobs_mode)}`);
  }
  if (o.logit_bias !== undefined) parseLogitBias(o.logit_bias, vocabSize);
}

/** Validated logit_bias as parallel arrays. Keys are token ids written as decimal strings (OpenAI). */
export function parseLogitBias(bias: unknown, vocabSize?: number): { ids: Int32Array; values: Float32Array } {
  if (typeof bias !== 'object' || bias === null || Array.isArray(bias)) {
    throw new SamplingOptionsError('logit_bias', `logit_bias must be an object mapping token ids to numbers, got ${show(bias)}`);
  }
  const entries = Object.entries(bias as Record<string, unknown>);
  const ids = new Int32Array(entries.length);
  const values = new Float32Array(entries.length);
  entries.forEach(([key, value], i) => {
    const id = /^\d{1,10}$/.test(key) ? Number(key) : NaN;
    if (!Number.isSafeInteger(id) || (vocabSize !== undefined && id >= vocabSize)) {
      const limit = vocabSize === undefined ? '' : ` below the vocabulary size ${vocabSize}`;
      throw new SamplingOptionsError('logit_bias', `logit_bias keys must be token ids (integers >= 0${limit}), got ${show(key)}`);
    }
    if (!isNum(value) || value < -MAX_LOGIT_BIAS || value > MAX_LOGIT_BIAS) {
      throw new SamplingOptionsError(
        'logit_bias',
        `logit_bias values must be numbers from -${MAX_LOGIT_BIAS} to ${MAX_LOGIT_BIAS}, got ${show(value)} for token ${key}`,
      );
    }
    ids[i] = id;
    values[i] = value;
  });
  return { ids, values };
}

function range(field: string, value: unknown, min: number, max: number): void {
  if (value !== undefined && !(isNum(value) && value >= min && value <= max)) {
    throw new SamplingOptionsError(field, `${field} must be a number from ${min} to ${max}, got ${show(value)}`);
  }
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function show(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === undefined) return 'undefined';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
