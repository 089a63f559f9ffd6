/**
 * The built-in lexical encoder as ONNX (served by the inference pool), and the same
 * computation in plain TypeScript as a reference.
 *
 * Signature (dynamic batch and width):
 *   feature_ids         int64   [batch, nnz]   hashed bucket ids in [0, buckets)
 *   feature_values      float32 [batch, nnz]   0 for padding
 *   -> sentence_embedding float32 [batch, dim] L2-normalized
 *
 * A random sign projection (Achlioptas 2003): each bucket owns a fixed row of +-1 signs,
 * stored as int8 (buckets x dim bytes), Gathered for the row's ids, weighted by the values
 * with a batched MatMul, then L2-normalized. Truncating the first k dimensions is itself a
 * random projection to k dimensions, so `dimensions` works on this encoder (Matryoshka-like).
 */
import { GraphBuilder, onnxDataType } from '../../inference/onnx/graph-builder';
import type { LexicalFeatures } from './lexical-features';
import { projectionSigns } from './lexical-hash';

export const LEXICAL_INPUTS = { ids: 'feature_ids', values: 'feature_values' } as const;
export const LEXICAL_OUTPUT = 'sentence_embedding';

export interface LexicalShape {
  buckets: number;
  dim: number;
  seed: number;
}

export function buildLexicalOnnx(shape: LexicalShape, version: number): Uint8Array {
  const g = new GraphBuilder('llmos_lexical_encoder', { docString: 'LLM OS built-in lexical encoder: hashed words and character n-grams, random sign projection, L2 normalize' });
  const ids = g.input(LEXICAL_INPUTS.ids, 'int64', ['batch', 'nnz']);
  const vals = g.input(LEXICAL_INPUTS.values, 'float32', ['batch', 'nnz']);
  const signs = g.initializer('projection_signs', projectionSigns(shape.buckets, shape.dim, shape.seed), [shape.buckets, shape.dim], 'int8');
  const rows = g.op('Cast', [g.op('Gather', [signs, ids], { axis: 0 })], { to: onnxDataType('float32') }); // [B, N, dim]
  const axis1 = g.constI64([1]);
  const z = g.op('Squeeze', [g.op('MatMul', [g.op('Unsqueeze', [vals, axis1]), rows]), axis1]); // [B, dim]
  const norm = g.op('Max', [g.op('ReduceL2', [z], { axes: [1], keepdims: 1 }), g.constF([1e-12], [])]);
  g.output(g.op('Div', [z, norm]), 'float32', ['batch', shape.dim], LEXICAL_OUTPUT);
  g.metadata('llmos.encoder', 'llmos-lexical').metadata('llmos.version', String(version)).metadata('llmos.shape', JSON.stringify(shape));
  return g.build();
}

/** What the graph computes, for tests: one normalized vector per row. */
export function lexicalReference(shape: LexicalShape, rows: LexicalFeatures[], signs = projectionSigns(shape.buckets, shape.dim, shape.seed)): Float32Array[] {
  return rows.map((r) => {
    const v = new Float64Array(shape.dim);
    r.indices.forEach((id, n) => {
      for (let d = 0; d < shape.dim; d++) v[d] += r.values[n] * signs[id * shape.dim + d];
    });
    const norm = Math.max(Math.hypot(...v), 1e-12);
    return Float32Array.from(v, (x) => x / norm);
  });
}
