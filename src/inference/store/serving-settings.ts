import type { ExecutionProvider } from '../runtime/ort';

/**
 * Serving settings of one model: the process-wide defaults from the environment,
 * overridden by the model's own llmos.json (as Triton keeps a config beside each model).
 *
 * llmos.json example:
 *   { "task": "feature-extraction", "required": true, "replicas": 2,
 *     "executionProviders": ["cuda", "cpu"], "intraOpThreads": 2,
 *     "graphOptimizationLevel": "all", "enableCpuMemArena": true, "allowSpinning": false,
 *     "batching": { "enabled": true, "maxBatchSize": 32, "maxQueueDelayMs": 2, "maxQueueSize": 512 },
 *     "timeoutMs": 10000 }
 * (`embeddings` — pooling, prefixes, Matryoshka — is read by the embeddings module, docs/embeddings.md.)
 */

export const PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'tensorrt', 'webgpu', 'coreml', 'dml'];
const OPT_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;

export interface BatchingSettings {
  enabled: boolean;
  maxBatchSize: number;
  maxQueueDelayMs: number;
  maxQueueSize: number;
}

export interface ServingSettings {
  required: boolean;
  autoload: boolean;
  replicas: number;
  executionProviders: ExecutionProvider[];
  intraOpThreads: number;
  interOpThreads: number;
  graphOptimizationLevel: (typeof OPT_LEVELS)[number];
  enableCpuMemArena: boolean;
  /** idle ORT threads busy-wait between parallel sections; off by default (shared cores, see runtime/ort.ts) */
  allowSpinning: boolean;
  batching: BatchingSettings;
  timeoutMs: number;
  /** pad value per ragged input; defaults come from the model's pad token */
  padding?: Record<string, number>;
}

export type ServingDefaults = Omit<ServingSettings, 'padding'>;

type Problem = (message: string) => Error;

function num(obj: Record<string, unknown>, key: string, fallback: number, min: number, max: number, problem: Problem, prefix = ''): number {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw problem(`llmos.json: ${prefix}${key} must be a number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return v;
}

function bool(obj: Record<string, unknown>, key: string, fallback: boolean, problem: Problem, prefix = ''): boolean {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw problem(`llmos.json: ${prefix}${key} must be true or false (got ${JSON.stringify(v)})`);
  return v;
}

export function parseServingFile(file: Record<string, unknown> | undefined, defaults: ServingDefaults, problem: Problem): ServingSettings {
  const f = file ?? {};
  const known = new Set(['task', 'onnx', 'dtype', 'required', 'autoload', 'replicas', 'executionProviders', 'intraOpThreads', 'interOpThreads', 'graphOptimizationLevel', 'enableCpuMemArena', 'allowSpinning', 'batching', 'timeoutMs', 'padding', 'description', 'builtin', 'embeddings']);
  const unknown = Object.keys(f).filter((k) => !known.has(k));
  if (unknown.length) throw problem(`llmos.json: unknown setting(s) ${unknown.join(', ')}`);
  let providers = defaults.executionProviders;
  if (f.executionProviders !== undefined) {
    const list = f.executionProviders;
    if (!Array.isArray(list) || list.length === 0 || !list.every((p) => PROVIDERS.includes(p as ExecutionProvider))) {
      throw problem(`llmos.json: executionProviders must be a non-empty list of ${PROVIDERS.join(', ')}`);
    }
    providers = list as ExecutionProvider[];
  }
  const level = f.graphOptimizationLevel ?? defaults.graphOptimizationLevel;
  if (!OPT_LEVELS.includes(level as (typeof OPT_LEVELS)[number])) throw problem(`llmos.json: graphOptimizationLevel must be one of ${OPT_LEVELS.join(', ')}`);
  const b = (f.batching ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || Array.isArray(b)) throw problem('llmos.json: batching must be an object');
  let padding: Record<string, number> | undefined;
  if (f.padding !== undefined) {
    const p = f.padding as Record<string, unknown>;
    if (typeof p !== 'object' || p === null || !Object.values(p).every((v) => typeof v === 'number')) throw problem('llmos.json: padding must map input names to numbers');
    padding = p as Record<string, number>;
  }
  return {
    required: bool(f, 'required', defaults.required, problem),
    autoload: bool(f, 'autoload', defaults.autoload, problem),
    replicas: num(f, 'replicas', defaults.replicas, 1, 64, problem),
    executionProviders: providers,
    intraOpThreads: num(f, 'intraOpThreads', defaults.intraOpThreads, 0, 1024, problem),
    interOpThreads: num(f, 'interOpThreads', defaults.interOpThreads, 0, 1024, problem),
    graphOptimizationLevel: level as ServingSettings['graphOptimizationLevel'],
    enableCpuMemArena: bool(f, 'enableCpuMemArena', defaults.enableCpuMemArena, problem),
    allowSpinning: bool(f, 'allowSpinning', defaults.allowSpinning, problem),
    timeoutMs: num(f, 'timeoutMs', defaults.timeoutMs, 0, 3_600_000, problem),
    batching: {
      enabled: bool(b, 'enabled', defaults.batching.enabled, problem, 'batching.'),
      maxBatchSize: num(b, 'maxBatchSize', defaults.batching.maxBatchSize, 1, 4096, problem, 'batching.'),
      maxQueueDelayMs: num(b, 'maxQueueDelayMs', defaults.batching.maxQueueDelayMs, 0, 10_000, problem, 'batching.'),
      maxQueueSize: num(b, 'maxQueueSize', defaults.batching.maxQueueSize, 1, 1_000_000, problem, 'batching.'),
    },
    padding,
  };
}
