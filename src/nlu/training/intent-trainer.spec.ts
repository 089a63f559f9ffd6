import { Featurizer } from './featurizer';
import { exportIntentModel, runIntentModelReference } from './intent-onnx';
import { forwardExample, IntentWeights, NetShape } from './intent-net';
import { IntentProgress, mergeMembers, trainIntentClassifier, TrainedIntentModel } from './intent-trainer';
import { Rng } from './rng';
import { syntheticExamples, syntheticLargeSet } from './synthetic.fixture';

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
    // a cross-validated ensemble by default: one progress event per member epoch, members in order
    expect(progress.length).toBe(model.metrics.epochsRun);
    expect(model.metrics.members).toHaveLength(5);
    model.metrics.members.forEach((run, m) => {
      const mine = progress.filter((p) => p.member === m + 1);
      expect(mine.map((p) => p.epoch)).toEqual(mine.map((_, i) => i + 1));
      expect(mine).toHaveLength(run.epochsRun);
      expect(mine[mine.length - 1].trainLoss).toBeLessThan(mine[0].trainLoss);
      expect(run.valExamples + run.trainExamples).toBe(train.length);
    });
    expect(progress.map((p) => p.member)).toEqual([...progress.map((p) => p.member)].sort((a, b) => a - b));
    expect(progress.every((p) => p.members === 5 && p.epochs === 40)).toBe(true);
    expect(progress.every((p) => p.valAccuracy !== null && p.valAccuracy >= 0 && p.valAccuracy <= 1)).toBe(true);
    // every example is predicted once by the member that did not train on it
    expect(model.metrics.valExamples).toBe(train.length);
    expect(model.metrics.confusion?.labels).toEqual(model.labels);
    expect(model.shape.hidden).toBe(hidden * 5);
  });

  it('serves the ensemble as one network whose logits are the mean of the members\' logits', () => {
    const shape = { dim: 8, hidden: 3, classes: 4, embeddingDim: 2 };
    const rng = new Rng(9);
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
    const member = (): IntentWeights => ({ inW: rand(8 * 3), inE: rand(2 * 3), inB: rand(3), outW: rand(3 * 4), outB: rand(4) });
    const members = [member(), member(), member()];
    const merged = mergeMembers(shape, members);
    expect(merged.shape.hidden).toBe(9);
    const ids = [1, 5, 6];
    const vals = [0.5, -0.7, 0.3];
    const emb = Float32Array.from([0.2, -1]);
    const logits = (s: NetShape, w: IntentWeights) => Array.from(forwardExample(s, w, ids, vals, emb, 0, new Float64Array(4)), Math.log);
    const mean = [0, 1, 2, 3].map((c) => members.reduce((sum, w) => sum + logits(shape, w)[c], 0) / 3);
    const got = logits(merged.shape, merged.weights);
    // log-probabilities differ from logits by a per-row constant, so compare differences
    for (let c = 1; c < 4; c++) expect(got[c] - got[0]).toBeCloseTo(mean[c] - mean[0], 5);
    // softmax regression members are averaged in place
    const linear = { ...shape, hidden: 0 };
    const lin = [0, 1].map((): IntentWeights => ({ inW: rand(8 * 4), inE: rand(2 * 4), inB: rand(4), outW: new Float32Array(0), outB: new Float32Array(0) }));
    const avg = mergeMembers(linear, lin);
    expect(avg.shape.hidden).toBe(0);
    expect(avg.weights.inW[5]).toBeCloseTo((lin[0].inW[5] + lin[1].inW[5]) / 2, 6);
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
    const single = trainIntentClassifier(train, { hidden: 32, epochs: 200, patience: 2, seed: 3, ensemble: 1 });
    expect(single.metrics.epochsRun).toBeLessThan(200);
    expect(single.metrics.epochsRun - single.metrics.bestEpoch).toBe(2);
    expect(single.shape.hidden).toBe(32);
    // each ensemble member stops on its own fold
    const ensemble = trainIntentClassifier(train, { hidden: 8, epochs: 200, patience: 2, seed: 3, ensemble: 3 });
    expect(ensemble.metrics.members).toHaveLength(3);
    for (const run of ensemble.metrics.members) {
      expect(run.epochsRun).toBeLessThan(200);
      expect(run.epochsRun - run.bestEpoch).toBe(2);
    }
  });

  it('with an out_of_scope intent, calibrates the threshold on held-out predictions by the objective', () => {
    const oos = ['今天股市怎么样', 'tell me a joke', '帮我写一首诗', 'how do I cook rice', '你叫什么名字', 'translate this to french', '打开空调', 'play some music'];
    const examples = [...train, ...oos.map((text) => ({ text, intent: 'out_of_scope' }))];
    const model = trainIntentClassifier(examples, { hidden: 16, seed: 7, ensemble: 3, objective: 'accuracy' });
    expect(model.calibration.method).toBe('accuracy');
    expect(model.threshold).toBeLessThanOrEqual(0.7);
    // the score is the out-of-fold accuracy at the threshold, never below accuracy without one
    expect(model.calibration.score).toBeGreaterThanOrEqual((model.metrics.valAccuracy as number) - 1e-9);
    expect(model.calibration).toMatchObject({ outOfScopeExamples: oos.length, inScopeExamples: train.length });
    const balanced = trainIntentClassifier(examples, { hidden: 16, seed: 7, ensemble: 3 });
    expect(balanced.calibration).toMatchObject({ method: 'balanced', objective: 'balanced' });
    // ½·in-scope accuracy + ½·recall at its threshold is at least what the 'accuracy' threshold gives on the same predictions
    const c = model.calibration;
    expect(balanced.calibration.score).toBeGreaterThanOrEqual(0.5 * c.inScopeAccuracy! + 0.5 * c.outOfScopeRecall! - 1e-9);
    expect(trainIntentClassifier(examples, { hidden: 16, seed: 7, ensemble: 2, outOfScopeLabel: 'none' }).calibration.method).toBe('in_scope');
    expect(() => trainIntentClassifier(train, { ensemble: 0 })).toThrow(/ensemble/);
  });

  it('calibrates an out-of-scope threshold that rejects unrelated utterances', () => {
    const oos = ['今天股市怎么样', 'tell me a joke', '帮我写一首诗', 'how do I cook rice', '你叫什么名字', 'translate this to french'];
    const model = trainIntentClassifier(train, { hidden: 64, seed: 7, outOfScope: { texts: oos } });
    expect(model.calibration.method).toBe('balanced');
    expect(model.threshold).toBeGreaterThan(0);
    expect(model.threshold).toBeLessThanOrEqual(0.7);
    const rejected = predict(model, oos).filter((p) => p.confidence < model.threshold).length;
    expect(rejected / oos.length).toBeGreaterThanOrEqual(0.5);
    const accepted = predict(model, heldOut.map((e) => e.text)).filter((p) => p.confidence >= model.threshold).length;
    expect(accepted / heldOut.length).toBeGreaterThanOrEqual(0.7);
    // without out-of-scope texts the in-scope quantile is used
    expect(trainIntentClassifier(train, { hidden: 8, epochs: 3, seed: 7 }).calibration.method).toBe('in_scope');
  });

  it('without out-of-scope examples, the served threshold keeps in-scope accuracy within half a point of top-1', () => {
    // 16 intents whose labels the text only half determines: many confident-looking wrong
    // predictions, which the former rule took for out-of-scope input (threshold at the 0.7 cap, 2% served of 50% right)
    const noisy = syntheticLargeSet(1500, 1, 16).map(({ text, intent }) => ({ text, intent }));
    const test = syntheticLargeSet(1000, 2, 16).map(({ text, intent }) => ({ text, intent }));
    const model = trainIntentClassifier(noisy, { hidden: 16, epochs: 10, seed: 3 });
    expect(model.calibration).toMatchObject({ method: 'in_scope', setting: 'auto', capped: false });
    expect(model.calibration.topOneAccuracy! - model.calibration.inScopeAccuracy!).toBeLessThanOrEqual(0.005);
    const p = predict(model, test.map((e) => e.text));
    const top1 = p.filter((x, i) => x.intent === test[i].intent).length / test.length;
    const served = p.filter((x, i) => x.intent === test[i].intent && x.confidence >= model.threshold).length / test.length;
    expect(top1).toBeGreaterThan(0.3);
    expect(top1 - served).toBeLessThanOrEqual(0.005);
    // off and a fixed value are used as given
    expect(trainIntentClassifier(train, { hidden: 8, epochs: 2, seed: 3, threshold: 'off' }).threshold).toBe(0);
    const fixed = trainIntentClassifier(train, { hidden: 8, epochs: 2, seed: 3, threshold: 0.42 });
    expect(fixed.threshold).toBe(0.42);
    expect(fixed.calibration.method).toBe('fixed');
  });

  it('validationShare sets how much each member holds out', () => {
    const opts = { hidden: 8, epochs: 2, seed: 3 };
    const tenth = trainIntentClassifier(train, { ...opts, validationShare: 0.1 }); // 10 folds, 5 members validate on 5 of them
    expect(tenth.metrics.members).toHaveLength(5);
    for (const run of tenth.metrics.members) expect(run.valExamples / train.length).toBeCloseTo(0.1, 1);
    expect(tenth.metrics.valExamples).toBe(tenth.metrics.members.reduce((s, r) => s + r.valExamples, 0));
    const half = trainIntentClassifier(train, { ...opts, validationShare: 0.5 });
    expect(half.metrics.members).toHaveLength(2);
    expect(half.metrics.valExamples).toBe(train.length);
    const single = trainIntentClassifier(train, { ...opts, ensemble: 1, validationShare: 0.3 });
    expect(single.metrics.valExamples / train.length).toBeCloseTo(0.3, 1);
    expect(() => trainIntentClassifier(train, { ...opts, validationShare: 0.6 })).toThrow(/validationShare/);
    expect(() => trainIntentClassifier(train, { ...opts, seed: -1 })).toThrow(/seed/);
    // unset fields of the API's options arrive as undefined and keep the defaults
    const unset = trainIntentClassifier(train, { ...opts, seed: undefined, threshold: undefined, objective: undefined, validationShare: undefined });
    expect(unset.calibration).toMatchObject({ setting: 'auto', objective: 'balanced' });
    expect(unset.metrics.members).toHaveLength(5);
  });

  it('gives the same bytes for the same rows in any order and the same seed', () => {
    const opts = { hidden: 8, epochs: 3, seed: 11, featurizer: { dim: 1 << 12 } };
    const shuffled = [...train];
    new Rng(99).shuffle(shuffled);
    expect(shuffled.map((e) => e.text)).not.toEqual(train.map((e) => e.text));
    const a = trainIntentClassifier(train, opts);
    const b = trainIntentClassifier(shuffled, opts);
    expect(Buffer.from(a.weights.inW.buffer).equals(Buffer.from(b.weights.inW.buffer))).toBe(true);
    expect(Buffer.from(exportIntentModel(a)).equals(Buffer.from(exportIntentModel(b)))).toBe(true);
    expect(b.calibration).toEqual(a.calibration);
    expect(b.metrics.perIntent).toEqual(a.metrics.perIntent);
    // embeddings travel with their examples
    const emb = (texts: string[]) => texts.map((t) => Float32Array.from([t.length / 10, t.charCodeAt(0) / 1e4]));
    const ea = trainIntentClassifier(train, { ...opts, embeddings: emb(train.map((e) => e.text)) });
    const eb = trainIntentClassifier(shuffled, { ...opts, embeddings: emb(shuffled.map((e) => e.text)) });
    expect(Buffer.from(exportIntentModel(ea)).equals(Buffer.from(exportIntentModel(eb)))).toBe(true);
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
