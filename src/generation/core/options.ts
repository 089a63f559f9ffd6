/**
 * Generation request options shared by the native API and the OpenAI surface, with
 * OpenAI's names, ranges and defaults (plus vLLM/HF extras: top_k, min_p,
 * repetition_penalty, stop_token_ids, ignore_eos, do_sample). Every bad value is a
 * GenerationOptionsError whose `param` is the OpenAI field name; null means "not given",
 * as OpenAI clients send it.
 */
import { GenerationOptionsError } from './errors';
import { MAX_TOP_LOGPROBS, SamplingOptions, choiceSeed, validateSamplingOptions } from './sampling';
import { MAX_STOP_STRINGS } from './stop-strings';

export { GenerationOptionsError } from './errors';

export interface GenerationOptionsInput {
  max_tokens?: number | null;
  /** OpenAI's newer name for max_tokens on chat completions */
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  min_p?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  repetition_penalty?: number | null;
  /** false forces greedy decoding */
  do_sample?: boolean | null;
  stop?: string | string[] | null;
  stop_token_ids?: number[] | null;
  ignore_eos?: boolean | null;
  seed?: number | null;
  n?: number | null;
  /** chat: boolean; legacy completions: how many alternatives (0..20 here, OpenAI caps it at 5) */
  logprobs?: boolean | number | null;
  top_logprobs?: number | null;
  logit_bias?: Record<string, number> | null;
}

export interface GenerationOptions {
  max_tokens: number;
  /** effective: 0 when do_sample was false */
  temperature: number;
  top_p: number;
  top_k: number;
  min_p: number;
  presence_penalty: number;
  frequency_penalty: number;
  repetition_penalty: number;
  stop: string[];
  /** request stop ids plus the model's EOS ids (unless ignore_eos), deduplicated */
  stop_token_ids: number[];
  ignore_eos: boolean;
  seed?: number;
  n: number;
  logprobs: boolean;
  top_logprobs: number;
  logit_bias?: Record<string, number>;
}

/** Sampling defaults a model may set in generation_config.json (vLLM honours the same fields). */
export interface ModelSamplingDefaults {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  repetition_penalty?: number;
  max_tokens?: number;
}

export interface GenerationLimits {
  /** the model's end-of-sequence ids (generation_config.json / config.json) */
  eosTokenIds: readonly number[];
  /** the model's context window (n_positions / max_position_embeddings) */
  contextLength: number;
  /** tokens in the rendered prompt */
  promptLength: number;
  vocabSize?: number;
  /** max_tokens when the request gives none; default: all the room left in the context */
  defaultMaxTokens?: number;
  defaults?: ModelSamplingDefaults;
  /** which request field holds the prompt, for errors: "prompt" or "messages" */
  promptParam?: string;
}

export const MAX_CHOICES = 128;

export const GENERATION_DEFAULTS = {
  temperature: 1,
  top_p: 1,
  top_k: 0,
  min_p: 0,
  presence_penalty: 0,
  frequency_penalty: 0,
  repetition_penalty: 1,
  n: 1,
} as const;

