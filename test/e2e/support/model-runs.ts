import type { InferencePool } from '../../../src/inference/inference-pool.service';

/**
 * Lets a test hold a generation model's runs (prefills and decode steps): the engine sends
 * them to the replica pinned to its batch (InferencePool.pin), outside `pool.run`. `hook`
 * runs before each run with the model id and the run's number (from 1) and may wait.
 */
export function holdGenerationRuns(pool: InferencePool, hook: (model: string, n: number) => Promise<void> | void): jest.SpyInstance {
  const pin = pool.pin.bind(pool);
  let runs = 0;
  return jest.spyOn(pool, 'pin').mockImplementation((model: string) => {
    const replica = pin(model);
    return {
      unpin: replica.unpin,
      call: async (call, transfer) => {
        if (call.op === 'prefill' || call.op === 'decode') await hook(model, ++runs);
        return replica.call(call, transfer);
      },
    };
  });
}
