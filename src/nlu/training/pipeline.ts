/**
 * The whole NLU training run on one thread: intent classifier (+ its ONNX bytes) and entity
 * tagger, with held-out entity metrics. CPU-bound for seconds to a minute, so the server
 * calls it through runTrainingInWorker (run-training.ts); it is exported for the worker
 * and for scripts. Plain TypeScript, deterministic for given data and options.
 */
import { isMainThread, threadId } from 'node:worker_threads';
import type { NluTrainingData, TrainingExample } from '../core/types';
import type { ArtifactFile } from '../runtime/artifact-files';
import { exportIntentModel } from './intent-onnx';
import { canonicalOrder, IntentProgress, IntentTrainerOptions, TrainedIntentModel, trainIntentClassifier } from './intent-trainer';
import { entityScores, EntityScores } from './metrics';
import { Rng } from './rng';
import { SequenceTagger, SequenceTaggerOptions } from './sequence-tagger';
import type { Gazetteer } from './tagger-features';

/**
 * The API's training options (POST /nlu/train body, TrainOptionsDto) as given: every field
 * but `activate` is the intent-trainer option of the same name; `seed` also seeds the tagger.
 */
export type TrainRequest = Partial<Omit<IntentTrainerOptions, 'embeddings' | 'outOfScope' | 'featurizer'>> & { activate?: boolean };

export interface NluTrainingOptions {
  /** the API's options for this run (see TrainRequest) */
  request?: TrainRequest;
  intent?: Partial<IntentTrainerOptions>;
  tagger?: Partial<SequenceTaggerOptions>;
  /**
   * Examples with this intent are not a class: they calibrate the out-of-scope threshold
   * (see calibration.ts). Unset: every intent is a class.
   */
  outOfScopeIntent?: string;
  /**
   * Worker only: absolute path of a module exporting `createGazetteer(data: NluTrainingData): Gazetteer`,
   * since a function cannot be posted to a worker. The same gazetteer must be passed to
   * SequenceTagger.fromJSON at parse time.
   */
  gazetteerModule?: string;
  /** hold out a share of examples to measure entity F1 (costs a second tagger training); default true */
  evaluateEntities?: boolean;
  /** also write the ONNX bytes of the intent model; default true */
  exportOnnx?: boolean;
  /**
   * Worker only: write intent.onnx and tagger.json into this folder and post back their
   * checksums instead of the bytes (runtime/artifact-files.ts), so large buffers never reach
   * the main thread.
   */
  artifactDir?: string;
}

export type TrainingProgress =
  | ({ phase: 'intent' } & IntentProgress)
  | { phase: 'tagger'; epoch: number; epochs: number; errors: number; evaluation: boolean }
  | { phase: 'export' };

export interface TrainedArtifacts {
  intent: TrainedIntentModel;
  /** the intent model as ONNX (see intent-onnx.ts for its signature), or null when not requested */
  intentOnnx: Uint8Array | null;
  /**
   * The tagger as JSON text (a SerializedTagger), null when no example has entity
   * annotations. Text rather than an object: a worker posts a string as one copy, while
   * structured-cloning tens of thousands of feature arrays would block the main thread.
   * Load it with SequenceTagger.fromJSON(JSON.parse(text), gazetteer).
   */
  tagger: string | null;
  /**
   * Set when options.artifactDir was given: the files written there. intentOnnx and tagger
   * are then null and intent.weights empty (the bytes stay in the files).
   */
  files?: ArtifactFile[];
  /** the process and thread that trained (the server trains in a child process: pid differs from the server's) */
  thread: { pid: number; threadId: number; isMainThread: boolean };
  metrics: {
    intent: TrainedIntentModel['metrics'];
    /** exact-match entity scores on held-out examples; null when not evaluated */
    entities: EntityScores | null;
    timings: { intentMs: number; taggerMs: number; exportMs: number; totalMs: number };
  };
}

/** Share of examples held out for the entity evaluation, like the intent validation split. */
function holdOut(n: number, fraction: number, seed: number): { train: number[]; test: number[] } {
  const order = Array.from({ length: n }, (_, i) => i);
  new Rng(seed ^ 0x7a66).shuffle(order);
  const nTest = Math.round(n * fraction);
  return { train: order.slice(nTest).sort((a, b) => a - b), test: order.slice(0, nTest).sort((a, b) => a - b) };
}

export function trainNluArtifacts(
  data: NluTrainingData,
  options: NluTrainingOptions = {},
  onProgress?: (p: TrainingProgress) => void,
  gazetteer?: Gazetteer,
): TrainedArtifacts {
  const started = Date.now();
  const oos = options.outOfScopeIntent;
  const inScope = data.examples.filter((e) => e.intent !== oos);
  const oosTexts = oos === undefined ? [] : data.examples.filter((e) => e.intent === oos).map((e) => e.text);
  if (oosTexts.length > 0 && options.intent?.embeddings) {
    throw new Error('outOfScopeIntent with embeddings: pass intent.outOfScope with the embeddings of the out-of-scope texts instead');
  }
  // Entity masking (featurizer.ts) with the data's own lookups and regexes, unless the caller set it (null = off).
  const { activate: _activate, ...fromRequest } = options.request ?? {};
  const intentOptions: Partial<IntentTrainerOptions> = {
    ...fromRequest,
    ...options.intent,
    featurizer: { entityMask: { lookups: data.lookups, regexes: data.regexes }, ...options.intent?.featurizer },
  };
  if (oosTexts.length > 0) intentOptions.outOfScope = { texts: oosTexts };

  const intent = trainIntentClassifier(
    inScope.map((e) => ({ text: e.text, intent: e.intent })),
    intentOptions,
    (p) => onProgress?.({ phase: 'intent', ...p }),
  );
  const intentDone = Date.now();

  let tagger: string | null = null;
  let entities: EntityScores | null = null;
  const annotated = data.examples.some((e) => e.entities.length > 0);
  if (annotated) {
    // canonical order (intent, text), as the intent trainer does: the tagger's feature ids and shuffles then do not depend on the database's row order
    const examples: TrainingExample[] = canonicalOrder(data.examples).examples;
    const seed = options.tagger?.seed ?? intentOptions.seed ?? 42;
    const taggerOptions = { ...options.tagger, seed };
    const report = (evaluation: boolean) => (p: { epoch: number; epochs: number; errors: number }) => onProgress?.({ phase: 'tagger', ...p, evaluation });
    const fraction = options.intent?.valFraction ?? 0.1;
    if ((options.evaluateEntities ?? true) && examples.length >= 10 && fraction > 0) {
      const split = holdOut(examples.length, fraction, seed);
      const evalTagger = SequenceTagger.train(split.train.map((i) => examples[i]), taggerOptions, gazetteer, report(true));
      const test = split.test.map((i) => examples[i]);
      entities = entityScores(test.map((e) => e.entities), test.map((e) => evalTagger.predict(e.text)));
    }
    tagger = JSON.stringify(SequenceTagger.train(examples, taggerOptions, gazetteer, report(false)).toJSON());
  }
  const taggerDone = Date.now();

  let intentOnnx: Uint8Array | null = null;
  if (options.exportOnnx ?? true) {
    onProgress?.({ phase: 'export' });
    intentOnnx = exportIntentModel(intent);
  }
  const done = Date.now();
  return {
    intent,
    intentOnnx,
    tagger,
    thread: { pid: process.pid, threadId, isMainThread },
    metrics: {
      intent: intent.metrics,
      entities,
      timings: { intentMs: intentDone - started, taggerMs: taggerDone - intentDone, exportMs: done - taggerDone, totalMs: done - started },
    },
  };
}