export function normalizeGenerationOptions(input: GenerationOptionsInput | undefined, limits: GenerationLimits): GenerationOptions {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new GenerationOptionsError('body', 'generation options must be an object');
  }
  const raw = input ?? {};
  const v = <K extends keyof GenerationOptionsInput>(k: K): Exclude<GenerationOptionsInput[K], null> | undefined =>
    (raw[k] ?? undefined) as Exclude<GenerationOptionsInput[K], null> | undefined;
  const d = limits.defaults ?? {};

  const maxTokens = resolveMaxTokens(v('max_tokens'), v('max_completion_tokens'), limits);
  const sampling: SamplingOptions = {
    temperature: v('temperature') ?? d.temperature ?? GENERATION_DEFAULTS.temperature,
    top_p: v('top_p') ?? d.top_p ?? GENERATION_DEFAULTS.top_p,
    top_k: v('top_k') ?? d.top_k ?? GENERATION_DEFAULTS.top_k,
    min_p: v('min_p') ?? d.min_p ?? GENERATION_DEFAULTS.min_p,
    presence_penalty: v('presence_penalty') ?? GENERATION_DEFAULTS.presence_penalty,
    frequency_penalty: v('frequency_penalty') ?? GENERATION_DEFAULTS.frequency_penalty,
    repetition_penalty: v('repetition_penalty') ?? d.repetition_penalty ?? GENERATION_DEFAULTS.repetition_penalty,
    seed: v('seed'),
    do_sample: v('do_sample'),
    logit_bias: v('logit_bias'),
  };
  validateSamplingOptions(sampling, limits.vocabSize);

  const n = v('n') ?? GENERATION_DEFAULTS.n;
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_CHOICES)) {
    throw new GenerationOptionsError('n', `n must be an integer from 1 to ${MAX_CHOICES}, got ${show(n)}`);
  }
  const ignoreEos = v('ignore_eos') ?? false;
  if (typeof ignoreEos !== 'boolean') {
    throw new GenerationOptionsError('ignore_eos', `ignore_eos must be true or false, got ${show(ignoreEos)}`);
  }
  const { logprobs, topLogprobs } = resolveLogprobs(v('logprobs'), v('top_logprobs'));
  const stopTokenIds = new Set(parseStopTokenIds(v('stop_token_ids'), limits.vocabSize));
  if (!ignoreEos) for (const id of limits.eosTokenIds) stopTokenIds.add(id);

  const out: GenerationOptions = {
    max_tokens: maxTokens,
    temperature: sampling.do_sample === false ? 0 : (sampling.temperature as number),
    top_p: sampling.top_p as number,
    top_k: sampling.top_k as number,
    min_p: sampling.min_p as number,
    presence_penalty: sampling.presence_penalty as number,
    frequency_penalty: sampling.frequency_penalty as number,
    repetition_penalty: sampling.repetition_penalty as number,
    stop: parseStop(v('stop')),
    stop_token_ids: [...stopTokenIds],
    ignore_eos: ignoreEos,
    n,
    logprobs,
    top_logprobs: topLogprobs,
  };
  if (sampling.seed !== undefined) out.seed = sampling.seed;
  if (sampling.logit_bias !== undefined && Object.keys(sampling.logit_bias).length > 0) out.logit_bias = { ...sampling.logit_bias };
  return out;
}

/**
 * The Sampler options for choice `index` of a request: with a seed and n > 1 each
 * choice gets its own derived seed, so the choices differ yet repeat run to run.
 */
export function samplingOptionsFor(o: GenerationOptions, index = 0): SamplingOptions {
  return {
    temperature: o.temperature,
    top_p: o.top_p,
    top_k: o.top_k,
    min_p: o.min_p,
    presence_penalty: o.presence_penalty,
    frequency_penalty: o.frequency_penalty,
    repetition_penalty: o.repetition_penalty,
    seed: o.seed === undefined ? undefined : choiceSeed(o.seed, index),
    logit_bias: o.logit_bias,
    logprobs: o.logprobs,
    top_logprobs: o.top_logprobs,
  };
}

/**
 * Sampling defaults and EOS ids from a model's generation_config.json. A bad value is
 * the model folder's fault, so it is a plain Error naming the file's field.
 */
export function generationConfigDefaults(config: Record<string, unknown> | undefined): {
  defaults: ModelSamplingDefaults;
  eosTokenIds: number[];
} {
  const defaults: ModelSamplingDefaults = {};
  for (const key of ['temperature', 'top_p', 'top_k', 'min_p', 'repetition_penalty'] as const) {
    if (typeof config?.[key] === 'number') defaults[key] = config[key] as number;
  }
  // HF: an explicit do_sample false means greedy whatever temperature says.
  if (config?.do_sample === false) defaults.temperature = 0;
  if (typeof config?.max_new_tokens === 'number') defaults.max_tokens = config.max_new_tokens;
  try {
    validateSamplingOptions(defaults);
  } catch (e) {
    throw new Error(`generation_config.json: ${(e as Error).message}`);
  }
  const eos = config?.eos_token_id;
  const eosTokenIds = (Array.isArray(eos) ? eos : eos === undefined || eos === null ? [] : [eos]).filter((x): x is number =>
    Number.isInteger(x),
  );
  return { defaults, eosTokenIds };
}

