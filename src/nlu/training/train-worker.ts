/**
 * Child-process entry for NLU training (forked by run-training.ts): receives the data and
 * options as its first IPC message, trains, sends progress messages, then either writes the
 * large artifacts to files (options.artifactDir: the server) and sends their checksums, or
 * sends the artifacts themselves (structured clone). A process rather than a worker thread:
 * when it exits, every byte training used goes back to the OS (a thread's malloc arenas and
 * heap growth stayed in the server, ~250 MB after the first start; bench:memory).
 * Compiled to dist/.../train-worker.js; under ts-jest it is loaded through ts-node.
 */
import type { ChildWorkerMessage } from '../../common/child-worker';
import type { NluTrainingData } from '../core/types';
import { INTENT_ONNX_FILE, TAGGER_FILE, writeArtifactFiles } from '../runtime/artifact-files';
import { NluTrainingOptions, TrainedArtifacts, TrainingProgress, trainNluArtifacts } from './pipeline';
import type { Gazetteer } from './tagger-features';

export interface TrainWorkerInput {
  data: NluTrainingData;
  options: NluTrainingOptions;
}

export type TrainWorkerMessage = ChildWorkerMessage<TrainingProgress, TrainedArtifacts>;

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

function run({ data, options }: TrainWorkerInput, send: (msg: TrainWorkerMessage) => void): void {
  try {
    const gazetteer = loadGazetteer(options.gazetteerModule, data);
    const artifacts = trainNluArtifacts(data, options, (progress) => send({ type: 'progress', progress }), gazetteer);
    send({ type: 'done', result: options.artifactDir ? toFiles(artifacts, options.artifactDir) : artifacts });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    send({ type: 'error', message: e.message, stack: e.stack });
  }
}

if (!process.send) throw new Error('train-worker must run as a forked child process (run-training.ts)');
// The server went away (crash, kill -9): stop training rather than run on as an orphan.
process.once('disconnect', () => process.exit(0));
process.once('message', (input: TrainWorkerInput) => run(input, (msg) => process.send!(msg)));
