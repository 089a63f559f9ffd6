/**
 * What the engine needs to know about a causal LM export, from config.json and the
 * session's inputs: layers, key/value heads and head size of the KV cache, the context
 * length and the input convention (Hugging Face Optimum's decoder-with-past:
 * input_ids, attention_mask, position_ids?, past_key_values.{i}.key|value ->
 * logits, present.{i}.key|value). GPT-2 and Llama/Qwen-style configs are understood.
 */

export interface CausalLmShape {
  layers: number;
  kvHeads: number;
  headDim: number;
  vocabSize: number;
  contextLength: number;
  hasPositionIds: boolean;
  /** float32 bytes one token takes in the cache, all layers, keys and values */
  bytesPerToken: number;
}

const num = (c: Record<string, unknown>, ...keys: string[]): number | undefined => {
  for (const k of keys) if (typeof c[k] === 'number') return c[k] as number;
  return undefined;
};

export class ModelShapeError extends Error {}

/**
 * `inputShapes`: the session's declared input shapes (dims are numbers or symbolic names);
 * where the first cache input has numeric key/value-head and head-size dims, config.json
 * must agree with them.
 */
export function causalLmShape(config: Record<string, unknown> | undefined, inputNames: string[], inputShapes: Record<string, readonly (number | string)[]> = {}): CausalLmShape {
  const c = config ?? {};
  const layers = num(c, 'n_layer', 'num_hidden_layers', 'num_layers');
  const heads = num(c, 'n_head', 'num_attention_heads');
  const hidden = num(c, 'n_embd', 'hidden_size', 'd_model');
  const kvHeads = num(c, 'num_key_value_heads', 'n_head_kv', 'multi_query_group_num') ?? heads;
  const headDim = num(c, 'head_dim') ?? (hidden && heads ? hidden / heads : undefined);
  const vocabSize = num(c, 'vocab_size');
  const contextLength = num(c, 'n_positions', 'max_position_embeddings', 'n_ctx', 'seq_length') ?? 2048;
  const missing = [
    ['layers (n_layer / num_hidden_layers)', layers],
    ['attention heads (n_head / num_attention_heads)', heads],
    ['head size (head_dim or hidden_size / heads)', headDim],
    ['vocab_size', vocabSize],
  ].filter(([, v]) => v === undefined || !Number.isInteger(v as number));
  if (missing.length) throw new ModelShapeError(`config.json lacks ${missing.map(([k]) => k).join(', ')}`);
  for (let i = 0; i < layers!; i++) {
    for (const kind of ['key', 'value']) {
      if (!inputNames.includes(`past_key_values.${i}.${kind}`)) {
        throw new ModelShapeError(`the ONNX file has no input past_key_values.${i}.${kind}: export the model "with past" (Optimum's text-generation-with-past)`);
      }
    }
  }
  const declared = inputShapes['past_key_values.0.key'];
  if (declared?.length === 4) {
    const [graphKv, graphDim] = [declared[1], declared[3]];
    if ((typeof graphKv === 'number' && graphKv !== kvHeads) || (typeof graphDim === 'number' && graphDim !== headDim)) {
      throw new ModelShapeError(
        `config.json gives a KV cache of ${kvHeads} key/value heads x ${headDim} (num_key_value_heads, head_dim), but the ONNX input past_key_values.0.key is [${declared.join(', ')}]: the config does not belong to this export`,
      );
    }
  }
  for (const name of ['input_ids', 'attention_mask']) {
    if (!inputNames.includes(name)) throw new ModelShapeError(`the ONNX file has no ${name} input`);
  }
  return {
    layers: layers!,
    kvHeads: kvHeads!,
    headDim: headDim!,
    vocabSize: vocabSize!,
    contextLength,
    hasPositionIds: inputNames.includes('position_ids'),
    bytesPerToken: layers! * 2 * kvHeads! * headDim! * 4,
  };
}
