import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { buildGpt2Onnx } from '../fixtures/gpt2';
import { buildQwen2Onnx } from '../fixtures/qwen2';
import { Rng } from '../fixtures/rng';
import { FIXTURE_PRESETS } from '../fixtures/write-fixture';
import { GraphBuilder, tensorProto } from './graph-builder';
import { lastTokenLogits } from './last-token-logits';
import { quantizeInt8, quantizeWeightInt8 } from './quantize-int8';
import { dequantizeNBits, packNBits, quantizeNBits } from './quantize-nbits';
import { decodeModel, pruneUnused, weightMatMuls } from './weight-matmuls';

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** y = x @ w with TS doubles, row-major. */
function matmul(x: Float32Array, w: Float32Array, rows: number, k: number, n: number): Float64Array {
  const y = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) for (let c = 0; c < n; c++) y[r * n + c] += x[r * k + i] * w[i * n + c];
  return y;
}

async function runOne(model: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.OnnxValueMapType> {
  const s = await ort.InferenceSession.create(model);
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

/** The fp32 graph with every weight MatMul's matrix replaced by `f(weight)`: a quantizer's arithmetic, simulated in TypeScript. */
function withWeights(model: Uint8Array, f: (w: Float32Array, k: number, n: number) => Float32Array): Uint8Array {
  const { m, g } = decodeModel(model);
  for (const mm of weightMatMuls(g)) {
    const name = `${mm.weightName}_simulated`;
    if (!g.initializer.some((t) => t.name === name)) g.initializer.push(onnx.TensorProto.create(tensorProto(name, f(mm.weight, mm.k, mm.n), [mm.k, mm.n])));
    mm.node.input[1] = name;
  }
  pruneUnused(g);
  return onnx.ModelProto.encode(m).finish();
}

const opTypes = (model: Uint8Array) => decodeModel(model).g.node.map((n) => n.opType);

function lmFeeds(ids: number[][], layers: number, kvHeads: number, headDim: number): Record<string, ort.Tensor> {
  const [B, S] = [ids.length, ids[0].length];
  const i64 = (v: number[][]) => new ort.Tensor('int64', BigInt64Array.from(v.flat().map(BigInt)), [B, S]);
  const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids), attention_mask: i64(ids.map((r) => r.map(() => 1))), position_ids: i64(ids.map((r) => r.map((_, i) => i))) };
  for (let l = 0; l < layers; l++) for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [B, kvHeads, 0, headDim]);
  return feeds;
}

const gpt2 = FIXTURE_PRESETS.gpt2.tiny;
const qwen2 = FIXTURE_PRESETS.qwen2.tiny;
const MODELS = [
  { kind: 'gpt2', fp32: buildGpt2Onnx(gpt2, 42), feeds: lmFeeds([[5, 17, 300, 42, 9, 8], [1, 2, 3, 4, 6, 7]], gpt2.nLayer, gpt2.nHead, gpt2.nEmbd / gpt2.nHead), weightMatMuls: 4 * gpt2.nLayer + 1 },
  { kind: 'qwen2', fp32: buildQwen2Onnx(qwen2, 42), feeds: lmFeeds([[5, 17, 300, 42, 9, 8], [1, 2, 3, 4, 6, 7]], qwen2.numLayers, qwen2.numKvHeads, qwen2.hidden / qwen2.numHeads), weightMatMuls: 7 * qwen2.numLayers + 1 },
];

describe('MatMulNBits packing (4-bit blocks)', () => {
  it('lays codes out two per byte, the even element in the low nibble, with scale max|w| / -8 and zero point 8', () => {
    // one column, one block: w[i] = i - 16 -> the largest magnitude is -16, scale 2, code = w / 2 + 8
    const w = Float32Array.from({ length: 32 }, (_, i) => i - 16);
    const p = packNBits(w, 32, 1, 32, true);
    expect(Array.from(p.scales)).toEqual([2]);
    expect(p.zeroPoints).toBeUndefined();
    expect(p.packed[0]).toBe(0 | (1 << 4)); // w[0] = -16 -> 0, w[1] = -15 -> round(-7.5) + 8 = 1
    expect(p.packed[15]).toBe(15 | (15 << 4)); // w[30] = 14 -> 15, w[31] = 15 -> 15 (clamped)
  });

  it.each([true, false])('dequantizes to within half a step of the weight (symmetric %s, K not a multiple of the block)', (symmetric) => {
    const [k, n] = [80, 6];
    const w = new Rng(3).normalArray(k * n, 0.5);
    const p = packNBits(w, k, n, 32, symmetric);
    expect(p.blocks).toBe(3);
    expect(p.packed.length).toBe(n * 3 * 16);
    if (!symmetric) expect(p.zeroPoints!.length).toBe(n * 2);
    const d = dequantizeNBits(p);
    for (let i = 0; i < k; i++) {
      for (let c = 0; c < n; c++) {
        const step = Math.abs(p.scales[c * p.blocks + Math.floor(i / 32)]);
        expect(Math.abs(d[i * n + c] - w[i * n + c])).toBeLessThanOrEqual(step * (symmetric ? 1 : 0.5) + 1e-6);
      }
    }
  });

  it.each([true, false])("ONNX Runtime's MatMulNBits computes x @ (the TypeScript dequantize of the same blocks) (symmetric %s)", async (symmetric) => {
    const [rows, k, n] = [3, 80, 5];
    const w = new Rng(4).normalArray(k * n, 1);
    const x = new Rng(5).normalArray(rows * k, 1);
    const g = new GraphBuilder('nbits');
    const input = g.input('x', 'float32', ['rows', k]);
    g.output(g.op('MatMul', [input, g.initializer('W', w, [k, n])]), 'float32', ['rows', n], 'y');
    const q = quantizeNBits(g.build(), { symmetric });
    expect(opTypes(q)).toEqual(['MatMulNBits', 'Identity']);
    const y = (await runOne(q, { x: new ort.Tensor('float32', x, [rows, k]) })).y.data as Float32Array;
    expect(maxAbs(y, matmul(x, dequantizeNBits(packNBits(w, k, n, 32, symmetric)), rows, k, n))).toBeLessThan(1e-4);
    // and the quantization did something: the exact product differs
    expect(maxAbs(y, matmul(x, w, rows, k, n))).toBeGreaterThan(1e-2);
  });
});

