/**
 * One piece of CPU-heavy work (training) in a forked child process, so the event loop keeps
 * serving requests while JavaScript crunches numbers, and the memory the work used goes back
 * to the OS when it ends (a worker thread's heap and malloc arenas stayed in the server).
 * The child gets `input` as its first message and answers with progress messages and then
 * one `done` or `error` message. 'advanced' serialization: typed arrays cross as themselves.
 */
import { fork, Serializable } from 'node:child_process';
import * as path from 'node:path';

export type ChildWorkerMessage<P, R> = { type: 'progress'; progress: P } | { type: 'done'; result: R } | { type: 'error'; message: string; stack?: string };

export interface ChildWorkerOptions<P> {
  /** what the work is, for messages: "NLU training" */
  label: string;
  onProgress: (p: P) => void;
  signal?: AbortSignal;
  /** the error an abort rejects with (default: an AbortError naming the work) */
  aborted?: () => Error;
}

/** The worker file beside `dir` (`<base>.js`, or `<base>.ts` compiled on the fly under ts-jest / ts-node). */
export function workerEntry(dir: string, base: string, ext: string): { file: string; execArgv: string[] } {
  return { file: path.join(dir, `${base}${ext}`), execArgv: ext === '.ts' ? ['-r', 'ts-node/register/transpile-only'] : [] };
}

export function runInChildWorker<I, P, R>(worker: { file: string; execArgv: string[] }, input: I, o: ChildWorkerOptions<P>): Promise<R> {
  const aborted = o.aborted ?? (() => Object.assign(new Error(`${o.label} was aborted`), { name: 'AbortError' }));
  if (o.signal?.aborted) return Promise.reject(aborted());
  return new Promise<R>((resolve, reject) => {
    const child = fork(worker.file, [], { execArgv: worker.execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      if (child.connected) child.disconnect(); // the child exits when its channel closes
      fn();
    };
    const onAbort = () => {
      child.kill('SIGKILL');
      finish(() => reject(aborted()));
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (msg: ChildWorkerMessage<P, R>) => {
      if (msg.type === 'progress') {
        if (!settled) o.onProgress(msg.progress);
      } else if (msg.type === 'done') {
        finish(() => resolve(msg.result));
      } else {
        const err = new Error(`${o.label} failed: ${msg.message}`);
        if (msg.stack) err.stack = msg.stack;
        finish(() => reject(err));
      }
    });
    child.on('error', (err) => finish(() => reject(err)));
    child.on('exit', (code, sig) => finish(() => reject(new Error(`${o.label} process exited (${sig ?? `code ${code}`}) before finishing`))));
    child.send(input as Serializable);
  });
}
