import * as path from 'node:path';
import { runInChildWorker, workerEntry } from '../../common/child-worker';
import type { TrainProgress } from '../algorithms/pipeline';
import type { TrainResult, TrainWorkerInput } from './train-core';

/** Runs recommendation training in a child process (src/common/child-worker.ts says why a process). */
export async function runTrainingInProcess(input: TrainWorkerInput, onProgress: (p: TrainProgress) => void, signal?: AbortSignal): Promise<TrainResult> {
  const result = await runInChildWorker<TrainWorkerInput, TrainProgress, TrainResult>(workerEntry(__dirname, 'train-worker', path.extname(__filename)), input, { label: 'recommendation training', onProgress, signal });
  return { ...result, artifact: new Uint8Array(result.artifact) };
}
