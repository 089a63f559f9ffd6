/**
 * Exports a trained intent model as ONNX (served by the inference pool) and runs the same
 * computation in plain TypeScript as a reference.
 *
 * Signature (dynamic batch and width):
 *   feature_ids         int64   [batch, nnz]   hashed feature ids in [0, dim)
 *   feature_values      float32 [batch, nnz]   0 for padding (any id, e.g. 0)
 *   sentence_embedding  float32 [batch, E]     only when the model was trained with embeddings
 *   -> probs            float32 [batch, C]     softmax over metadata llmos.labels
 *
 * The first layer is an EmbeddingBag: Gather the inW rows of the ids, weight them by the
 * values with a batched MatMul ([B,1,N]·[B,N,k]) and add the bias. A dense [batch, dim]
 * input would move 64·2^16 floats (16 MB) per batch and do a dim-wide MatMul for ~100
 * non-zeros per row. Rows never seen in training are all zero, so the file stores only
 * trained rows plus an int32 remap (hashed id -> stored row, 0 = the shared zero row).
 */
import { GraphBuilder } from '../../inference/onnx/graph-builder';
import type { SparseFeatures } from './featurizer';
import { firstLayerWidth, forwardExample } from './intent-net';
import type { TrainedIntentModel } from './intent-trainer';

export const INTENT_ONNX_INPUTS = { ids: 'feature_ids', values: 'feature_values', embedding: 'sentence_embedding' } as const;
export const INTENT_ONNX_OUTPUT = 'probs';

export { packSparseBatch } from '../../inference/onnx/sparse-batch';
export type { SparseBatch } from '../../inference/onnx/sparse-batch';

export function exportIntentModel(model: TrainedIntentModel): Uint8Array {
  const { shape, weights: w, labels } = model;
  const k = firstLayerWidth(shape);
  // Stored row 0 is the zero row every untrained id maps to.
  const remap = new Int32Array(shape.dim);
  const kept: number[] = [];
  for (let r = 0; r < shape.dim; r++) {
    const row = w.inW.subarray(r * k, (r + 1) * k);
    if (row.some((x) => x !== 0)) {
      kept.push(r);
      remap[r] = kept.length;
    }
  }
  const table = new Float32Array((kept.length + 1) * k);
  kept.forEach((r, i) => table.set(w.inW.subarray(r * k, (r + 1) * k), (i + 1) * k));

  const g = new GraphBuilder('llmos_intent_classifier', { docString: 'LLM OS intent classifier (hashed sparse features, EmbeddingBag first layer)' });
  const ids = g.input(INTENT_ONNX_INPUTS.ids, 'int64', ['batch', 'nnz']);
  const vals = g.input(INTENT_ONNX_INPUTS.values, 'float32', ['batch', 'nnz']);
  const rows = g.op('Gather', [g.initializer('id_to_row', remap, [shape.dim], 'int32'), ids], { axis: 0 });
  const gathered = g.op('Gather', [g.initializer('in_table', table, [kept.length + 1, k]), rows], { axis: 0 }); // [B, N, k]
  const axis1 = g.initializer('axis_1', BigInt64Array.from([1n]), [1], 'int64');
  const weighted = g.op('MatMul', [g.op('Unsqueeze', [vals, axis1]), gathered]); // [B, 1, k]
  let z = g.op('Add', [g.op('Squeeze', [weighted, axis1]), g.initializer('in_bias', w.inB, [k])]);
  if (shape.embeddingDim > 0) {
    const emb = g.input(INTENT_ONNX_INPUTS.embedding, 'float32', ['batch', shape.embeddingDim]);
    z = g.op('Add', [z, g.op('MatMul', [emb, g.initializer('emb_weight', w.inE, [shape.embeddingDim, k])])]);
  }
  let logits = z;
  if (shape.hidden > 0) {
    const h = g.op('Relu', [z]);
    logits = g.op('Add', [g.op('MatMul', [h, g.initializer('out_weight', w.outW, [shape.hidden, shape.classes])]), g.initializer('out_bias', w.outB, [shape.classes])]);
  }
  g.output(g.op('Softmax', [logits], { axis: -1 }), 'float32', ['batch', labels.length], INTENT_ONNX_OUTPUT);

  // Everything a server needs to use the file alone: label order, how to featurize, when to fall back.
  g.metadata('llmos.format', model.format)
    .metadata('llmos.version', String(model.version))
    .metadata('llmos.labels', JSON.stringify(labels))
    .metadata('llmos.featurizer', JSON.stringify(model.featurizer))
    .metadata('llmos.shape', JSON.stringify(shape))
    .metadata('llmos.threshold', String(model.threshold))
    .metadata('llmos.calibration', JSON.stringify(model.calibration));
  return g.build();
}

/**
 * The served model's computation in plain TypeScript: probabilities [batch, C] row-major,
 * for rows of hashed features (and one embedding per row when the model takes them).
 */
export function runIntentModelReference(model: TrainedIntentModel, features: SparseFeatures[], embeddings?: Float32Array[]): Float32Array {
  const { shape } = model;
  if (shape.embeddingDim > 0 && (!embeddings || embeddings.length !== features.length)) {
    throw new Error(`this model needs one sentence embedding of size ${shape.embeddingDim} per row`);
  }
  const out = new Float32Array(features.length * shape.classes);
  const probs = new Float64Array(shape.classes);
  features.forEach((f, b) => {
    for (const id of f.indices) if (id < 0 || id >= shape.dim) throw new Error(`feature id ${id} is outside [0, ${shape.dim})`);
    const emb = shape.embeddingDim > 0 ? (embeddings as Float32Array[])[b] : null;
    if (emb && emb.length !== shape.embeddingDim) throw new Error(`embedding ${b} has size ${emb.length}, expected ${shape.embeddingDim}`);
    forwardExample(shape, model.weights, f.indices, f.values, emb, 0, probs);
    out.set(probs, b * shape.classes);
  });
  return out;
}
