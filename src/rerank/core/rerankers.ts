import type { ModelDescriptor } from '../../inference/store/model-store';

/**
 * Which store models are rerankers, and how long their pairs may be. Plain TypeScript.
 *
 * A reranker is a cross-encoder: a text-classification export with one label (the
 * config.json of bge-reranker and ms-marco cross-encoders: `*ForSequenceClassification`,
 * id2label with one entry), or any model whose llmos.json says `"task": "rerank"`.
 */

type Descriptor = Pick<ModelDescriptor, 'task' | 'config'>;

/** The label count of a classification config: num_labels, else the size of id2label. */
export function labelCount(config: Record<string, unknown> | undefined): number | undefined {
  if (typeof config?.num_labels === 'number') return config.num_labels;
  const id2label = config?.id2label;
  return id2label && typeof id2label === 'object' ? Object.keys(id2label).length : undefined;
}

export function isReranker(d: Descriptor): boolean {
  return d.task === 'rerank' || (d.task === 'text-classification' && labelCount(d.config) === 1);
}

const DEFAULT_MAX_LENGTH = 512;
/** RoBERTa-family position tables reserve two rows (padding_idx + 1 offset). */
const OFFSET_POSITIONS = new Set(['roberta', 'xlm-roberta', 'camembert']);

/**
 * Most tokens per pair: the tokenizer's model_max_length (tokenizers without a limit say
 * ~1e30) bounded by what the position table holds, else 512.
 */
export function maxPairLength(d: Descriptor, tokenizerMax: number | undefined): number {
  const limits: number[] = [];
  if (typeof tokenizerMax === 'number' && tokenizerMax > 0 && tokenizerMax < 1e6) limits.push(Math.floor(tokenizerMax));
  const positions = d.config?.max_position_embeddings;
  if (typeof positions === 'number' && positions > 0) limits.push(positions - (OFFSET_POSITIONS.has(String(d.config?.model_type)) ? 2 : 0));
  return limits.length ? Math.min(...limits) : DEFAULT_MAX_LENGTH;
}
