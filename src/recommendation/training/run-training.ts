import { fork } from 'node:child_process';
import * as path from 'node:path';
import type { TrainProgress } from '../algorithms/pipeline';
import type { TrainResult, TrainWorkerInput, TrainWorkerMessage } from './train-core';

function workerEntry(): { file: string; execArgv: string[] } {
  const ext = path.extname(__filename);
  // Under ts-jest / ts-node this module is .ts, and so is the worker: compile it on the fly.
  return { file: path.join(__dirname, `train-worker${ext}`), execArgv: ext === '.ts' ? ['-r', 'ts-node/register/transpile-only'] : [] };
}

/** Runs recommendation training in a child process (see src/nlu/training/run-training.ts for why a process). */
export function runTrainingInProcess(input: TrainWorkerInput, onProgress: (p: TrainProgress) => void, signal?: AbortSignal): Promise<TrainResult> {
  if (signal?.aborted) return Promise.reject(new Error('recommendation training was aborted'));
  return new Promise<TrainResult>((resolve, reject) => {
    const { file, execArgv } = workerEntry();
    const child = fork(file, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (child.connected) child.disconnect();
      fn();
    };
    const onAbort = () => {
      child.kill('SIGKILL');
      finish(() => reject(new Error('recommendation training was aborted')));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (msg: TrainWorkerMessage) => {
      if (msg.type === 'progress') {
        if (!settled) onProgress(msg.progress);
      } else if (msg.type === 'done') {
        finish(() => resolve({ ...msg.result, artifact: new Uint8Array(msg.result.artifact) }));
      } else {
        finish(() => reject(new Error(`recommendation training failed: ${msg.message}`)));
      }
    });
    child.on('error', (err) => finish(() => reject(err)));
    child.on('exit', (code, sig) => finish(() => reject(new Error(`recommendation training process exited (${sig ?? `code ${code}`}) before finishing`))));
    child.send(input);
  });
}
