/**
 * The serving task of a pulled model, read from its config.json the way transformers
 * names head classes (<Base>For<Head>), with sentence-transformers files as the sign of
 * an embedding model.
 */

export const TASKS = [
  'text-generation',
  'feature-extraction',
  'token-classification',
  'text-classification',
  'question-answering',
  'fill-mask',
  'text2text-generation',
] as const;
export type HubTask = (typeof TASKS)[number];

export interface ModelConfigLike {
  architectures?: unknown;
  model_type?: unknown;
  is_encoder_decoder?: unknown;
}

const HEADS: [RegExp, HubTask][] = [
  [/(ForCausalLM|LMHeadModel)$/, 'text-generation'],
  [/ForTokenClassification$/, 'token-classification'],
  [/ForSequenceClassification$/, 'text-classification'],
  [/ForQuestionAnswering$/, 'question-answering'],
  [/ForMaskedLM$/, 'fill-mask'],
  [/(ForConditionalGeneration|ForSeq2SeqLM)$/, 'text2text-generation'],
];

/** model_type values of decoder-only language models, for configs without `architectures` */
const DECODER_TYPES = new Set([
  'gpt2', 'gpt_neo', 'gpt_neox', 'gptj', 'gpt_bigcode', 'codegen', 'bloom', 'opt', 'llama', 'mistral', 'mixtral', 'qwen2', 'qwen2_moe',
  'qwen3', 'phi', 'phi3', 'gemma', 'gemma2', 'gemma3_text', 'stablelm', 'falcon', 'olmo', 'olmo2', 'granite', 'smollm3', 'cohere', 'starcoder2',
]);
/** model_type values of encoders that are used as text embedders when they have no head */
const ENCODER_TYPES = new Set(['bert', 'roberta', 'xlm-roberta', 'distilbert', 'mpnet', 'albert', 'electra', 'deberta', 'deberta-v2', 'nomic_bert', 'modernbert', 'camembert']);

/**
 * @param config the parsed config.json
 * @param repoPaths the repository's file paths (sentence-transformers repos carry modules.json)
 * @returns the task, or undefined when config.json does not say enough
 */
export function inferTask(config: ModelConfigLike, repoPaths: readonly string[] = []): HubTask | undefined {
  const architectures = Array.isArray(config.architectures) ? config.architectures.filter((a): a is string => typeof a === 'string') : [];
  const sentenceTransformers = repoPaths.some((p) => p === 'modules.json' || p === 'sentence_bert_config.json' || /^\d+_Pooling\//.test(p));
  for (const arch of architectures) {
    for (const [re, task] of HEADS) {
      if (re.test(arch)) return task === 'fill-mask' && sentenceTransformers ? 'feature-extraction' : task;
    }
  }
  // A bare encoder (BertModel, MPNetModel, ...) has no head: its output is the embedding.
  if (architectures.some((a) => /Model$/.test(a) && !/For/.test(a))) return 'feature-extraction';
  if (sentenceTransformers) return 'feature-extraction';
  const type = typeof config.model_type === 'string' ? config.model_type : '';
  if (config.is_encoder_decoder === true) return 'text2text-generation';
  if (DECODER_TYPES.has(type)) return 'text-generation';
  if (ENCODER_TYPES.has(type)) return 'feature-extraction';
  return undefined;
}

export function isTask(value: string): value is HubTask {
  return (TASKS as readonly string[]).includes(value);
}
