/**
 * One ONNX Runtime session in its own worker thread.
 *
 * onnxruntime-node 1.30 runs inference synchronously on the calling thread (its
 * `run()` only defers the native call with setImmediate), so a run on the main thread
 * blocks every HTTP request for its whole duration. Each replica therefore lives here:
 * the event loop stays free and replicas of one model run in parallel on separate
 * cores. Messages carry plain typed arrays; output buffers are transferred, not copied.
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { ResidentBatch, serveBatchCall } from '../../generation/engine/resident-batch';
import type { TensorLike } from '../pool/batch-tensors';
import { lastTokenLogits } from '../onnx/last-token-logits';
import { createSession, makeTensorLike, OrtSession, sessionIo } from './ort';
import type { WorkerReply, WorkerRequest, WireTensor } from './worker-protocol';
import * as ort from 'onnxruntime-node';

let session: OrtSession | undefined;
/** a generation engine's batch KV cache, kept here between its decode steps (docs/decisions/0017) */
const resident: { batch?: ResidentBatch } = {};

async function runSession(feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>> {
  if (!session) throw new Error('session not initialised');
  return (await session.run(feeds as Record<string, ort.Tensor>)) as unknown as Record<string, TensorLike>;
}

function post(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(reply, transfer);
}

async function handle(msg: WorkerRequest): Promise<void> {
  switch (msg.type) {
    case 'init': {
      try {
        let source = msg.source;
        let transformed = false;
        if (msg.transform === 'last-token-logits') {
          // Done here, not on the main thread: decoding a large model's protobuf takes seconds.
          const bytes = typeof source === 'string' ? readFileSync(source) : source;
          const rewritten = lastTokenLogits(bytes);
          if (rewritten) {
            source = rewritten;
            transformed = true;
          }
        }
        const created = await createSession(source, msg.settings);
        session = created.session;
        post({ type: 'ready', provider: created.provider, fallbacks: created.fallbacks, io: sessionIo(created.session), transformed });
      } catch (err) {
        post({ type: 'init-error', message: (err as Error).message });
      }
      return;
    }
    case 'run': {
      try {
        if (!session) throw new Error('session not initialised');
        const feeds: Record<string, ort.Tensor> = {};
        for (const [name, t] of Object.entries(msg.feeds)) feeds[name] = new ort.Tensor(t.type as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims);
        const out = await session.run(feeds);
        const outputs: Record<string, WireTensor> = {};
        const transfer: ArrayBuffer[] = [];
        for (const [name, t] of Object.entries(out)) {
          const data = t.data as WireTensor['data'];
          outputs[name] = { type: t.type, dims: [...t.dims], data };
          if (data.buffer instanceof ArrayBuffer && !transfer.includes(data.buffer)) transfer.push(data.buffer);
        }
        post({ type: 'result', id: msg.id, outputs }, transfer);
      } catch (err) {
        post({ type: 'run-error', id: msg.id, message: (err as Error).message });
      }
      return;
    }
    case 'batch': {
      try {
        const { result, transfer } = await serveBatchCall(resident, msg.call, runSession, makeTensorLike);
        post({ type: 'batch-result', id: msg.id, result }, transfer);
      } catch (err) {
        post({ type: 'run-error', id: msg.id, message: (err as Error).message });
      }
      return;
    }
    case 'release': {
      resident.batch = undefined;
      await session?.release();
      session = undefined;
      post({ type: 'released' });
      return;
    }
  }
}

parentPort!.on('message', (msg: WorkerRequest) => void handle(msg));
