import { AppConfig, settingBool, settingList, settingNumber } from '../config/app-config';
import { TrainOptions } from './algorithms/pipeline';
import { DEFAULT_EVENT_WEIGHTS, EventWeights } from './algorithms/types';

/** The recommendation settings, parsed once (a bad weight list stops the start naming the variable). */
export interface RecSettings {
  demo: boolean;
  maxEventsPerRequest: number;
  eventBatchSize: number;
  weights: EventWeights;
  blendWeights: Record<string, number>;
  historyLimit: number;
  cacheTtlMs: number;
  popularityRefreshMs: number;
  historyCacheMs: number;
  historyCacheUsers: number;
  retrainIntervalMs: number;
  popularityHalfLifeMs: number;
  /** how GET users/:id scores: in the process, or through the InferencePool as ONNX */
  serving: 'typescript' | 'onnx';
  /** the least cosine at which an item newer than the model reaches a user through content */
  contentMinSimilarity: number;
  train: Omit<TrainOptions, 'models' | 'evaluate' | 'holdout' | 'holdoutFraction' | 'k' | 'seed'>;
}

export const REC_SETTINGS = Symbol('RecSettings');

function pairs(config: AppConfig, key: 'REC_EVENT_WEIGHTS' | 'REC_BLEND_WEIGHTS', allowed: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const entry of settingList(config, key)) {
    const [name, value] = entry.split(':').map((s) => s.trim());
    const n = Number(value);
    if (!allowed.includes(name) || value === undefined || !Number.isFinite(n)) throw new Error(`${key}: "${entry}" is not name:number with name one of ${allowed.join(', ')}`);
    out[name] = n;
  }
  return out;
}

export function recSettings(config: AppConfig): RecSettings {
  const w = { ...DEFAULT_EVENT_WEIGHTS, ...pairs(config, 'REC_EVENT_WEIGHTS', ['view', 'click', 'add_to_cart', 'purchase', 'rating', 'dislike']) };
  if (w.dislike >= 0) throw new Error('REC_EVENT_WEIGHTS: dislike must be negative');
  if (w.purchase <= 0) throw new Error('REC_EVENT_WEIGHTS: purchase must be positive');
  const halfLife = settingNumber(config, 'REC_POPULARITY_HALF_LIFE_HOURS') * 3_600_000;
  return {
    demo: settingBool(config, 'REC_DEMO'),
    maxEventsPerRequest: settingNumber(config, 'REC_MAX_EVENTS_PER_REQUEST'),
    eventBatchSize: settingNumber(config, 'REC_EVENT_BATCH_SIZE'),
    weights: { ...w, saturation: w.purchase },
    blendWeights: pairs(config, 'REC_BLEND_WEIGHTS', ['ease', 'itemknn', 'als', 'content', 'popularity']),
    historyLimit: settingNumber(config, 'REC_HISTORY_LIMIT'),
    cacheTtlMs: settingNumber(config, 'REC_CACHE_TTL_MS'),
    popularityRefreshMs: settingNumber(config, 'REC_POPULARITY_REFRESH_MS'),
    historyCacheMs: settingNumber(config, 'REC_HISTORY_CACHE_MS'),
    historyCacheUsers: settingNumber(config, 'REC_HISTORY_CACHE_USERS'),
    retrainIntervalMs: settingNumber(config, 'REC_RETRAIN_INTERVAL_MS'),
    popularityHalfLifeMs: halfLife,
    serving: config.raw.REC_SERVING === 'onnx' ? 'onnx' : 'typescript',
    contentMinSimilarity: settingNumber(config, 'REC_CONTENT_MIN_SIMILARITY'),
    train: {
      neighbors: settingNumber(config, 'REC_NEIGHBORS'),
      knnShrinkage: settingNumber(config, 'REC_KNN_SHRINKAGE'),
      easeLambda: settingNumber(config, 'REC_EASE_LAMBDA'),
      easeMaxItems: settingNumber(config, 'REC_EASE_MAX_ITEMS'),
      alsFactors: settingNumber(config, 'REC_ALS_FACTORS'),
      alsRegularization: settingNumber(config, 'REC_ALS_REGULARIZATION'),
      alsAlpha: settingNumber(config, 'REC_ALS_ALPHA'),
      alsIterations: settingNumber(config, 'REC_ALS_ITERATIONS'),
      alsCgSteps: settingNumber(config, 'REC_ALS_CG_STEPS'),
      popularityHalfLifeMs: halfLife,
      blendWeights: pairs(config, 'REC_BLEND_WEIGHTS', ['ease', 'itemknn', 'als', 'content', 'popularity']),
    },
  };
}
