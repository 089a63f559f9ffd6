import { Featurizer } from './featurizer';
import { runIntentModelReference } from './intent-onnx';
import { IntentProgress, trainIntentClassifier, TrainedIntentModel } from './intent-trainer';
import { syntheticExamples } from './synthetic.fixture';

function predict(model: TrainedIntentModel, texts: string[]): { intent: string; confidence: number }[] {
  const f = new Featurizer(model.featurizer);
  const probs = runIntentModelReference(model, texts.map((t) => f.featurize(t)));
  const C = model.labels.length;
  return texts.map((_, i) => {
    const row = probs.subarray(i * C, (i + 1) * C);
    let best = 0;
    for (let c = 1; c < C; c++) if (row[c] > row[best]) best = c;
    return { intent: model.labels[best], confidence: row[best] };
  });
}

function accuracyOn(model: TrainedIntentModel, examples: { text: string; intent: string }[]): number {
  const p = predict(model, examples.map((e) => e.text));
  return p.filter((x, i) => x.intent === examples[i].intent).length / examples.length;
}

describe('trainIntentClassifier', () => {
  const train = syntheticExamples(4, 1).map(({ text, intent }) => ({ text, intent }));
  const heldOut = syntheticExamples(3, 2, 'heldOut').map(({ text, intent }) => ({ text, intent }));

  it.each([
    ['one hidden layer', 64],
    ['softmax regression', 0],
  ])('%s: fits the zh/en toy set and generalizes to unseen paraphrases', (_name, hidden) => {
    const progress: IntentProgress[] = [];
    const model = trainIntentClassifier(train, { hidden, seed: 7 }, (p) => progress.push(p));
    expect(model.labels).toHaveLength(8);
    expect(model.metrics.trainAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(accuracyOn(model, train)).toBeGreaterThanOrEqual(0.95);
    // held-out templates: wordings never seen in training, chance is 1/8
    expect(accuracyOn(model, heldOut)).toBeGreaterThanOrEqual(0.85);
    expect(progress.length).toBe(model.metrics.epochsRun);
    expect(progress.map((p) => p.epoch)).toEqual(progress.map((_, i) => i + 1));
    expect(progress[0].epochs).toBe(40);
    expect(progress[progress.length - 1].trainLoss).toBeLessThan(progress[0].trainLoss);
    expect(progress.every((p) => p.valAccuracy !== null && p.valAccuracy >= 0 && p.valAccuracy <= 1)).toBe(true);
    expect(model.metrics.valExamples).toBeGreaterThan(0);
    expect(model.metrics.confusion?.labels).toEqual(model.labels);
  });

  it('is deterministic for a seed and differs for another seed', () => {
    const opts = { hidden: 16, epochs: 3, featurizer: { dim: 1 << 12 } };
    const a = trainIntentClassifier(train, { ...opts, seed: 5 });
    const b = trainIntentClassifier(train, { ...opts, seed: 5 });
    const c = trainIntentClassifier(train, { ...opts, seed: 6 });
    expect(Buffer.from(a.weights.inW.buffer).equals(Buffer.from(b.weights.inW.buffer))).toBe(true);
    expect(Buffer.from(a.weights.outW.buffer).equals(Buffer.from(b.weights.outW.buffer))).toBe(true);
    expect(a.threshold).toBe(b.threshold);
    expect(Buffer.from(a.weights.outW.buffer).equals(Buffer.from(c.weights.outW.buffer))).toBe(false);
  });

  it('stops early when validation stops improving and keeps the best epoch', () => {
    const model = trainIntentClassifier(train, { hidden: 32, epochs: 200, patience: 2, seed: 3 });
    expect(model.metrics.epochsRun).toBeLessThan(200);
    expect(model.metrics.epochsRun - model.metrics.bestEpoch).toBe(2);
  });

  it('calibrates an out-of-scope threshold that rejects unrelated utterances', () => {
    const oos = ['今天股市怎么样', 'tell me a joke', '帮我写一首诗', 'how do I cook rice', '你叫什么名字', 'translate this to french'];
    const model = trainIntentClassifier(train, { hidden: 64, seed: 7, outOfScope: { texts: oos } });
    expect(model.calibration.method).toBe('oos');
    expect(model.threshold).toBeGreaterThan(0);
    expect(model.threshold).toBeLessThanOrEqual(0.7);
    const rejected = predict(model, oos).filter((p) => p.confidence < model.threshold).length;
    expect(rejected / oos.length).toBeGreaterThanOrEqual(0.5);
    const accepted = predict(model, heldOut.map((e) => e.text)).filter((p) => p.confidence >= model.threshold).length;
    expect(accepted / heldOut.length).toBeGreaterThanOrEqual(0.7);
    // without out-of-scope texts the percentile method is used
    expect(trainIntentClassifier(train, { hidden: 8, epochs: 3, seed: 7 }).calibration.method).toMatch(/percentile|errors/);
  });

  it('weights rare intents up and refuses unusable input', () => {
    const greets = ['你好', 'hello', '早上好'].map((text) => ({ text, intent: 'greet' }));
    const skewed = [...train.filter((e) => e.intent !== 'greet'), ...greets];
    const model = trainIntentClassifier(skewed, { hidden: 32, seed: 1, valFraction: 0 });
    expect(model.metrics.valAccuracy).toBeNull();
    expect(predict(model, ['你好', 'hello', '早上好']).map((p) => p.intent)).toEqual(['greet', 'greet', 'greet']);
    // inverse-frequency weights make the 3-example intent more confident on its paraphrases
    const unweighted = trainIntentClassifier(skewed, { hidden: 32, seed: 1, valFraction: 0, classWeighting: false });
    const paraphrases = ['你好呀', 'hello there'];
    const w = predict(model, paraphrases);
    const u = predict(unweighted, paraphrases);
    paraphrases.forEach((_, i) => {
      expect(w[i].intent).toBe('greet');
      expect(w[i].confidence).toBeGreaterThan(u[i].intent === 'greet' ? u[i].confidence : 0);
    });
    expect(() => trainIntentClassifier([{ text: 'a', intent: 'x' }])).toThrow(/at least 2 intents/);
    expect(() => trainIntentClassifier(train, { dropout: 1 })).toThrow(/dropout/);
    expect(() => trainIntentClassifier(train, { embeddings: [new Float32Array(3)] })).toThrow(/embeddings/);
  });
});
