/**
 * Intent classifier training: hashed sparse features -> one hidden ReLU layer (or softmax
 * regression) -> intents, trained with Adam, inverse-frequency class weights, decoupled
 * weight decay, dropout, a stratified validation split with early stopping, and a
 * calibrated out-of-scope threshold. Plain TypeScript; deterministic for a given seed.
 * It is CPU-heavy: call it from a worker thread (run-training.ts), not the event loop.
 */
import { calibrateThreshold, ScoredPrediction, ThresholdCalibration } from './calibration';
import { Featurizer, FeaturizerConfig } from './featurizer';
import { CsrData, forwardExample, IntentNetTrainer, IntentWeights, NetShape, firstLayerWidth } from './intent-net';
import { accuracy, ClassScores, confusionMatrix, ConfusionMatrix, macroF1, perClassScores } from './metrics';
import { Rng } from './rng';

export interface IntentTrainerOptions {
  /** hidden units; 0 = softmax regression */
  hidden: number;
  /** maximum epochs (early stopping usually ends sooner) */
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** decoupled (AdamW) weight decay */
  weightDecay: number;
  dropout: number;
  /** share of each intent's examples held out for validation (0 disables early stopping) */
  valFraction: number;
  /** epochs without validation improvement before stopping */
  patience: number;
  seed: number;
  /** weight each class by n / (classes · n_class) so small intents are not drowned out */
  classWeighting: boolean;
  featurizer: Partial<FeaturizerConfig>;
  /** lower percentile of correct-prediction confidences used by the 'percentile' calibration */
  thresholdPercentile: number;
  /** cap on the calibrated threshold (see calibration.ts for why) */
  maxThreshold: number;
  /** one dense vector (e.g. a sentence embedding) per example; all of one length */
  embeddings?: Float32Array[];
  /** utterances known to be out of scope, used only to calibrate the threshold */
  outOfScope?: { texts: string[]; embeddings?: Float32Array[] };
}

/** Measured on the synthetic 10k zh/en set (see intent-trainer.spec.ts and the report). */
export const DEFAULT_INTENT_TRAINER_OPTIONS: IntentTrainerOptions = {
  hidden: 64,
  epochs: 40,
  batchSize: 32,
  learningRate: 0.005,
  weightDecay: 1e-4,
  dropout: 0.2,
  valFraction: 0.1,
  patience: 4,
  seed: 42,
  classWeighting: true,
  featurizer: {},
  thresholdPercentile: 5,
  maxThreshold: 0.7,
};

export interface IntentTrainingExample {
  text: string;
  intent: string;
}

export interface IntentProgress {
  epoch: number;
  epochs: number;
  /** mean class-weighted cross-entropy over the epoch's training batches */
  trainLoss: number;
  /** null when there is no validation split */
  valAccuracy: number | null;
  valLoss: number | null;
  elapsedMs: number;
}

export interface IntentTrainingMetrics {
  trainExamples: number;
  valExamples: number;
  epochsRun: number;
  bestEpoch: number;
  trainAccuracy: number;
  valAccuracy: number | null;
  valMacroF1: number | null;
  perIntent: Record<string, ClassScores> | null;
  confusion: ConfusionMatrix | null;
  trainMs: number;
}

export interface TrainedIntentModel {
  format: 'llmos.intent-classifier';
  version: 1;
  labels: string[];
  featurizer: FeaturizerConfig;
  shape: NetShape;
  /** inW rows never seen in training are zero, so unseen features contribute nothing */
  weights: IntentWeights;
  /** top-intent probability below which the prediction is treated as out of scope */
  threshold: number;
  calibration: ThresholdCalibration;
  metrics: IntentTrainingMetrics;
}

function checkEmbeddings(vectors: Float32Array[] | undefined, n: number, what: string): number {
  if (!vectors) return 0;
  if (vectors.length !== n) throw new Error(`${what}: ${vectors.length} embeddings for ${n} examples`);
  const dim = vectors[0]?.length ?? 0;
  if (vectors.some((v) => v.length !== dim)) throw new Error(`${what}: embeddings differ in length`);
  return dim;
}

