import { onnx } from 'onnx-proto';
import { tensorProto } from './graph-builder';
import { decodeModel, node, pruneUnused, replaceNode, weightMatMuls } from './weight-matmuls';

/**
 * 8-bit dynamic quantization of a graph's weight MatMuls, the layout ONNX Runtime's
 * `quantize_dynamic` writes (and Optimum / onnx-community ship as `model_quantized.onnx`):
 *
 *   x -> DynamicQuantizeLinear -> (x_q uint8, x_scale, x_zero_point)      once per activation
 *   MatMulInteger(x_q, W_q int8 [K, N], x_zero_point, W_zero_point) -> Cast(float)
 *   Mul(that, x_scale * W_scale) -> the MatMul's output
 *
 * Weights are symmetric int8 (zero point 0), per column (W_scale [N]) or per tensor;
 * `reduceRange` keeps them in 7 bits (±63), which ORT advises on x86 CPUs without VNNI,
 * where u8 × s8 products can saturate. ORT's graph optimizer can fuse the four nodes
 * into DynamicQuantizeMatMul. The activation scale is one per tensor: in a batch,
 * rows share the range of the whole batch, so a row's logits move slightly with its
 * neighbours (measured in generation-quantized.e2e-spec.ts).
 */

export interface Int8Options {
  /** one scale per output column (default) or one per matrix */
  perColumn?: boolean;
  /** 7-bit weights (±63) */
  reduceRange?: boolean;
}

export interface QuantizedInt8 {
  /** row-major [K, N] */
  q: Int8Array;
  /** [N] per column, or [1] */
  scales: Float32Array;
}

/** Symmetric int8 codes of a row-major [K, N] weight: round(w / scale), scale = max |w| / qmax over the column (or the matrix). */
export function quantizeWeightInt8(weight: Float32Array, k: number, n: number, perColumn = true, reduceRange = false): QuantizedInt8 {
  const qmax = reduceRange ? 63 : 127;
  const scales = new Float32Array(perColumn ? n : 1);
  for (let i = 0; i < weight.length; i++) {
    const s = perColumn ? i % n : 0;
    scales[s] = Math.max(scales[s], Math.abs(weight[i]));
  }
  for (let s = 0; s < scales.length; s++) scales[s] = scales[s] / qmax || 1;
  const q = new Int8Array(k * n);
  for (let i = 0; i < weight.length; i++) q[i] = Math.max(-qmax, Math.min(qmax, Math.round(weight[i] / scales[perColumn ? i % n : 0])));
  return { q, scales };
}

/** The same graph with every weight MatMul dynamically quantized to 8 bits (embedding gathers stay fp32). */
export function quantizeInt8(model: Uint8Array, options: Int8Options = {}): Uint8Array {
  const perColumn = options.perColumn ?? true;
  const { m, g } = decodeModel(model);
  const quantizedInputs = new Map<string, [string, string, string]>();
  for (const mm of weightMatMuls(g)) {
    const { q, scales } = quantizeWeightInt8(mm.weight, mm.k, mm.n, perColumn, options.reduceRange);
    const stem = mm.weightName;
    const dims = perColumn ? [mm.n] : [];
    g.initializer.push(
      onnx.TensorProto.create(tensorProto(`${stem}_quantized`, q, [mm.k, mm.n], 'int8')),
      onnx.TensorProto.create(tensorProto(`${stem}_scale`, scales, dims, 'float32')),
      onnx.TensorProto.create(tensorProto(`${stem}_zero_point`, new Int8Array(scales.length), dims, 'int8')),
    );
    const out = mm.node.output[0];
    const replacement: onnx.NodeProto[] = [];
    let act = quantizedInputs.get(mm.input);
    if (!act) {
      act = [`${mm.input}_quantized`, `${mm.input}_scale`, `${mm.input}_zero_point`];
      quantizedInputs.set(mm.input, act);
      replacement.push(node('DynamicQuantizeLinear', [mm.input], act, `${mm.input}_QuantizeLinear`));
    }
    replacement.push(
      node('MatMulInteger', [act[0], `${stem}_quantized`, act[2], `${stem}_zero_point`], [`${out}_int32`], `${mm.node.name}_quant`),
      node('Cast', [`${out}_int32`], [`${out}_float`], `${mm.node.name}_cast`, [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT }]),
      node('Mul', [act[1], `${stem}_scale`], [`${out}_scales`], `${mm.node.name}_scales_mul`),
      node('Mul', [`${out}_float`, `${out}_scales`], [out], `${mm.node.name}_output_mul`),
    );
    replaceNode(g, mm.node, replacement);
  }
  pruneUnused(g);
  g.valueInfo = [];
  return onnx.ModelProto.encode(m).finish();
}
