import { onnx } from 'onnx-proto';

/**
 * A small typed builder for ONNX graphs, so the project can write models from code:
 * its own trained models (NLU classifier, recommender, hashing encoder) and the test
 * fixtures with Hugging Face export signatures. Plain TypeScript, no NestJS.
 *
 *   const g = new GraphBuilder('classifier');
 *   const x = g.input('features', 'float32', ['batch', 128]);
 *   const w = g.initializer('W', weights, [128, 4]);
 *   const logits = g.op('MatMul', [x, w]);
 *   g.output(g.op('Softmax', [logits], { axis: -1 }), 'float32', ['batch', 4], 'probs');
 *   const bytes = g.build();
 */

export type ElemType = 'float32' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool' | 'float64';
export type Dim = number | string;

const DTYPE: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** Forces an attribute's ONNX type where a JS value is ambiguous (1 as float, [] as floats). */
export class Attr {
  private constructor(
    readonly type: onnx.AttributeProto.AttributeType,
    readonly value: unknown,
  ) {}
  static float(v: number) {
    return new Attr(onnx.AttributeProto.AttributeType.FLOAT, v);
  }
  static floats(v: number[]) {
    return new Attr(onnx.AttributeProto.AttributeType.FLOATS, v);
  }
  static int(v: number) {
    return new Attr(onnx.AttributeProto.AttributeType.INT, v);
  }
  static ints(v: number[]) {
    return new Attr(onnx.AttributeProto.AttributeType.INTS, v);
  }
  static tensor(t: onnx.ITensorProto) {
    return new Attr(onnx.AttributeProto.AttributeType.TENSOR, t);
  }
}

/** Integers become INT(S), other numbers FLOAT(S), strings STRING; use `Attr` to force a type. */
export type AttrValue = number | number[] | string | Attr;

export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint8Array | Uint16Array;

/** The ONNX TensorProto data type code of `type`, e.g. for Cast's `to` attribute. */
export function onnxDataType(type: ElemType): number {
  return DTYPE[type];
}

function rawBytes(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function valueInfo(name: string, type: ElemType, shape: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DTYPE[type],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (v instanceof Attr) {
    switch (v.type) {
      case T.FLOAT:
        return { name, type: v.type, f: v.value as number };
      case T.FLOATS:
        return { name, type: v.type, floats: v.value as number[] };
      case T.INT:
        return { name, type: v.type, i: v.value as number };
      case T.INTS:
        return { name, type: v.type, ints: v.value as number[] };
      default:
        return { name, type: v.type, t: v.value as onnx.ITensorProto };
    }
  }
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    return v.every(Number.isInteger) ? { name, type: T.INTS, ints: v } : { name, type: T.FLOATS, floats: v };
  }
  return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
}

export function tensorProto(name: string, data: TensorData, dims: number[], type?: ElemType): onnx.ITensorProto {
  const elem = type ?? inferType(data);
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new Error(`Tensor ${name}: ${data.length} values do not fill dims [${dims.join(', ')}] (${expected})`);
  }
  return { name, dims, dataType: DTYPE[elem], rawData: rawBytes(data) };
}

function inferType(data: TensorData): ElemType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) return 'float16';
  return 'uint8';
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();
  private readonly meta: Record<string, string> = {};
  private counter = 0;

  constructor(
    readonly name: string,
    private readonly options: { opset?: number; producer?: string; docString?: string } = {},
  ) {}

  /** A fresh, unused tensor name with the given stem. */
  fresh(stem: string): string {
    let n: string;
    do n = `${stem}_${this.counter++}`;
    while (this.names.has(n));
    this.names.add(n);
    return n;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`Tensor name ${name} is used twice in graph ${this.name}`);
    this.names.add(name);
    return name;
  }

  input(name: string, type: ElemType, shape: Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), type, shape));
    return name;
  }

  /** Declares `tensor` a graph output; with `as`, it is renamed through an Identity node. */
  output(tensor: string, type: ElemType, shape: Dim[], as?: string): string {
    let name = tensor;
    if (as && as !== tensor) name = this.node('Identity', [tensor], [as])[0];
    this.outputs.push(valueInfo(name, type, shape));
    return name;
  }

  initializer(name: string, data: TensorData, dims: number[], type?: ElemType): string {
    this.initializers.push(tensorProto(this.claim(name), data, dims, type));
    return name;
  }

  /** A float32 constant (as an initializer). */
  constF(values: number[] | Float32Array, dims: number[] = [values.length], stem = 'const'): string {
    return this.constant(stem, values instanceof Float32Array ? values : Float32Array.from(values), dims, 'float32');
  }

  /** An int64 constant (as an initializer), e.g. shapes and axes. */
  constI64(values: number[], dims: number[] = [values.length], stem = 'const'): string {
    return this.constant(stem, BigInt64Array.from(values.map(BigInt)), dims, 'int64');
  }

  // `fresh` already reserves the name, so this must not go through `claim` again.
  private constant(stem: string, data: TensorData, dims: number[], type: ElemType): string {
    const name = this.fresh(stem);
    this.initializers.push(tensorProto(name, data, dims, type));
    return name;
  }

  /** Adds a node; outputs are named automatically unless given. Returns the output names. */
  node(op: string, inputs: string[], outputs: string[] | number = 1, attrs: Record<string, AttrValue> = {}, domain = ''): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(op.toLowerCase())) : outputs.map((o) => (this.names.has(o) ? o : this.claim(o)));
    this.nodes.push({
      opType: op,
      domain,
      name: this.fresh(`${op}_node`),
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** A single-output node. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, domain = ''): string {
    return this.node(op, inputs, 1, attrs, domain)[0];
  }

  metadata(key: string, value: string): this {
    this.meta[key] = value;
    return this;
  }

  build(): Uint8Array {
    const opset = this.options.opset ?? 17;
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: this.options.producer ?? 'llm-os',
      producerVersion: '1',
      docString: this.options.docString ?? '',
      opsetImport: [{ domain: '', version: opset }],
      metadataProps: Object.entries(this.meta).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
