import { onnx } from 'onnx-proto';

/**
 * What the weight-only quantizers (quantize-int8.ts, quantize-nbits.ts) share: finding
 * the MatMul nodes whose right-hand side is a constant weight matrix, reading that
 * matrix as float32 [K, N], and cleaning up the fp32 initializers nothing reads any more.
 *
 * A weight is an initializer of rank 2, or `Transpose(perm [1, 0])` of one: a tied LM
 * head (GPT-2's `wte`, Qwen2's `embed_tokens`) is the embedding transposed, and it gets
 * its own quantized copy while the embedding Gather keeps the fp32 table, which is what
 * ONNX Runtime's quantizers do once the transpose is constant-folded. MatMuls of two
 * activations (attention scores, attention × values) are left in fp32.
 */

export interface WeightMatMul {
  node: onnx.NodeProto;
  /** the activation, input 0 of the MatMul */
  input: string;
  /** name stem for the quantized tensors: the initializer's name, `_t` when transposed */
  weightName: string;
  /** row-major [K, N] */
  weight: Float32Array;
  k: number;
  n: number;
}

export function decodeModel(model: Uint8Array): { m: onnx.ModelProto; g: onnx.GraphProto } {
  const m = onnx.ModelProto.decode(model);
  if (!m.graph) throw new Error('the model has no graph');
  const g = m.graph as onnx.GraphProto;
  if (g.initializer.some((t) => (t.externalData?.length ?? 0) > 0)) throw new Error('weights stored in external data files are not supported by this quantizer');
  return { m, g };
}

function floats(t: onnx.ITensorProto): Float32Array {
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) throw new Error(`initializer ${t.name} is not float32`);
  if (t.rawData && t.rawData.length) {
    const raw = t.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return Float32Array.from(t.floatData ?? []);
}

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

/** The MatMuls of `g` with a constant [K, N] weight, in graph order. */
export function weightMatMuls(g: onnx.GraphProto): WeightMatMul[] {
  const inits = new Map(g.initializer.map((t) => [t.name ?? '', t]));
  const producer = new Map<string, onnx.NodeProto>();
  for (const n of g.node) for (const o of n.output ?? []) producer.set(o, n as onnx.NodeProto);
  const found: WeightMatMul[] = [];
  const transposed = new Map<string, Float32Array>();
  for (const node of g.node as onnx.NodeProto[]) {
    if (node.opType !== 'MatMul' || node.input.length !== 2) continue;
    const [input, rhs] = node.input;
    const direct = inits.get(rhs);
    if (direct?.dims?.length === 2 && direct.dataType === onnx.TensorProto.DataType.FLOAT) {
      const [k, n] = direct.dims.map(Number);
      found.push({ node, input, weightName: rhs, weight: floats(direct), k, n });
      continue;
    }
    const t = producer.get(rhs);
    const source = t?.opType === 'Transpose' ? inits.get(t.input[0]) : undefined;
    const perm = t?.attribute.find((a) => a.name === 'perm')?.ints?.map(Number);
    if (!source || source.dims?.length !== 2 || source.dataType !== onnx.TensorProto.DataType.FLOAT || (perm && (perm[0] !== 1 || perm[1] !== 0))) continue;
    const [rows, cols] = source.dims.map(Number);
    const name = source.name ?? '';
    if (!transposed.has(name)) transposed.set(name, transpose(floats(source), rows, cols));
    found.push({ node, input, weightName: `${name}_t`, weight: transposed.get(name)!, k: cols, n: rows });
  }
  return found;
}

/** Replaces `node` by `replacement` at the same place (the node list stays topologically sorted). */
export function replaceNode(g: onnx.GraphProto, node: onnx.NodeProto, replacement: onnx.NodeProto[]): void {
  g.node.splice(g.node.indexOf(node), 1, ...replacement);
}

/** Drops nodes whose outputs nobody reads (the tied head's Transpose) and initializers no node reads. */
export function pruneUnused(g: onnx.GraphProto): void {
  const outputs = new Set(g.output.map((o) => o.name ?? ''));
  for (let changed = true; changed; ) {
    changed = false;
    const read = new Set(g.node.flatMap((n) => n.input ?? []));
    const kept = g.node.filter((n) => (n.output ?? []).some((o) => read.has(o) || outputs.has(o)));
    if (kept.length !== g.node.length) {
      g.node = kept;
      changed = true;
    }
  }
  const read = new Set(g.node.flatMap((n) => n.input ?? []));
  g.initializer = g.initializer.filter((t) => read.has(t.name ?? '') || outputs.has(t.name ?? ''));
}

/** Adds an operator-set import (e.g. `com.microsoft` for MatMulNBits) when the model lacks it. */
export function importDomain(m: onnx.ModelProto, domain: string, version: number): void {
  if (!m.opsetImport.some((o) => (o.domain ?? '') === domain)) m.opsetImport.push(onnx.OperatorSetIdProto.create({ domain, version }));
}

export function node(opType: string, input: string[], output: string[], name: string, attribute: onnx.IAttributeProto[] = [], domain = ''): onnx.NodeProto {
  return onnx.NodeProto.create({ opType, input, output, name, attribute, domain });
}

export function intAttr(name: string, i: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}
