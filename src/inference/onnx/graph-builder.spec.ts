import * as ort from 'onnxruntime-node';
import { Attr, GraphBuilder } from './graph-builder';

describe('GraphBuilder', () => {
  it('writes a Gemm + Softmax classifier that onnxruntime runs with dynamic batch', async () => {
    const g = new GraphBuilder('clf');
    const x = g.input('x', 'float32', ['batch', 3]);
    const w = g.initializer('W', Float32Array.from([1, 0, 0, 1, 1, 1]), [3, 2]);
    const b = g.initializer('b', Float32Array.from([0, 0.5]), [2]);
    const logits = g.op('Gemm', [x, w, b], { alpha: Attr.float(1), beta: Attr.float(1) });
    g.output(g.op('Softmax', [logits], { axis: -1 }), 'float32', ['batch', 2], 'probs');
    const session = await ort.InferenceSession.create(g.build());
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['probs']);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 0, 0, 0]), [2, 3]) });
    const p = out.probs.data as Float32Array;
    // row 0: logits [1*1+3*1, 2*1+3*1+0.5] = [4, 5.5]
    const e = Math.exp(4) + Math.exp(5.5);
    expect(p[0]).toBeCloseTo(Math.exp(4) / e, 5);
    expect(p[2] + p[3]).toBeCloseTo(1, 5);
    expect(p[3]).toBeGreaterThan(p[2]);
    await session.release();
  });

  it('refuses a tensor name used twice and data that does not fill its dims', () => {
    const g = new GraphBuilder('bad');
    g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow(/used twice/);
    expect(() => g.initializer('w', new Float32Array(3), [2, 2])).toThrow(/do not fill/);
  });
});

describe('GraphBuilder constants', () => {
  it('names constF/constI64 initializers uniquely and onnxruntime reads them', async () => {
    const g = new GraphBuilder('consts');
    const x = g.input('x', 'float32', ['batch', 4]);
    const scaled = g.op('Mul', [x, g.constF([2], [])]);
    const shifted = g.op('Add', [scaled, g.constF([0.5], [])]);
    const reshaped = g.op('Reshape', [shifted, g.constI64([0, 2, 2])]);
    g.output(reshaped, 'float32', ['batch', 2, 2], 'y');
    const session = await ort.InferenceSession.create(g.build());
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [1, 4]) });
    expect(out.y.dims).toEqual([1, 2, 2]);
    expect(Array.from(out.y.data as Float32Array)).toEqual([2.5, 4.5, 6.5, 8.5]);
    await session.release();
  });
});