/** Featurizes texts into CSR arrays. */
function buildCsr(featurizer: Featurizer, texts: string[], labels: Int32Array, emb: Float32Array[] | undefined, embDim: number): CsrData {
  const feats = texts.map((t) => featurizer.featurize(t));
  const offsets = new Int32Array(texts.length + 1);
  for (let i = 0; i < feats.length; i++) offsets[i + 1] = offsets[i] + feats[i].indices.length;
  const ids = new Int32Array(offsets[texts.length]);
  const vals = new Float32Array(offsets[texts.length]);
  feats.forEach((f, i) => {
    ids.set(f.indices, offsets[i]);
    vals.set(f.values, offsets[i]);
  });
  let dense: Float32Array | null = null;
  if (emb && embDim > 0) {
    dense = new Float32Array(texts.length * embDim);
    emb.forEach((v, i) => dense!.set(v, i * embDim));
  }
  return { offsets, ids, vals, labels, emb: dense };
}

/** Stratified split: each intent keeps at least one training example. */
function stratifiedSplit(labels: Int32Array, classes: number, valFraction: number, rng: Rng): { train: number[]; val: number[] } {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((y, i) => byClass[y].push(i));
  const train: number[] = [];
  const val: number[] = [];
  for (const idx of byClass) {
    rng.shuffle(idx);
    const nVal = Math.min(idx.length - 1, Math.round(idx.length * valFraction));
    val.push(...idx.slice(0, nVal));
    train.push(...idx.slice(nVal));
  }
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}

interface Scored {
  pred: number[];
  conf: number[];
  loss: number;
}

function score(shape: NetShape, w: IntentWeights, data: CsrData, idx: number[]): Scored {
  const probs = new Float64Array(shape.classes);
  const z = new Float64Array(firstLayerWidth(shape));
  const pred: number[] = [];
  const conf: number[] = [];
  let loss = 0;
  for (const i of idx) {
    const lo = data.offsets[i];
    const hi = data.offsets[i + 1];
    forwardExample(shape, w, data.ids.subarray(lo, hi), data.vals.subarray(lo, hi), data.emb, i * shape.embeddingDim, probs, z);
    let best = 0;
    for (let c = 1; c < shape.classes; c++) if (probs[c] > probs[best]) best = c;
    pred.push(best);
    conf.push(probs[best]);
    loss -= Math.log(Math.max(probs[data.labels[i]], 1e-12));
  }
  return { pred, conf, loss: idx.length ? loss / idx.length : 0 };
}

