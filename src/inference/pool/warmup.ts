import type { IoInfo } from '../runtime/ort';
import type { Feeds, MakeTensor, NumericData } from './batch-tensors';

const CTORS: Record<string, new (n: number) => NumericData> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  int8: Int8Array,
  bool: Uint8Array,
  float16: Uint16Array,
};

/**
 * Smallest valid feeds for a warm-up run: batch 1, sequence 1, empty KV cache (symbolic
 * dims naming "past" are 0), attention masks of ones. The first run of a session pays
 * for memory planning; doing it at load keeps that cost off the first user request.
 */
export function warmupFeeds(inputs: IoInfo[], make: MakeTensor): Feeds | undefined {
  const feeds: Feeds = {};
  for (const input of inputs) {
    const ctor = CTORS[input.type];
    if (!ctor) return undefined;
    const dims = input.shape.map((d) => {
      if (typeof d === 'number' && d >= 0) return d;
      const name = String(d).toLowerCase();
      if (name.includes('past') && !name.includes('+') && !name.includes('total')) return 0;
      return 1;
    });
    const size = dims.reduce((a, b) => a * b, 1);
    const data = new ctor(size);
    if (input.name === 'attention_mask' || input.name.endsWith('_mask')) {
      if (data instanceof BigInt64Array) data.fill(1n);
      else (data as Float32Array).fill(1);
    }
    feeds[input.name] = make(input.type, data, dims);
  }
  return feeds;
}
