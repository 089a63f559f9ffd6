import { AlsModel, scoreAls, solveUser, trainAls, itemGram } from './als';
import { blend, rank, SourceScores } from './blender';
import { trainEase } from './ease';
import { holdout, HoldoutKind } from './holdout';
import { trainItemKnn } from './item-knn';
import { buildMatrix } from './matrix';
import { evaluateRankings, RankingMetrics } from './metrics';
import { scoreHistory } from './neighbors';
import { decayedPopularity } from './popularity';
import { Interaction, NeighborTable } from './types';

/** The trained models: item-item neighbour tables (ease, itemknn) and factors (als). */
export const ITEM_MODELS = ['ease', 'itemknn', 'als'] as const;
export type ItemModel = (typeof ITEM_MODELS)[number];
type TableModel = Exclude<ItemModel, 'als'>;

export interface TrainOptions {
  models: ItemModel[];
  neighbors: number;
  knnShrinkage: number;
  easeLambda: number;
  /** EASE needs a dense n x n inverse: catalogs larger than this skip it */
  easeMaxItems: number;
  popularityHalfLifeMs: number;
  alsFactors: number;
  alsRegularization: number;
  alsAlpha: number;
  alsIterations: number;
  alsCgSteps: number;
  /** source weights of the blend (model names and `popularity`) */
  blendWeights: Record<string, number>;
  evaluate: boolean;
  holdout: HoldoutKind;
  holdoutFraction: number;
  k: number;
  seed: number;
}

export interface TrainInput {
  items: string[];
  users: string[];
  cells: Interaction[];
  options: TrainOptions;
}

export interface TrainProgress {
  phase: string;
  done: number;
  total: number;
}

export interface TrainOutput {
  tables: Partial<Record<TableModel, NeighborTable>>;
  factors: { als?: AlsModel };
  /** metrics on the holdout by model name (`popularity`, `ease`, `itemknn`, `blend`) */
  metrics: Record<string, RankingMetrics> | null;
  skipped: { model: string; reason: string }[];
  timingsMs: Record<string, number>;
}

/** Trains the item-item models on every interaction, after evaluating them on a holdout when asked. */
export function trainModels(input: TrainInput, onProgress: (p: TrainProgress) => void = () => undefined): TrainOutput {
  const { items, users, options } = input;
  const skipped: TrainOutput['skipped'] = [];
  const models = options.models.filter((m) => {
    if (m === 'ease' && items.length > options.easeMaxItems) {
      skipped.push({ model: 'ease', reason: `${items.length} items exceed REC_EASE_MAX_ITEMS (${options.easeMaxItems})` });
      return false;
    }
    return true;
  });
  const timingsMs: Record<string, number> = {};
  let metrics: TrainOutput['metrics'] = null;
  if (options.evaluate) {
    const t0 = Date.now();
    metrics = evaluateModels(input, models, onProgress);
    timingsMs.evaluate = Date.now() - t0;
  }
  const x = buildMatrix(users.length, items.length, input.cells);
  const tables: TrainOutput['tables'] = {};
  const factors: TrainOutput['factors'] = {};
  for (const m of models) {
    const t0 = Date.now();
    const progress = (done: number, total: number) => onProgress({ phase: `train:${m}`, done, total });
    if (m === 'als') factors.als = fitAls(x, options, progress);
    else tables[m] = fit(m, x, options, progress);
    timingsMs[m] = Date.now() - t0;
  }
  return { tables, factors, metrics, skipped, timingsMs };
}

function fitAls(x: ReturnType<typeof buildMatrix>, o: TrainOptions, progress: (done: number, total: number) => void): AlsModel {
  return trainAls(x, { factors: o.alsFactors, regularization: o.alsRegularization, alpha: o.alsAlpha, iterations: o.alsIterations, cgSteps: o.alsCgSteps, seed: o.seed }, progress).model;
}

function fit(model: TableModel, x: ReturnType<typeof buildMatrix>, o: TrainOptions, progress: (done: number, total: number) => void): NeighborTable {
  return model === 'ease' ? trainEase(x, { lambda: o.easeLambda, neighbors: o.neighbors }, progress) : trainItemKnn(x, { neighbors: o.neighbors, shrinkage: o.knnShrinkage }, progress);
}

/** Each model, popularity and their blend on the same holdout, side by side. */
export function evaluateModels(input: TrainInput, models: ItemModel[], onProgress: (p: TrainProgress) => void = () => undefined): Record<string, RankingMetrics> {
  const { items, users, options } = input;
  const { train, test } = holdout(input.cells, options.holdout, options.holdoutFraction, options.seed);
  const x = buildMatrix(users.length, items.length, train);
  const tables: Partial<Record<TableModel, NeighborTable>> = {};
  let als: { model: AlsModel; gram: Float64Array } | null = null;
  for (const m of models) {
    const progress = (done: number, total: number) => onProgress({ phase: `evaluate:${m}`, done, total });
    if (m === 'als') {
      const model = fitAls(x, options, progress);
      als = { model, gram: itemGram(model) };
    } else tables[m] = fit(m, x, options, progress);
  }
  const now = train.reduce((t, c) => Math.max(t, c.ts), 0);
  const popularity = decayedPopularity(
    train.filter((c) => c.value > 0).map((c) => ({ item: items[c.item], weight: c.value, ts: c.ts })),
    now,
    options.popularityHalfLifeMs,
  );
  const history = new Map<number, Map<number, number>>();
  for (const c of train) {
    const h = history.get(c.user) ?? new Map<number, number>();
    h.set(c.item, c.value);
    history.set(c.user, h);
  }
  const relevant = new Map<number, Set<string>>();
  for (const c of test) {
    const s = relevant.get(c.user) ?? new Set<string>();
    s.add(items[c.item]);
    relevant.set(c.user, s);
  }
  const names = ['popularity', ...models, ...(models.length ? ['blend'] : [])];
  const cases: Record<string, { ranked: string[]; relevant: Set<string> }[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const [u, rel] of relevant) {
    const h = history.get(u) ?? new Map<number, number>();
    const seen = (id: string) => h.has(index(items, id));
    const sources: Record<string, SourceScores> = { popularity };
    // each test user is scored as served: item-item models folded in over the history, ALS re-solved from it
    for (const m of models) sources[m] = toScores(m === 'als' ? scoreAls(als!.model, solveUser(als!.model, h, als!.gram)) : scoreHistory(tables[m]!, h).scores, items);
    for (const name of names) {
      const weights = name === 'blend' ? options.blendWeights : { [name]: 1 };
      const ranked = rank(blend(sources, weights).values(), { k: options.k, exclude: seen });
      cases[name].push({ ranked: ranked.map((r) => r.item), relevant: rel });
    }
  }
  return Object.fromEntries(names.map((n) => [n, evaluateRankings(cases[n], options.k, items.length)]));
}

const indexes = new WeakMap<string[], Map<string, number>>();
function index(items: string[], id: string): number {
  let m = indexes.get(items);
  if (!m) {
    m = new Map(items.map((v, i) => [v, i]));
    indexes.set(items, m);
  }
  return m.get(id) ?? -1;
}

export function toScores(scores: Float64Array, items: string[]): SourceScores {
  const out: SourceScores = new Map();
  for (let j = 0; j < scores.length; j++) if (scores[j] !== 0) out.set(items[j], scores[j]);
  return out;
}
