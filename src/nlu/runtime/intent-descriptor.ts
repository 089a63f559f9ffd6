import { builtinDescriptor, type ModelDescriptor } from '../../inference/store/model-store';

/** How the pool serves a project's trained intent classifier: one small replica, batched, never autoloaded. */
export function intentDescriptor(id: string, projectId: string, onnx: string | Uint8Array): ModelDescriptor {
  return builtinDescriptor({
    id,
    task: 'nlu-intent',
    onnx,
    projectId,
    serving: {
      required: false,
      autoload: false,
      replicas: 1,
      executionProviders: ['cpu'],
      intraOpThreads: 1,
      interOpThreads: 1,
      graphOptimizationLevel: 'all',
      enableCpuMemArena: true,
      allowSpinning: false,
      timeoutMs: 10_000,
      batching: { enabled: true, maxBatchSize: 64, maxQueueDelayMs: 0, maxQueueSize: 4096 },
      padding: { feature_ids: 0, feature_values: 0 },
    },
  });
}
