import { GraphBuilder } from '../../inference/onnx/graph-builder';
import { ModelArtifact } from './artifact';

/**
 * A trained version's scoring as one ONNX graph, so that serving can run it through the shared
 * InferencePool (batched across concurrent requests, CPU or CUDA). It computes what
 * `blendDense` + `topItems` compute in TypeScript, over the model's items:
 *
 *   item-item source s:  S_s[b, j] = sum_h x[b, h] * W_s[item[b, h] -> j]
 *                        (the neighbour table as Gather + ScatterElements(add): the history
 *                        vector times the sparse item-item matrix, O(h * neighbours) a row)
 *   factor source f:     S_f = user_f [b, d] x Y_f^T [d, n]   (MatMul)
 *   total = sum_s S_s * (w_s / max_j S_s) (a source whose best is not positive adds nothing)
 *         + bias          (the popularity term, and -inf for excluded items: seen, disliked,
 *                          filtered out, unavailable)
 *   values, indices = TopK(total, min(max(k), n))
 *
 * Inputs: `history_items` int64 [batch, h] and `history_weights` float32 [batch, h] (padding:
 * item 0 with weight 0), `user_<f>` float32 [batch, d] per factor source, `bias` float32
 * [batch, n], `k` int64 [batch, 1] (a batch answers the largest k; each request reads its own).
 * A dense item-item initializer would be n^2 floats per source (1.6 GB at 20k items, over
 * protobuf's 2 GB with two sources) and n^2 multiply-adds a request; the neighbour tables are
 * what the version stores and what the TypeScript scorer reads, so both score the same numbers.
 */
export interface ServingGraph {
  bytes: Uint8Array;
  /** the sources in the graph, with their blend weights */
  sources: Record<string, number>;
  /** factor sources, each an input `user_<name>` */
  factorInputs: string[];
  items: number;
}

/** The graph of `artifact` for the blend weights, or null when no weighted source is in it. */
export function buildServingGraph(artifact: ModelArtifact, weights: Record<string, number>, name = 'recommender'): ServingGraph | null {
  const n = artifact.items.length;
  const tables = Object.entries(artifact.tables).filter(([s, t]) => weights[s] && t.n === n);
  const factors = Object.entries(artifact.factors ?? {}).filter(([s, f]) => weights[s] && f.items === n);
  if (n === 0 || tables.length + factors.length === 0) return null;
  const g = new GraphBuilder(name, { opset: 17, docString: 'llm-os recommender: blended item scores with TopK' });
  const items = g.input('history_items', 'int64', ['batch', 'history']);
  const hw = g.input('history_weights', 'float32', ['batch', 'history']);
  const bias = g.input('bias', 'float32', ['batch', n]);
  const kIn = g.input('k', 'int64', ['batch', 1]);
  const zeros = g.op('ConstantOfShape', [g.op('Shape', [bias])]);
  const hw3 = g.op('Unsqueeze', [hw, g.constI64([2])]);
  const flat = g.constI64([0, -1]);
  const terms: { source: string; scores: string }[] = [];
  for (const [source, t] of tables) {
    // unused slots (-1) point at item 0 with weight 0: they add nothing
    const idx = new BigInt64Array(t.idx.length);
    const w = new Float32Array(t.w.length);
    for (let s = 0; s < t.idx.length; s++) {
      if (t.idx[s] >= 0) {
        idx[s] = BigInt(t.idx[s]);
        w[s] = t.w[s];
      }
    }
    const to = g.op('Gather', [g.initializer(`${source}_neighbors`, idx, [n, t.m]), items], { axis: 0 });
    const amount = g.op('Mul', [g.op('Gather', [g.initializer(`${source}_weights`, w, [n, t.m]), items], { axis: 0 }), hw3]);
    const scores = g.op('ScatterElements', [zeros, g.op('Reshape', [to, flat]), g.op('Reshape', [amount, flat])], { axis: 1, reduction: 'add' });
    terms.push({ source, scores });
  }
  const factorInputs: string[] = [];
  for (const [source, f] of factors) {
    const yt = new Float32Array(f.factors * n);
    for (let i = 0; i < n; i++) for (let c = 0; c < f.factors; c++) yt[c * n + i] = f.itemFactors[i * f.factors + c];
    const user = g.input(`user_${source}`, 'float32', ['batch', f.factors]);
    factorInputs.push(source);
    terms.push({ source, scores: g.op('MatMul', [user, g.initializer(`${source}_items_t`, yt, [f.factors, n])]) });
  }
  const zero = g.constF([0], [1]);
  let total = bias;
  for (const { source, scores } of terms) {
    const best = g.op('ReduceMax', [scores], { axes: [1], keepdims: 1 });
    const scale = g.op('Where', [g.op('Greater', [best, zero]), g.op('Div', [g.constF([weights[source]], [1]), best]), zero]);
    total = g.op('Add', [total, g.op('Mul', [scores, scale])]);
  }
  // k: the batch's largest, at least 1, at most n
  const k = g.op('Min', [g.op('Max', [g.op('Reshape', [g.op('ReduceMax', [kIn], { keepdims: 0 }), g.constI64([1])]), g.constI64([1])]), g.constI64([n])]);
  const [values, indices] = g.node('TopK', [total, k], 2, { axis: 1, largest: 1, sorted: 1 });
  g.output(values, 'float32', ['batch', 'k'], 'values');
  g.output(indices, 'int64', ['batch', 'k'], 'indices');
  g.metadata('items', String(n));
  return { bytes: g.build(), sources: Object.fromEntries(terms.map((t) => [t.source, weights[t.source]])), factorInputs, items: n };
}