export function trainIntentClassifier(
  examples: IntentTrainingExample[],
  options: Partial<IntentTrainerOptions> = {},
  onProgress?: (p: IntentProgress) => void,
): TrainedIntentModel {
  const started = Date.now();
  const o: IntentTrainerOptions = { ...DEFAULT_INTENT_TRAINER_OPTIONS, ...options };
  const labels = [...new Set(examples.map((e) => e.intent))].sort();
  if (labels.length < 2) throw new Error(`Intent training needs at least 2 intents, got ${labels.length}`);
  if (!(o.dropout >= 0 && o.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${o.dropout}`);
  if (!(o.batchSize >= 1 && o.epochs >= 1)) throw new Error('batchSize and epochs must be at least 1');
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const y = Int32Array.from(examples, (e) => labelIndex.get(e.intent) as number);
  const embeddingDim = checkEmbeddings(o.embeddings, examples.length, 'training set');
  const featurizer = new Featurizer(o.featurizer);
  const data = buildCsr(featurizer, examples.map((e) => e.text), y, o.embeddings, embeddingDim);
  const shape: NetShape = { dim: featurizer.config.dim, hidden: o.hidden, classes: labels.length, embeddingDim };

  const rng = new Rng(o.seed);
  const { train, val } = stratifiedSplit(y, labels.length, o.valFraction, rng);
  const counts = new Float64Array(labels.length);
  for (const i of train) counts[y[i]]++;
  const classWeight = Float64Array.from(counts, (n) => (o.classWeighting ? train.length / (labels.length * n) : 1));

  const net = new IntentNetTrainer(shape, { learningRate: o.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: o.weightDecay }, rng);
  let best = { epoch: 0, acc: -1, loss: Infinity };
  let sinceBest = 0;
  let epochsRun = 0;
  const order = Int32Array.from(train);
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    for (let b = 0; b < order.length; b += o.batchSize) {
      lossSum += net.computeGradients(order.subarray(b, b + o.batchSize), data, classWeight, o.dropout, rng);
      net.applyAdam();
    }
    epochsRun = epoch;
    const trainLoss = lossSum / Math.max(1, order.length);
    let valAccuracy: number | null = null;
    let valLoss: number | null = null;
    if (val.length > 0) {
      const s = score(shape, net.weights, data, val);
      valAccuracy = s.pred.filter((p, j) => p === y[val[j]]).length / val.length;
      valLoss = s.loss;
      // better accuracy wins; equal accuracy with clearly lower loss also counts
      if (valAccuracy > best.acc + 1e-9 || (Math.abs(valAccuracy - best.acc) <= 1e-9 && valLoss < best.loss - 1e-4)) {
        net.keepBest();
        best = { epoch, acc: valAccuracy, loss: valLoss };
        sinceBest = 0;
      } else sinceBest++;
    } else best = { epoch, acc: -1, loss: trainLoss }; // without validation the last epoch is kept
    onProgress?.({ epoch, epochs: o.epochs, trainLoss, valAccuracy, valLoss, elapsedMs: Date.now() - started });
    if (val.length > 0 && sinceBest >= o.patience) break;
  }

  const weights = net.bestWeights();

  const trainScore = score(shape, weights, data, train);
  const valScore = val.length ? score(shape, weights, data, val) : null;
  const gold = (idx: number[]) => idx.map((i) => labels[y[i]]);
  const names = (p: number[]) => p.map((c) => labels[c]);
  const calScore = valScore ?? trainScore;
  const calIdx = valScore ? val : train;
  const inScope: ScoredPrediction[] = calIdx.map((i, j) => ({ confidence: calScore.conf[j], correct: calScore.pred[j] === y[i] }));
  const oosConf = scoreOutOfScope(featurizer, shape, weights, o);
  const calibration = calibrateThreshold(inScope, oosConf, { percentile: o.thresholdPercentile, fromTrainingSet: !valScore, maxThreshold: o.maxThreshold });

  return {
    format: 'llmos.intent-classifier',
    version: 1,
    labels,
    featurizer: featurizer.config,
    shape,
    weights,
    threshold: calibration.threshold,
    calibration,
    metrics: {
      trainExamples: train.length,
      valExamples: val.length,
      epochsRun,
      bestEpoch: best.epoch,
      trainAccuracy: accuracy(gold(train), names(trainScore.pred)),
      valAccuracy: valScore ? accuracy(gold(val), names(valScore.pred)) : null,
      valMacroF1: valScore ? macroF1(gold(val), names(valScore.pred)) : null,
      perIntent: valScore ? perClassScores(gold(val), names(valScore.pred)) : null,
      confusion: valScore ? confusionMatrix(gold(val), names(valScore.pred), labels) : null,
      trainMs: Date.now() - started,
    },
  };
}

function scoreOutOfScope(featurizer: Featurizer, shape: NetShape, weights: IntentWeights, o: IntentTrainerOptions): number[] {
  const texts = o.outOfScope?.texts ?? [];
  if (texts.length === 0) return [];
  const embDim = checkEmbeddings(o.outOfScope?.embeddings, texts.length, 'out-of-scope set');
  if (shape.embeddingDim > 0 && embDim !== shape.embeddingDim) {
    throw new Error(`out-of-scope texts need embeddings of size ${shape.embeddingDim}, like the training examples`);
  }
  const data = buildCsr(featurizer, texts, new Int32Array(texts.length), o.outOfScope?.embeddings, embDim);
  return score(shape, weights, data, texts.map((_, i) => i)).conf;
}
