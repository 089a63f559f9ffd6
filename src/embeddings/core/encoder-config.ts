/**
 * How a store model is used as an encoder, from the files beside it (plain TypeScript; the
 * files are read by encoders/encoder-files.ts):
 *  - pooling: llmos.json `embeddings.pooling`, else sentence-transformers' 1_Pooling/config.json
 *    (pooling_mode_cls_token / pooling_mode_mean_tokens / pooling_mode_lasttoken), else mean;
 *  - prefixes: llmos.json `embeddings.queryPrefix/passagePrefix`, else the prompts of
 *    config_sentence_transformers.json, else the published ones of the e5 and bge families
 *    recognised from the model id or config.json's _name_or_path;
 *  - max tokens: the smallest of llmos.json `embeddings.maxTokens`, sentence_bert_config.json
 *    max_seq_length, tokenizer_config.json model_max_length, config.json max_position_embeddings
 *    (minus the offset RoBERTa-family models reserve), capped by EMBEDDINGS_MAX_TOKENS.
 */
import type { Pooling } from './vectors';

export interface EncoderFiles {
  config?: Record<string, unknown>;
  tokenizerConfig?: Record<string, unknown>;
  /** 1_Pooling/config.json */
  pooling?: Record<string, unknown>;
  /** sentence_bert_config.json */
  sentenceBert?: Record<string, unknown>;
  /** config_sentence_transformers.json */
  sentenceTransformers?: Record<string, unknown>;
  /** llmos.json */
  llmos?: Record<string, unknown>;
}

export interface StoreEncoderConfig {
  pooling: Pooling;
  prefixes?: { query?: string; passage?: string };
  matryoshka: boolean;
  maxTokens: number;
  /** hidden size from config.json (checked against the model's output at run time) */
  dim?: number;
}

export const BGE_QUERY_EN = 'Represent this sentence for searching relevant passages: ';
export const BGE_QUERY_ZH = '为这个句子生成表示以用于检索相关文章：';

/** Thrown for a configuration that cannot be served; the message names the file at fault. */
export class EncoderConfigError extends Error {}

const POOLINGS: readonly Pooling[] = ['mean', 'cls', 'last'];

export function encoderConfig(id: string, files: EncoderFiles, cap: number): StoreEncoderConfig {
  const own = files.llmos?.embeddings;
  if (own !== undefined && (typeof own !== 'object' || own === null || Array.isArray(own))) throw new EncoderConfigError('llmos.json: "embeddings" must be an object');
  const e = (own ?? {}) as Record<string, unknown>;
  const known = ['pooling', 'queryPrefix', 'passagePrefix', 'matryoshka', 'maxTokens'];
  const unknown = Object.keys(e).filter((k) => !known.includes(k));
  if (unknown.length) throw new EncoderConfigError(`llmos.json: unknown embeddings setting(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  for (const k of ['queryPrefix', 'passagePrefix'] as const) if (e[k] !== undefined && typeof e[k] !== 'string') throw new EncoderConfigError(`llmos.json: embeddings.${k} must be a string`);
  if (e.matryoshka !== undefined && typeof e.matryoshka !== 'boolean') throw new EncoderConfigError('llmos.json: embeddings.matryoshka must be true or false');
  if (e.maxTokens !== undefined && !(Number.isInteger(e.maxTokens) && (e.maxTokens as number) > 0)) throw new EncoderConfigError('llmos.json: embeddings.maxTokens must be a positive integer');
  return {
    pooling: poolingOf(e.pooling, files.pooling),
    prefixes: prefixesOf(id, e, files),
    matryoshka: e.matryoshka === true,
    maxTokens: maxTokensOf(e.maxTokens as number | undefined, files, cap),
    dim: firstInt(files.config?.hidden_size, files.config?.d_model, files.config?.dim),
  };
}

function poolingOf(own: unknown, st: Record<string, unknown> | undefined): Pooling {
  if (own !== undefined) {
    if (!POOLINGS.includes(own as Pooling)) throw new EncoderConfigError(`llmos.json: embeddings.pooling must be one of ${POOLINGS.join(', ')} (got ${JSON.stringify(own)})`);
    return own as Pooling;
  }
  if (!st) return 'mean';
  const on = Object.entries(st).filter(([k, v]) => k.startsWith('pooling_mode_') && v === true).map(([k]) => k);
  const map: Record<string, Pooling> = { pooling_mode_cls_token: 'cls', pooling_mode_mean_tokens: 'mean', pooling_mode_lasttoken: 'last' };
  const supported = on.filter((k) => k in map);
  if (on.length !== 1 || supported.length !== 1) {
    throw new EncoderConfigError(`1_Pooling/config.json enables ${on.length ? on.join(' + ') : 'no pooling mode'}; supported is exactly one of ${Object.keys(map).join(', ')} (or set "embeddings": {"pooling": "mean" | "cls" | "last"} in llmos.json)`);
  }
  return map[supported[0]];
}

function prefixesOf(id: string, e: Record<string, unknown>, files: EncoderFiles): StoreEncoderConfig['prefixes'] {
  const prompts = (files.sentenceTransformers?.prompts ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const name = `${id} ${String(files.config?._name_or_path ?? '')}`.toLowerCase();
  let family: { query?: string; passage?: string } = {};
  if (/(^|[^a-z0-9])e5-/.test(name) && !name.includes('instruct')) family = { query: 'query: ', passage: 'passage: ' };
  else if (/(^|[^a-z0-9])bge-/.test(name) && !/bge-m3|reranker/.test(name)) family = { query: /-zh/.test(name) ? BGE_QUERY_ZH : BGE_QUERY_EN };
  const query = e.queryPrefix !== undefined ? str(e.queryPrefix) : (str(prompts.query) ?? family.query);
  const passage = e.passagePrefix !== undefined ? str(e.passagePrefix) : (str(prompts.passage) ?? str(prompts.document) ?? family.passage);
  return query || passage ? { ...(query ? { query } : {}), ...(passage ? { passage } : {}) } : undefined;
}

function maxTokensOf(own: number | undefined, files: EncoderFiles, cap: number): number {
  const c = files.config ?? {};
  const positions = firstInt(c.max_position_embeddings);
  // RoBERTa-family position ids start after the padding id: 514 positions hold 512 tokens.
  const offset = ['roberta', 'xlm-roberta', 'camembert'].includes(String(c.model_type)) ? (firstInt(c.pad_token_id) ?? 1) + 1 : 0;
  const tokMax = firstInt(files.tokenizerConfig?.model_max_length);
  const candidates = [own, firstInt(files.sentenceBert?.max_seq_length), tokMax !== undefined && tokMax < 1e6 ? tokMax : undefined, positions !== undefined ? positions - offset : undefined, cap];
  return Math.min(...candidates.filter((v): v is number => v !== undefined && v > 0));
}

function firstInt(...values: unknown[]): number | undefined {
  return values.find((v): v is number => Number.isInteger(v)) as number | undefined;
}
