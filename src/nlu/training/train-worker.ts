/**
 * Worker-thread entry for NLU training (spawned by run-training.ts): trains, posts progress
 * messages, then posts the artifacts with their large buffers transferred, not copied.
 * Compiled to dist/.../train-worker.js; under ts-jest it is loaded through ts-node.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { NluTrainingData } from '../core/types';
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

function run(): void {
  const port = parentPort;
  if (!port) throw new Error('train-worker must run in a worker thread');
  const { data, options } = workerData as TrainWorkerInput;
  try {
    const gazetteer = loadGazetteer(options.gazetteerModule, data);
    const artifacts = trainNluArtifacts(data, options, (progress) => port.postMessage({ type: 'progress', progress } satisfies TrainWorkerMessage), gazetteer);
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
