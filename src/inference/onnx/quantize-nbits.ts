import { onnx } from 'onnx-proto';
import { tensorProto } from './graph-builder';
import { decodeModel, importDomain, intAttr, node, pruneUnused, replaceNode, weightMatMuls } from './weight-matmuls';

/**
 * 4-bit block quantization of a graph's weight MatMuls into ONNX Runtime's `MatMulNBits`
 * contrib op (domain `com.microsoft`), the format of onnx-community's `model_q4.onnx`
 * exports (ORT's MatMul4BitsQuantizer):
 *
 *   MatMulNBits(A [.., K], B uint8 [N, blocks, block_size / 2], scales float [N * blocks],
 *               zero_points uint8 [N * ceil(blocks / 2)]?)   K, N, bits = 4, block_size
 *
 * Each column n of the [K, N] weight is cut into blocks of `block_size` values along K (the
 * last one padded with zeros); a block stores one scale, optionally a zero point, and its
 * 4-bit codes two per byte, the even element in the low nibble. A value is
 * (code - zero_point) * scale; without zero points (symmetric) the zero point is 8.
 * Activations stay float (accuracy_level 0: ORT dequantizes the blocks and multiplies
 * in fp32), so a row's result does not depend on the other rows of the batch.
 */

export interface NBitsOptions {
  /** values per block along K (onnx-community: 32) */
  blockSize?: number;
  /** symmetric blocks (default: no zero points, code 8 is zero); else min/max with a zero point per block */
  symmetric?: boolean;
  /** MatMulNBits' accuracy_level: 0 (default) multiplies in fp32; 4 lets ORT quantize activations to int8 per block of each row */
  accuracyLevel?: 0 | 4;
}

export interface PackedNBits {
  k: number;
  n: number;
  blockSize: number;
  blocks: number;
  /** [N, blocks, blockSize / 2] */
  packed: Uint8Array;
  /** [N * blocks] */
  scales: Float32Array;
  /** [N * ceil(blocks / 2)], absent when symmetric */
  zeroPoints?: Uint8Array;
}

/** Quantizes a row-major [K, N] weight into MatMulNBits' 4-bit blocks (ORT's MlasQuantizeBlockwise rules). */
export function packNBits(weight: Float32Array, k: number, n: number, blockSize = 32, symmetric = true): PackedNBits {
  if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) throw new Error(`block_size must be a power of two >= 16, not ${blockSize}`);
  if (weight.length !== k * n) throw new Error(`weight has ${weight.length} values, not K x N = ${k * n}`);
  const blocks = Math.ceil(k / blockSize);
  const half = blockSize / 2;
  const zpBytes = Math.ceil(blocks / 2);
  const packed = new Uint8Array(n * blocks * half);
  const scales = new Float32Array(n * blocks);
  const zeroPoints = symmetric ? undefined : new Uint8Array(n * zpBytes);
  const values = new Float32Array(blockSize);
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < blocks; b++) {
      values.fill(0);
      for (let i = 0; i < blockSize && b * blockSize + i < k; i++) values[i] = weight[(b * blockSize + i) * n + col];
      let scale: number;
      let zp: number;
      if (symmetric) {
        // the value of largest magnitude maps to code 0 (-8), so the other sign gets up to +7
        let vmax = 0;
        for (const v of values) if (Math.abs(v) > Math.abs(vmax)) vmax = v;
        scale = vmax / -8;
        zp = 8;
      } else {
        let lo = 0;
        let hi = 0;
        for (const v of values) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        scale = (hi - lo) / 15;
        zp = scale === 0 ? 0 : Math.min(15, Math.max(0, Math.round(-lo / scale)));
        zeroPoints![col * zpBytes + (b >> 1)] |= zp << ((b & 1) * 4);
      }
      scales[col * blocks + b] = scale;
      const inv = scale === 0 ? 0 : 1 / Math.fround(scale);
      const base = (col * blocks + b) * half;
      for (let i = 0; i < blockSize; i++) {
        const code = Math.min(15, Math.max(0, Math.round(values[i] * inv) + zp));
        packed[base + (i >> 1)] |= code << ((i & 1) * 4);
      }
    }
  }
  return { k, n, blockSize, blocks, packed, scales, zeroPoints };
}

/** The [K, N] weight the blocks stand for: (code - zero_point) * scale, as MatMulNBits computes it. */
export function dequantizeNBits(p: PackedNBits): Float32Array {
  const { k, n, blockSize, blocks, packed, scales, zeroPoints } = p;
  const half = blockSize / 2;
  const zpBytes = Math.ceil(blocks / 2);
  const out = new Float32Array(k * n);
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < blocks; b++) {
      const scale = scales[col * blocks + b];
      const zp = zeroPoints ? (zeroPoints[col * zpBytes + (b >> 1)] >> ((b & 1) * 4)) & 0xf : 8;
      for (let i = 0; i < blockSize && b * blockSize + i < k; i++) {
        const code = (packed[(col * blocks + b) * half + (i >> 1)] >> ((i & 1) * 4)) & 0xf;
        out[(b * blockSize + i) * n + col] = (code - zp) * scale;
      }
    }
  }
  return out;
}

/** The same graph with every weight MatMul as a 4-bit MatMulNBits (embedding gathers stay fp32). */
export function quantizeNBits(model: Uint8Array, options: NBitsOptions = {}): Uint8Array {
  const blockSize = options.blockSize ?? 32;
  const symmetric = options.symmetric ?? true;
  const { m, g } = decodeModel(model);
  for (const mm of weightMatMuls(g)) {
    const p = packNBits(mm.weight, mm.k, mm.n, blockSize, symmetric);
    const stem = mm.weightName;
    const inputs = [mm.input, `${stem}_Q4`, `${stem}_scales`];
    g.initializer.push(
      onnx.TensorProto.create(tensorProto(`${stem}_Q4`, p.packed, [mm.n, p.blocks, blockSize / 2], 'uint8')),
      onnx.TensorProto.create(tensorProto(`${stem}_scales`, p.scales, [mm.n * p.blocks], 'float32')),
    );
    if (p.zeroPoints) {
      inputs.push(`${stem}_zero_points`);
      g.initializer.push(onnx.TensorProto.create(tensorProto(`${stem}_zero_points`, p.zeroPoints, [p.zeroPoints.length], 'uint8')));
    }
    const attrs = [intAttr('K', mm.k), intAttr('N', mm.n), intAttr('bits', 4), intAttr('block_size', blockSize), intAttr('accuracy_level', options.accuracyLevel ?? 0)];
    replaceNode(g, mm.node, [node('MatMulNBits', inputs, mm.node.output, `${mm.node.name}_Q4`, attrs, 'com.microsoft')]);
  }
  pruneUnused(g);
  importDomain(m, 'com.microsoft', 1);
  g.valueInfo = [];
  return onnx.ModelProto.encode(m).finish();
}
