import { onnx } from 'onnx-proto';
import { tensorProto } from './graph-builder';

/**
 * Rewrites a causal LM so it computes logits for the last position only.
 *
 * Hugging Face exports compute `logits` [batch, seq, vocab] for every input position,
 * but generation only reads the last one. During a prefill that wastes the vocabulary
 * projection for every prompt token (for GPT-2-small, 2×768×50257 FLOPs per token, about
 * a third of the prefill) and makes a [seq, 50257] float tensor that crosses threads.
 * vLLM and TGI compute last-token logits only; this does the same to the graph: a Slice
 * keeps the last position of the hidden states right before the projection, so `logits`
 * becomes [batch, 1, vocab]. Decode steps (seq = 1) are unchanged.
 *
 * Returns undefined, leaving the model as it is, when the graph does not have the
 * expected shape (logits from a MatMul, possibly through a bias Add / Cast / softcap),
 * or stores weights outside the file.
 */

const PROJECTIONS = new Set(['MatMul', 'MatMulNBits', 'MatMulInteger', 'FusedMatMul', 'QLinearMatMul']);
const PASS_THROUGH = new Set(['Add', 'Cast', 'Identity', 'Mul', 'Div', 'Tanh']);
const INT64_MAX = 9223372036854775807n;

export function lastTokenLogits(model: Uint8Array, logitsName = 'logits'): Uint8Array | undefined {
  const m = onnx.ModelProto.decode(model);
  const g = m.graph as onnx.GraphProto | null;
  if (!g) return undefined;
  if (g.initializer.some((t) => (t.externalData?.length ?? 0) > 0)) return undefined;
  const producer = new Map<string, onnx.INodeProto>();
  for (const n of g.node) for (const o of n.output ?? []) producer.set(o, n);

  // Walk back from logits through element-wise ops to the projection.
  let node = producer.get(logitsName);
  for (let hops = 0; node && !PROJECTIONS.has(node.opType ?? '') && hops < 4; hops++) {
    if (!PASS_THROUGH.has(node.opType ?? '')) return undefined;
    node = producer.get(node.input?.[0] ?? '');
  }
  if (!node || !PROJECTIONS.has(node.opType ?? '') || !node.input?.[0]) return undefined;

  const hidden = node.input[0];
  const sliced = `${hidden}__llmos_last_token`;
  const i64 = (name: string, value: bigint) => onnx.TensorProto.create(tensorProto(name, BigInt64Array.of(value), [1], 'int64'));
  g.initializer.push(i64(`${sliced}_starts`, -1n), i64(`${sliced}_ends`, INT64_MAX), i64(`${sliced}_axes`, 1n));
  const slice = onnx.NodeProto.create({ opType: 'Slice', name: `${sliced}_node`, input: [hidden, `${sliced}_starts`, `${sliced}_ends`, `${sliced}_axes`], output: [sliced] });
  node.input[0] = sliced;
  // Keep the node list topologically sorted: the Slice goes right before the projection.
  g.node.splice(g.node.indexOf(node as onnx.NodeProto), 0, slice);

  const out = g.output.find((o) => o.name === logitsName);
  const dims = out?.type?.tensorType?.shape?.dim;
  if (dims && dims.length >= 2) dims[1] = onnx.TensorShapeProto.Dimension.create({ dimValue: 1 });
  // Shapes recorded for intermediate tensors downstream are now wrong; let ORT infer them.
  g.valueInfo = [];
  return onnx.ModelProto.encode(m).finish();
}
