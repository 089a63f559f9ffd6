/**
 * Child-process entry for recommendation training (forked by run-training.ts): receives the
 * interactions as its first IPC message, trains and evaluates, sends progress, then the
 * encoded artifact. A process, as for NLU training: the event loop of the server keeps
 * serving, and the memory of an n x n inverse goes back to the OS when it exits.
 */
import { trainAndEncode, TrainWorkerInput, TrainWorkerMessage } from './train-core';

if (!process.send) throw new Error('train-worker must run as a forked child process (run-training.ts)');
// The server went away (crash, kill -9): stop rather than run on as an orphan.
process.once('disconnect', () => process.exit(0));
process.once('message', (input: TrainWorkerInput) => {
  const send = (msg: TrainWorkerMessage) => process.send!(msg);
  try {
    send({ type: 'done', result: trainAndEncode(input, (progress) => send({ type: 'progress', progress })) });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    send({ type: 'error', message: e.message, stack: e.stack });
  }
});
