import { Injectable } from '@nestjs/common';
import { BadInputError } from '../common/errors';
import { InferencePool } from './inference-pool.service';
import { InferRequestDto, InferResponseDto, TENSOR_TYPES, TensorDto } from './infer.dto';
import { NumericData, TensorLike } from './pool/batch-tensors';
import { makeTensorLike } from './runtime/ort';

const CTORS: Record<TensorDto['type'], (values: number[]) => NumericData> = {
  float32: (v) => Float32Array.from(v),
  float64: (v) => Float64Array.from(v),
  int64: (v) => BigInt64Array.from(v, (x) => BigInt(x)),
  int32: (v) => Int32Array.from(v),
  int8: (v) => Int8Array.from(v),
  uint8: (v) => Uint8Array.from(v),
  bool: (v) => Uint8Array.from(v),
};

function checkTensor(name: string, t: unknown): asserts t is TensorDto {
  const field = `inputs.${name}`;
  const v = t as Partial<TensorDto>;
  if (typeof t !== 'object' || t === null) throw new BadInputError(`${field} must be an object { type, dims, data }`, { field });
  if (!TENSOR_TYPES.includes(v.type as TensorDto['type'])) throw new BadInputError(`${field}.type must be one of ${TENSOR_TYPES.join(', ')}`, { field: `${field}.type` });
  if (!Array.isArray(v.dims) || v.dims.length > 8 || !v.dims.every((d) => Number.isInteger(d) && d >= 0)) throw new BadInputError(`${field}.dims must be a list of at most 8 non-negative integers`, { field: `${field}.dims` });
  if (!Array.isArray(v.data) || !v.data.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new BadInputError(`${field}.data must be a list of finite numbers`, { field: `${field}.data` });
}

/** JSON tensors in and out of the pool, for operators testing a model over HTTP (like Triton's infer endpoint). */
@Injectable()
export class InferService {
  constructor(private readonly pool: InferencePool) {}

  async infer(id: string, body: InferRequestDto, signal: AbortSignal): Promise<InferResponseDto> {
    const started = performance.now();
    const feeds: Record<string, TensorLike> = {};
    for (const [name, t] of Object.entries(body.inputs)) {
      checkTensor(name, t);
      const size = t.dims.reduce((a, b) => a * b, 1);
      if (size !== t.data.length) throw new BadInputError(`inputs.${name}: dims [${t.dims.join(', ')}] need ${size} values, got ${t.data.length}`, { field: `inputs.${name}.data` });
      if (t.type.startsWith('int') && !t.data.every(Number.isSafeInteger)) throw new BadInputError(`inputs.${name}: ${t.type} values must be integers`, { field: `inputs.${name}.data` });
      feeds[name] = makeTensorLike(t.type, CTORS[t.type](t.data), t.dims);
    }
    const out = await this.pool.run(id, feeds, { signal, timeoutMs: body.timeoutMs, priority: body.priority });
    const wanted = body.outputs ?? Object.keys(out);
    const unknown = wanted.filter((n) => !(n in out));
    if (unknown.length) throw new BadInputError(`Unknown output(s) ${unknown.join(', ')}; the model has ${Object.keys(out).join(', ')}`);
    const outputs: Record<string, TensorDto> = {};
    for (const name of wanted) {
      const t = out[name];
      const data = t.data as NumericData;
      outputs[name] = { type: t.type as TensorDto['type'], dims: [...t.dims], data: Array.from(data as ArrayLike<number | bigint>, Number) };
    }
    return { model: id, outputs, elapsedMs: Math.round((performance.now() - started) * 100) / 100 };
  }
}
