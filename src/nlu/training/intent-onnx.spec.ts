// The exported bytes run through the InferencePool, exactly as NluService serves them.
import { loadConfig } from '../../config/app-config';
import { ReadinessService } from '../../health/readiness.service';
import { servingDefaults } from '../../inference/inference.config';
import { InferencePool } from '../../inference/inference-pool.service';
import { makeTensorLike } from '../../inference/runtime/ort';
import { MetricsService } from '../../metrics/metrics.service';
import { Featurizer } from './featurizer';
import { exportIntentModel, packSparseBatch, runIntentModelReference } from './intent-onnx';
import { trainIntentClassifier, TrainedIntentModel } from './intent-trainer';
import { Rng } from './rng';
import { syntheticExamples } from './synthetic.fixture';

const TEXTS = ['明天北京天气怎么样', 'book a flight to Paris tomorrow', '你好', 'where is my order 12345', '给我推荐一些耳机', 'play a song by Adele', '设置一个明天八点的闹钟', 'unseen words zebra quantum 量子'];

const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MODELS_DIR: '/nonexistent-model-store', INFERENCE_AUTOLOAD: 'false' });
const pool = new InferencePool(config, new MetricsService(), new ReadinessService());
let served = 0;

/** Registers the exported bytes as a built-in model (batching off: the test sends whole batches) and loads it. */
async function serve(bytes: Uint8Array): Promise<string> {
  const id = `intent-${served++}`;
  const defaults = servingDefaults(config);
  pool.register({ id, task: 'nlu-intent', onnx: bytes, files: [], hasTokenizer: false, source: 'builtin', serving: { ...defaults, batching: { ...defaults.batching, enabled: false } } });
  await pool.load(id);
  return id;
}

afterAll(() => pool.onModuleDestroy());

async function runOnnx(id: string, model: TrainedIntentModel, texts: string[], embeddings?: Float32Array[]): Promise<Float32Array> {
  const f = new Featurizer(model.featurizer);
  const batch = packSparseBatch(texts.map((t) => f.featurize(t)));
  const feeds: Record<string, ReturnType<typeof makeTensorLike>> = {
    feature_ids: makeTensorLike('int64', batch.ids, [batch.batch, batch.width]),
    feature_values: makeTensorLike('float32', batch.values, [batch.batch, batch.width]),
  };
  if (embeddings) {
    const e = model.shape.embeddingDim;
    const flat = new Float32Array(embeddings.length * e);
    embeddings.forEach((v, i) => flat.set(v, i * e));
    feeds.sentence_embedding = makeTensorLike('float32', flat, [embeddings.length, e]);
  }
  const out = await pool.run(id, feeds);
  expect(out.probs.dims).toEqual([texts.length, model.labels.length]);
  return out.probs.data as Float32Array;
}

function reference(model: TrainedIntentModel, texts: string[], embeddings?: Float32Array[]): Float32Array {
  const f = new Featurizer(model.featurizer);
  return runIntentModelReference(model, texts.map((t) => f.featurize(t)), embeddings);
}

function expectClose(a: Float32Array, b: Float32Array, tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThan(tol);
}

describe('intent ONNX export', () => {
  const examples = syntheticExamples(3, 11).map((e) => ({ text: e.text, intent: e.intent }));

  it.each([
    ['MLP', 32],
    ['softmax regression', 0],
  ])('%s: onnxruntime output equals the TypeScript forward pass for batches of 1 and 7', async (_name, hidden) => {
    const model = trainIntentClassifier(examples, { hidden, epochs: 8, seed: 3, featurizer: { dim: 1 << 14 } });
    const id = await serve(exportIntentModel(model));
    const status = pool.status(id);
    expect(status.inputs.map((i) => i.name)).toEqual(['feature_ids', 'feature_values']);
    expect(status.outputs.map((o) => o.name)).toEqual(['probs']);

    const seven = TEXTS.slice(0, 7);
    const batch7 = await runOnnx(id, model, seven);
    expectClose(batch7, reference(model, seven));
    // each row alone (width 1..n, no padding) must equal its row in the padded batch
    const C = model.labels.length;
    for (let i = 0; i < seven.length; i++) {
      const single = await runOnnx(id, model, [seven[i]]);
      expectClose(single, batch7.subarray(i * C, (i + 1) * C));
    }
    // rows sum to one, and unseen features alone give the bias-only prediction
    for (let i = 0; i < 7; i++) expect(batch7.subarray(i * C, (i + 1) * C).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
    expectClose(await runOnnx(id, model, [TEXTS[7]]), reference(model, [TEXTS[7]]));
  });

  it('takes a sentence embedding input when trained with one', async () => {
    const rng = new Rng(5);
    const emb = (n: number) => Array.from({ length: n }, () => Float32Array.from({ length: 6 }, () => rng.next() - 0.5));
    const model = trainIntentClassifier(examples, { hidden: 16, epochs: 5, embeddings: emb(examples.length), featurizer: { dim: 1 << 12 } });
    expect(model.shape.embeddingDim).toBe(6);
    const id = await serve(exportIntentModel(model));
    const texts = TEXTS.slice(0, 7);
    const e = emb(texts.length);
    expectClose(await runOnnx(id, model, texts, e), reference(model, texts, e));
    expect(() => reference(model, texts)).toThrow(/sentence embedding/);
  });

  it('stores only trained rows, and the labels/featurizer/threshold as metadata', () => {
    const model = trainIntentClassifier(examples, { hidden: 8, epochs: 2, featurizer: { dim: 1 << 16 } });
    const bytes = exportIntentModel(model);
    // 2^16 rows x 8 floats would be 2 MB; the trained rows are a small fraction
    expect(bytes.length).toBeLessThan(((1 << 16) * 8 * 4) / 2);
    const text = Buffer.from(bytes).toString('latin1');
    expect(text).toContain('llmos.labels');
    expect(text).toContain(JSON.stringify(model.labels));
    expect(text).toContain('llmos.threshold');
  });
});