function resolveMaxTokens(maxTokens: unknown, maxCompletionTokens: unknown, limits: GenerationLimits): number {
  const { contextLength, promptLength } = limits;
  if (maxTokens !== undefined && maxCompletionTokens !== undefined && maxTokens !== maxCompletionTokens) {
    throw new GenerationOptionsError(
      'max_completion_tokens',
      `max_tokens (${show(maxTokens)}) and max_completion_tokens (${show(maxCompletionTokens)}) disagree; send one of them`,
    );
  }
  const param = maxCompletionTokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
  const given = maxCompletionTokens ?? maxTokens;
  if (given !== undefined && !(Number.isSafeInteger(given) && (given as number) >= 1)) {
    throw new GenerationOptionsError(param, `${param} must be an integer >= 1, got ${show(given)}`);
  }
  const room = contextLength - promptLength;
  if (room <= 0) {
    throw new GenerationOptionsError(
      limits.promptParam ?? 'prompt',
      `prompt is ${promptLength} tokens, which leaves no room in the model's context of ${contextLength} tokens; shorten the prompt`,
      'context_length_exceeded',
    );
  }
  if (given === undefined) {
    return Math.min(room, limits.defaultMaxTokens ?? limits.defaults?.max_tokens ?? room);
  }
  const max = given as number;
  if (promptLength + max > contextLength) {
    throw new GenerationOptionsError(
      param,
      `prompt is ${promptLength} tokens and ${param} ${max} exceed the model's context of ${contextLength} ` +
        `(${promptLength} + ${max} = ${promptLength + max}); lower ${param} to at most ${room} or shorten the prompt`,
      'context_length_exceeded',
    );
  }
  return max;
}

function resolveLogprobs(logprobs: unknown, topLogprobs: unknown): { logprobs: boolean; topLogprobs: number } {
  const isCount = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= MAX_TOP_LOGPROBS;
  if (topLogprobs !== undefined && !isCount(topLogprobs)) {
    throw new GenerationOptionsError('top_logprobs', `top_logprobs must be an integer from 0 to ${MAX_TOP_LOGPROBS}, got ${show(topLogprobs)}`);
  }
  const badLogprobs = () =>
    new GenerationOptionsError('logprobs', `logprobs must be true/false or an integer from 0 to ${MAX_TOP_LOGPROBS}, got ${show(logprobs)}`);
  if (typeof logprobs === 'number') {
    // Legacy completions: logprobs is the number of alternatives.
    if (!isCount(logprobs)) throw badLogprobs();
    return { logprobs: true, topLogprobs: logprobs };
  }
  if (logprobs !== undefined && typeof logprobs !== 'boolean') throw badLogprobs();
  const on = logprobs === true;
  if (!on && topLogprobs !== undefined && topLogprobs !== 0) {
    throw new GenerationOptionsError('top_logprobs', 'top_logprobs needs logprobs set to true');
  }
  return { logprobs: on, topLogprobs: on ? (topLogprobs ?? 0) : 0 };
}

function parseStop(stop: unknown): string[] {
  if (stop === undefined) return [];
  const list = typeof stop === 'string' ? [stop] : stop;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
    throw new GenerationOptionsError('stop', `stop must be a string or an array of strings, got ${show(stop)}`);
  }
  if (list.length > MAX_STOP_STRINGS) {
    throw new GenerationOptionsError('stop', `stop takes at most ${MAX_STOP_STRINGS} strings, got ${list.length}`);
  }
  if (list.some((s) => s.length === 0)) throw new GenerationOptionsError('stop', 'stop strings must not be empty');
  return [...new Set(list as string[])];
}

function parseStopTokenIds(ids: unknown, vocabSize: number | undefined): number[] {
  if (ids === undefined) return [];
  const ok = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (vocabSize === undefined || (x as number) < vocabSize);
  if (!Array.isArray(ids) || !ids.every(ok)) {
    const range = vocabSize === undefined ? 'integers >= 0' : `integers from 0 to ${vocabSize - 1}`;
    throw new GenerationOptionsError('stop_token_ids', `stop_token_ids must be an array of token ids (${range}), got ${show(ids)}`);
  }
  return ids as number[];
}

function show(v: unknown): string {
  if (typeof v === 'number') return String(v);
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
