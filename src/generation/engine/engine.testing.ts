import { FIXTURE_PRESETS } from '../../inference/fixtures/write-fixture';
import type { CausalLmShape } from './model-shape';
import { BatchCall, BatchShape, MakeTensor, PinnedReplica, ResidentBatch, serveBatchCall, StepRunner, WorkerBatch } from './resident-batch';

const tiny = FIXTURE_PRESETS.gpt2.tiny;

/** The tiny GPT-2 fixture's shape, as causalLmShape reads it from its config. */
export const TINY_GPT2_SHAPE: CausalLmShape = {
  layers: tiny.nLayer,
  kvHeads: tiny.nHead,
  headDim: tiny.nEmbd / tiny.nHead,
  vocabSize: tiny.vocabSize,
  contextLength: tiny.nPositions,
  hasPositionIds: true,
  bytesPerToken: tiny.nLayer * 2 * tiny.nEmbd * 4,
};

/** What crossed the simulated thread boundary in one call. */
export interface Crossing {
  op: BatchCall['op'];
  /** float32 values sent with the call and received with its reply */
  sentFloats: number;
  receivedFloats: number;
}

/** Float32 values in a message, found as a structured clone would (typed arrays in plain objects and arrays). */
function floats(value: unknown): number {
  if (value instanceof Float32Array) return value.length;
  if (ArrayBuffer.isView(value) || value === null || typeof value !== 'object') return 0;
  return Object.values(value as Record<string, unknown>).reduce<number>((n, v) => n + floats(v), 0);
}

/**
 * A WorkerBatch whose "worker" is in this thread behind structured clones, as
 * postMessage makes them (transferred buffers are detached on the sending side): the
 * engine's protocol, cloning and transfers are what serving uses, without a worker.
 * `pins` counts the pins held; `log` every call.
 */
export function acrossThreads(shape: BatchShape, run: StepRunner, make: MakeTensor) {
  const state: { batch?: ResidentBatch } = {};
  const log: Crossing[] = [];
  const pins = { held: 0, total: 0 };
  const replica = (): PinnedReplica => {
    pins.held++;
    pins.total++;
    let held = true;
    return {
      async call(call, transfer) {
        const inbound = structuredClone(call, { transfer });
        const { result, transfer: back } = await serveBatchCall(state, inbound, run, make);
        const reply = structuredClone(result, { transfer: back });
        log.push({ op: call.op, sentFloats: floats(inbound), receivedFloats: floats(reply) });
        return reply;
      },
      unpin() {
        if (held) pins.held--;
        held = false;
      },
    };
  };
  return { model: new WorkerBatch(shape, replica), log, pins };
}