describe('8-bit dynamic quantization', () => {
  it('codes weights symmetrically per column (or per tensor) within half a step', () => {
    const [k, n] = [16, 3];
    const w = new Rng(6).normalArray(k * n, 1);
    for (let c = 0; c < n; c++) w[c] *= 10 ** c; // columns of very different ranges
    for (const perColumn of [true, false]) {
      const { q, scales } = quantizeWeightInt8(w, k, n, perColumn);
      expect(scales.length).toBe(perColumn ? n : 1);
      for (let i = 0; i < w.length; i++) expect(Math.abs(q[i] * scales[perColumn ? i % n : 0] - w[i])).toBeLessThanOrEqual(scales[perColumn ? i % n : 0] / 2 + 1e-6);
      expect(Math.max(...Array.from(q, Math.abs))).toBe(127);
    }
    expect(Math.max(...Array.from(quantizeWeightInt8(w, k, n, true, true).q, Math.abs))).toBe(63);
  });

  it('computes DynamicQuantizeLinear(x) x the int8 codes, as the same arithmetic in TypeScript', async () => {
    const [rows, k, n] = [2, 24, 4];
    const w = new Rng(7).normalArray(k * n, 1);
    const x = new Rng(8).normalArray(rows * k, 1);
    const g = new GraphBuilder('int8');
    const input = g.input('x', 'float32', ['rows', k]);
    g.output(g.op('MatMul', [input, g.initializer('W', w, [k, n])]), 'float32', ['rows', n], 'y');
    const q = quantizeInt8(g.build());
    expect(opTypes(q)).toEqual(['DynamicQuantizeLinear', 'MatMulInteger', 'Cast', 'Mul', 'Mul', 'Identity']);
    const y = (await runOne(q, { x: new ort.Tensor('float32', x, [rows, k]) })).y.data as Float32Array;
    // ONNX DynamicQuantizeLinear: uint8, range including 0, scale = range / 255, zero point round(-min / scale)
    const lo = Math.min(0, ...x);
    const hi = Math.max(0, ...x);
    const xs = (hi - lo) / 255;
    const zp = Math.round(-lo / xs);
    const xq = Float32Array.from(x, (v) => Math.min(255, Math.max(0, Math.round(v / xs) + zp)) - zp);
    const { q: wq, scales } = quantizeWeightInt8(w, k, n);
    const acc = matmul(xq, Float32Array.from(wq), rows, k, n);
    const expected = acc.map((v, i) => v * xs * scales[i % n]);
    expect(maxAbs(y, expected)).toBeLessThan(1e-4);
  });
});

describe.each(MODELS)('quantized $kind fixture', ({ fp32, feeds, weightMatMuls: count }) => {
  const variants = { q8: quantizeInt8(fp32), q4: quantizeNBits(fp32) };

  it('replaces every weight MatMul (the LM head too), keeps attention MatMuls and the embedding gather in fp32, and is smaller', () => {
    const before = opTypes(fp32).filter((t) => t === 'MatMul').length;
    expect(opTypes(variants.q8).filter((t) => t === 'MatMulInteger')).toHaveLength(count);
    expect(opTypes(variants.q4).filter((t) => t === 'MatMulNBits')).toHaveLength(count);
    for (const q of Object.values(variants)) {
      expect(opTypes(q).filter((t) => t === 'MatMul')).toHaveLength(before - count);
      expect(opTypes(q)).toContain('Gather');
      expect(q.length).toBeLessThan(fp32.length * 0.75);
    }
  });

  it('the q4 graph equals the fp32 graph with the TypeScript-dequantized blocks as its weights', async () => {
    const simulated = withWeights(fp32, (w, k, n) => dequantizeNBits(packNBits(w, k, n)));
    const ours = (await runOne(variants.q4, feeds)).logits.data as Float32Array;
    const theirs = (await runOne(simulated, feeds)).logits.data as Float32Array;
    expect(maxAbs(ours, theirs)).toBeLessThan(1e-3);
  });

  it.each(['q8', 'q4'] as const)('%s: the last-position rewrite applies and keeps the last position\'s logits', async (dtype) => {
    const q = variants[dtype];
    const trimmed = lastTokenLogits(q);
    expect(trimmed).toBeDefined();
    const full = await runOne(q, feeds);
    const last = await runOne(trimmed!, feeds);
    const [B, S, V] = full.logits.dims as number[];
    expect(last.logits.dims).toEqual([B, 1, V]);
    const fl = full.logits.data as Float32Array;
    const ll = last.logits.data as Float32Array;
    for (let r = 0; r < B; r++) expect(maxAbs(ll.subarray(r * V, (r + 1) * V), fl.subarray((r * S + S - 1) * V, (r * S + S) * V))).toBeLessThan(1e-5);
  });
});
