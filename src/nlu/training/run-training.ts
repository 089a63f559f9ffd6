/**
 * Runs NLU training in a child process so the event loop keeps serving requests while
 * JavaScript crunches numbers, and so the memory training used is returned to the OS when
 * it ends (a worker thread's heap and malloc arenas stayed in the server process).
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
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
    // 'advanced' serialization: typed arrays (weights, ONNX bytes) cross as themselves.
    const child = fork(file, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (child.connected) child.disconnect(); // the child exits when its channel closes
      fn();
    };
    const onAbort = () => {
      child.kill('SIGKILL');
      finish(() => reject(new TrainingAbortedError()));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (msg: TrainWorkerMessage) => {
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
    child.on('error', (err) => finish(() => reject(err)));
    child.on('exit', (code, sig) => finish(() => reject(new Error(`NLU training process exited (${sig ?? `code ${code}`}) before finishing`))));
    child.send({ data, options } satisfies TrainWorkerInput);
  });
}
