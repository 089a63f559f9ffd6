/**
 * Worker-thread entry for NLU training (spawned by run-training.ts): trains, posts progress
 * messages, then either writes the large artifacts to files (options.artifactDir: the server)
 * and posts their checksums, or posts the artifacts with their buffers transferred, not copied.
 * Compiled to dist/.../train-worker.js; under ts-jest it is loaded through ts-node.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { NluTrainingData } from '../core/types';
import { INTENT_ONNX_FILE, TAGGER_FILE, writeArtifactFiles } from '../runtime/artifact-files';
import { NluTrainingOptions, TrainedArtifacts, TrainingProgress, trainNluArtifacts } from './pipeline';
import type { Gazetteer } from './tagger-features';

export interface TrainWorkerInput {
  data: NluTrainingData;
  options: NluTrainingOptions;
}

export type TrainWorkerMessage =
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'done'; artifacts: TrainedArtifacts }
  | { type: 'error'; message: string; stack?: string };

function loadGazetteer(modulePath: string | undefined, data: NluTrainingData): Gazetteer | undefined {
  if (!modulePath) return undefined;
  const mod = require(modulePath) as { createGazetteer?: (d: NluTrainingData) => Gazetteer };
  if (typeof mod.createGazetteer !== 'function') throw new Error(`${modulePath} does not export createGazetteer(data)`);
  return mod.createGazetteer(data);
}

/** Writes the large artifacts into `dir` and returns the rest: what the main thread needs to record and serve the version. */
function toFiles(artifacts: TrainedArtifacts, dir: string): TrainedArtifacts {
  const out: { name: string; data: Uint8Array | string }[] = [];
  if (artifacts.intentOnnx) out.push({ name: INTENT_ONNX_FILE, data: artifacts.intentOnnx });
  if (artifacts.tagger !== null) out.push({ name: TAGGER_FILE, data: artifacts.tagger });
  const files = writeArtifactFiles(dir, out);
  const none = new Float32Array(0);
  return { ...artifacts, intentOnnx: null, tagger: null, files, intent: { ...artifacts.intent, weights: { inW: none, inE: none, inB: none, outW: none, outB: none } } };
}

function run(): void {
  const port = parentPort;
  if (!port) throw new Error('train-worker must run in a worker thread');
  const { data, options } = workerData as TrainWorkerInput;
  try {
    const gazetteer = loadGazetteer(options.gazetteerModule, data);
    const artifacts = trainNluArtifacts(data, options, (progress) => port.postMessage({ type: 'progress', progress } satisfies TrainWorkerMessage), gazetteer);
    if (options.artifactDir) {
      port.postMessage({ type: 'done', artifacts: toFiles(artifacts, options.artifactDir) } satisfies TrainWorkerMessage);
      return;
    }
    const w = artifacts.intent.weights;
    const buffers = new Set<ArrayBuffer>([w.inW.buffer, w.inE.buffer, w.inB.buffer, w.outW.buffer, w.outB.buffer] as ArrayBuffer[]);
    if (artifacts.intentOnnx) buffers.add(artifacts.intentOnnx.buffer as ArrayBuffer);
    port.postMessage({ type: 'done', artifacts } satisfies TrainWorkerMessage, [...buffers]);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ type: 'error', message: e.message, stack: e.stack } satisfies TrainWorkerMessage);
  }
}

run();
