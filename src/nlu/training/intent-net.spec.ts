import { CsrData, forwardExample, IntentNetTrainer, NetShape } from './intent-net';
import { Rng } from './rng';

/** Three examples over a 16-slot space, one with a padding-like zero value. */
function tinyData(embeddingDim: number): CsrData {
  const rng = new Rng(9);
  return {
    offsets: Int32Array.from([0, 3, 5, 8]),
    ids: Int32Array.from([1, 4, 9, 2, 4, 0, 7, 15]),
    vals: Float32Array.from([0.5, -0.6, 0.62, 0.8, 0.6, 0, 0.7, -0.71]),
    labels: Int32Array.from([0, 2, 1]),
    emb: embeddingDim ? Float32Array.from({ length: 3 * embeddingDim }, () => rng.next() - 0.5) : null,
  };
}

function meanLoss(net: IntentNetTrainer, data: CsrData, classWeight: Float64Array): number {
  const probs = new Float64Array(net.shape.classes);
  let loss = 0;
  for (let i = 0; i < 3; i++) {
    const lo = data.offsets[i];
    const hi = data.offsets[i + 1];
    forwardExample(net.shape, net.weights, data.ids.subarray(lo, hi), data.vals.subarray(lo, hi), data.emb, i * net.shape.embeddingDim, probs);
    loss -= classWeight[data.labels[i]] * Math.log(probs[data.labels[i]]);
  }
  return loss / 3;
}

describe('IntentNetTrainer gradients', () => {
  it.each([
    ['MLP with embedding input', { dim: 16, hidden: 5, classes: 3, embeddingDim: 2 }],
    ['softmax regression', { dim: 16, hidden: 0, classes: 3, embeddingDim: 0 }],
  ] as [string, NetShape][])('%s: sparse backward pass matches finite differences', (_name, shape) => {
    const data = tinyData(shape.embeddingDim);
    const classWeight = Float64Array.from([1, 0.5, 2]);
    const net = new IntentNetTrainer(shape, { learningRate: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 }, new Rng(1), 0.8);
    if (shape.hidden === 0) net.weights.inW.forEach((_, i, a) => (a[i] = Math.sin(i))); // move off the zero init
    const batch = Int32Array.from([0, 1, 2]);
    const loss = net.computeGradients(batch, data, classWeight, 0, new Rng(2));
    expect(loss / 3).toBeCloseTo(meanLoss(net, data, classWeight), 6);

    const k = shape.hidden || shape.classes;
    const numeric = (arr: Float32Array, i: number) => {
      const keep = arr[i];
      const h = 1e-2;
      arr[i] = keep + h;
      const up = meanLoss(net, data, classWeight);
      arr[i] = keep - h;
      const down = meanLoss(net, data, classWeight);
      arr[i] = keep;
      return (up - down) / (2 * h);
    };
    const g = net.denseGradients;
    // rows 4 (two examples), 9, 0 (value 0: zero gradient) and 3 (absent)
    for (const row of [4, 9, 0, 3]) {
      for (let j = 0; j < k; j++) expect(net.gradInW(row, j)).toBeCloseTo(numeric(net.weights.inW, row * k + j), 3);
    }
    for (let j = 0; j < k; j++) expect(g.inB[j]).toBeCloseTo(numeric(net.weights.inB, j), 3);
    for (let i = 0; i < net.weights.inE.length; i++) expect(g.inE[i]).toBeCloseTo(numeric(net.weights.inE, i), 3);
    for (let i = 0; i < net.weights.outW.length; i++) expect(g.outW[i]).toBeCloseTo(numeric(net.weights.outW, i), 3);
    for (let i = 0; i < net.weights.outB.length; i++) expect(g.outB[i]).toBeCloseTo(numeric(net.weights.outB, i), 3);
  });

  it('updates only the rows in the batch and zeroes never-trained rows in the kept weights', () => {
    const shape = { dim: 16, hidden: 4, classes: 3, embeddingDim: 0 };
    const net = new IntentNetTrainer(shape, { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 }, new Rng(3));
    const before = net.weights.inW.slice();
    net.computeGradients(Int32Array.from([0]), tinyData(0), Float64Array.from([1, 1, 1]), 0, new Rng(4));
    net.applyAdam();
    for (let r = 0; r < 16; r++) {
      const changed = [0, 1, 2, 3].some((j) => net.weights.inW[r * 4 + j] !== before[r * 4 + j]);
      expect(changed).toBe([1, 4, 9].includes(r));
    }
    net.keepBest();
    const kept = net.weights.inW.slice();
    // a later step on other rows must not leak into the kept copy
    net.computeGradients(Int32Array.from([1]), tinyData(0), Float64Array.from([1, 1, 1]), 0, new Rng(4));
    net.applyAdam();
    const best = net.bestWeights();
    for (let r = 0; r < 16; r++) {
      const zero = [0, 1, 2, 3].every((j) => best.inW[r * 4 + j] === 0);
      expect(zero).toBe(![1, 4, 9].includes(r));
      if ([1, 4, 9].includes(r)) for (let j = 0; j < 4; j++) expect(best.inW[r * 4 + j]).toBe(kept[r * 4 + j]);
    }
  });
});
