/** NLU training in a child process (src/common/child-worker.ts). */
import * as path from 'node:path';
import { runInChildWorker, workerEntry } from '../../common/child-worker';
import type { NluTrainingData } from '../core/types';
import type { NluTrainingOptions, TrainedArtifacts, TrainingProgress } from './pipeline';
import type { TrainWorkerInput } from './train-worker';

/** Thrown when the caller's AbortSignal stops a training run. */
export class TrainingAbortedError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('NLU training was aborted');
  }
}

/** Trains in a child process (src/common/child-worker.ts says why a process). */
export function runTrainingInWorker(
  data: NluTrainingData,
  options: NluTrainingOptions,
  onProgress: (p: TrainingProgress) => void,
  signal?: AbortSignal,
): Promise<TrainedArtifacts> {
  const input: TrainWorkerInput = { data, options };
  return runInChildWorker(workerEntry(__dirname, 'train-worker', path.extname(__filename)), input, { label: 'NLU training', onProgress, signal, aborted: () => new TrainingAbortedError() });
}
