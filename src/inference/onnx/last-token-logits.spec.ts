import * as ort from 'onnxruntime-node';
import { buildGpt2Onnx } from '../fixtures/gpt2';
import { FIXTURE_PRESETS } from '../fixtures/write-fixture';
import { GraphBuilder } from './graph-builder';
import { lastTokenLogits } from './last-token-logits';

const tiny = FIXTURE_PRESETS.gpt2.tiny;

function feeds(ids: number[][], pastLen = 0) {
  const B = ids.length;
  const L = ids[0].length;
  const i64 = (v: number[][]) => new ort.Tensor('int64', BigInt64Array.from(v.flat().map(BigInt)), [B, v[0].length]);
  const f: Record<string, ort.Tensor> = {
    input_ids: i64(ids),
    attention_mask: i64(ids.map((r) => r.map(() => 1))),
    position_ids: i64(ids.map((r) => r.map((_, i) => i + pastLen))),
  };
  const hd = tiny.nEmbd / tiny.nHead;
  for (let l = 0; l < tiny.nLayer; l++) {
    for (const k of ['key', 'value']) f[`past_key_values.${l}.${k}`] = new ort.Tensor('float32', new Float32Array(0), [B, tiny.nHead, 0, hd]);
  }
  void L;
  return f;
}

describe('lastTokenLogits', () => {
  it('makes a GPT-2 export return only the last position, with the same values and the same cache', async () => {
    const original = buildGpt2Onnx(tiny, 7);
    const trimmed = lastTokenLogits(original);
    expect(trimmed).toBeDefined();
    const a = await ort.InferenceSession.create(original);
    const b = await ort.InferenceSession.create(trimmed!);
    const input = feeds([[5, 17, 300, 42, 9], [1, 2, 3, 4, 6]]);
    const full = await a.run(input);
    const last = await b.run(input);
    const V = tiny.vocabSize;
    expect(full.logits.dims).toEqual([2, 5, V]);
    expect(last.logits.dims).toEqual([2, 1, V]);
    const fl = full.logits.data as Float32Array;
    const ll = last.logits.data as Float32Array;
    for (let r = 0; r < 2; r++) {
      for (let v = 0; v < V; v++) expect(Math.abs(ll[r * V + v] - fl[(r * 5 + 4) * V + v])).toBeLessThan(1e-5);
    }
    expect(Array.from(last['present.1.key'].data as Float32Array)).toEqual(Array.from(full['present.1.key'].data as Float32Array));
    await a.release();
    await b.release();
  });

  it('leaves a graph alone when logits do not come from a projection', () => {
    const g = new GraphBuilder('odd');
    const x = g.input('x', 'float32', ['b', 's', 4]);
    g.output(g.op('Softmax', [x], { axis: -1 }), 'float32', ['b', 's', 4], 'logits');
    expect(lastTokenLogits(g.build())).toBeUndefined();
  });
});
