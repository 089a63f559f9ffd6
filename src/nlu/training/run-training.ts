/**
 * Runs NLU training in a worker thread so the event loop keeps serving requests while
 * JavaScript crunches numbers (onnxruntime runs off-thread by itself; our trainer does not).
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NluTrainingData } from '../core/types';
import type { NluTrainingOptions, TrainedArtifacts, TrainingProgress } from './pipeline';
import type { TrainWorkerInput, TrainWorkerMessage } from './train-worker';

/** Thrown when the caller's AbortSignal stops a training run. */
export class TrainingAbortedError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('NLU training was aborted');
  }
}

function workerEntry(): { file: string; execArgv: string[] } {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `train-worker${ext}`);
  // Under ts-jest / ts-node this module is .ts, and so is the worker: compile it on the fly.
  return { file, execArgv: ext === '.ts' ? ['-r', 'ts-node/register/transpile-only'] : [] };
}

export function runTrainingInWorker(
  data: NluTrainingData,
  options: NluTrainingOptions,
  onProgress: (p: TrainingProgress) => void,
  signal?: AbortSignal,
): Promise<TrainedArtifacts> {
  if (signal?.aborted) return Promise.reject(new TrainingAbortedError());
  return new Promise<TrainedArtifacts>((resolve, reject) => {
    const { file, execArgv } = workerEntry();
    const worker = new Worker(file, { workerData: { data, options } satisfies TrainWorkerInput, execArgv });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      finish(() => reject(new TrainingAbortedError()));
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (msg: TrainWorkerMessage) => {
      if (msg.type === 'progress') {
        if (!settled) onProgress(msg.progress);
      } else if (msg.type === 'done') {
        finish(() => resolve(msg.artifacts));
      } else {
        const err = new Error(`NLU training failed: ${msg.message}`);
        if (msg.stack) err.stack = msg.stack;
        finish(() => reject(err));
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`NLU training worker exited with code ${code} before finishing`))));
  });
}
