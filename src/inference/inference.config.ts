import { AppConfig, settingBool, settingList, settingNumber } from '../config/app-config';
import { ExecutionProvider } from './runtime/ort';
import { PROVIDERS, ServingDefaults } from './store/serving-settings';

/** The process-wide serving defaults (INFERENCE_* variables); each model's llmos.json may override them. */
export function servingDefaults(config: AppConfig): ServingDefaults {
  const providers = settingList(config, 'INFERENCE_EXECUTION_PROVIDERS');
  const bad = providers.filter((p) => !PROVIDERS.includes(p as ExecutionProvider));
  if (bad.length) throw new Error(`INFERENCE_EXECUTION_PROVIDERS: unknown provider(s) ${bad.join(', ')}; known: ${PROVIDERS.join(', ')}`);
  return {
    required: false,
    autoload: true,
    replicas: settingNumber(config, 'INFERENCE_REPLICAS'),
    executionProviders: (providers.length ? providers : ['cpu']) as ExecutionProvider[],
    intraOpThreads: settingNumber(config, 'INFERENCE_INTRA_OP_THREADS'),
    interOpThreads: 0,
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
    allowSpinning: false,
    timeoutMs: settingNumber(config, 'INFERENCE_TIMEOUT_MS'),
    batching: {
      enabled: settingBool(config, 'INFERENCE_BATCHING'),
      maxBatchSize: settingNumber(config, 'INFERENCE_MAX_BATCH_SIZE'),
      maxQueueDelayMs: settingNumber(config, 'INFERENCE_MAX_QUEUE_DELAY_MS'),
      maxQueueSize: settingNumber(config, 'INFERENCE_MAX_QUEUE_SIZE'),
    },
  };
}
