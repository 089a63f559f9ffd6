import { Injectable, Logger, Optional } from '@nestjs/common';
import { DEFAULT_PROJECT } from '../auth/principal';
import { USAGE_METRICS } from '../usage/core/usage-metrics';
import { UsageService } from '../usage/usage.service';
import { BadInputError, ConflictError, UnavailableError } from '../common/errors';
import { AppConfig, settingNumber } from '../config/app-config';
import { InferencePool } from '../inference/inference-pool.service';
import { makeTensorLike } from '../inference/runtime/ort';
import type { Lang, NluTrainingData } from './core/types';
import { defaultEntitySettings, labelledEntityNames, NluEntitySettings, pipelineOptionsFor } from './entities/entity-settings';
import { EntityExtractionPipeline } from './entities/pipeline';
import { createGazetteer } from './runtime/gazetteer-module';
import { DroppedWhileLoadingError, LoadingLru } from './runtime/loading-lru';
import { LoadedNluModel, ParseOptions, parseTexts, ParseResult } from './runtime/nlu-parser';
import { Featurizer, FeaturizerConfig } from './training/featurizer';
import { INTENT_ONNX_OUTPUT } from './training/intent-onnx';
import { SequenceTagger } from './training/sequence-tagger';
import { NerService } from './ner.service';
import { EmbeddingsService } from '../embeddings/embeddings.service';
import type { StoredModel } from './nlu-models.repository';
import { NluModelSource } from './nlu-model-source';
import { NluMetrics } from './nlu-metrics';
import { intentDescriptor } from './runtime/intent-descriptor';

/** Pool ids of intent models (built-in models served from files): one per project and version, so labels and weights always match. */
export const nluPoolModel = (project: string, version: number) => `nlu-intent-${project}-v${version}`;
export const MAX_BATCH_TEXTS = 64;
const DEFAULT_MAX_LOADED = 16;
/** how long "this project has no model" is believed before the database is asked again */
const NO_MODEL_RECHECK_MS = 1000;
const MAX_UNTRAINED_REMEMBERED = 10_000;

type EntityResources = Pick<NluTrainingData, 'lookups' | 'synonyms' | 'regexes'>;

/**
 * What a project's rule extractors are built from: its lookups, synonyms and regexes, the
 * entity names its examples use ('auto' built-ins and gazetteers follow them) from
 * `examples` or, without reading every example, `annotated`; and its entity settings.
 */
export interface EntitySource extends EntityResources, Partial<Pick<NluTrainingData, 'examples'>> {
  annotated?: readonly string[];
  settings?: NluEntitySettings;
}

/** The entity names a project's data uses, for the settings' 'auto' sources. */
export function labelledNames(data: EntitySource): Set<string> {
  if (data.examples) return labelledEntityNames({ examples: data.examples, lookups: data.lookups });
  return new Set([...(data.annotated ?? []), ...labelledEntityNames({ lookups: data.lookups })]);
}

/** One project's serving state; requests that took it keep it alive until they finish. */
interface ProjectState {
  model?: LoadedNluModel & { poolId: string };
  entities: EntityExtractionPipeline;
  resources: EntityResources;
  settings: NluEntitySettings;
  labelled: Set<string>;
  inflight: number;
  retired: boolean;
  released: boolean;
}

/** A version loaded by `prepare`, not yet serving. */
export interface PreparedNluModel {
  readonly project: string;
  readonly stored: StoredModel;
  readonly state: unknown;
}

export interface NluParseOptions extends ParseOptions {
  /** the project whose model and entities parse (`default` when left out) */
  project?: string;
}

/**
 * Parsing: intent (each project's active trained model through the shared pool), entities
 * (rules, gazetteers, the trained tagger), language. Holds the serving state of at most
 * NLU_MAX_LOADED_MODELS projects: a project's first parse loads its active version, the
 * least recently used project beyond the bound is unloaded, and `activate` swaps a
 * project's version in atomically while requests keep flowing.
 */
@Injectable()
export class NluService {
  private readonly logger = new Logger('NLU');
  private readonly states: LoadingLru<ProjectState>;
  /** live states (and loads in progress) per pool id: a pool model is unloaded when none is left */
  private readonly poolRefs = new Map<string, number>();
  /**
   * Projects found with no model and none training, until when (ms): their parses answer the
   * same 409 without asking the database again. An activation here (or another replica's,
   * through the cluster events) clears the entry; a training started elsewhere is seen
   * within NO_MODEL_RECHECK_MS.
   */
  private readonly untrained = new Map<string, { until: number; message: string }>();
  /** values registered at run time per project (e.g. catalog titles), re-applied when its pipeline is rebuilt */
  private readonly registered = new Map<string, Map<string, Set<string>>>();

  constructor(
    private readonly pool: InferencePool,
    private readonly ner: NerService,
    private readonly embeddings: EmbeddingsService,
    @Optional() private readonly metrics: NluMetrics = new NluMetrics(),
    /** where a project's active version is loaded from on its first parse (absent: only `activate` serves) */
    @Optional() private readonly source?: NluModelSource,
    @Optional() config?: AppConfig,
    /** meters parsed texts per project (docs/usage.md) */
    @Optional() private readonly usage?: UsageService,
  ) {
    const bound = config ? settingNumber(config, 'NLU_MAX_LOADED_MODELS') : DEFAULT_MAX_LOADED;
    this.states = new LoadingLru<ProjectState>(bound, {
      evicted: (project, state) => {
        if (state.model) this.logger.debug(`NLU model ${state.model.poolId} unloaded: project ${project} was the least recently used of more than ${bound}`);
        void this.retire(state);
      },
      discarded: (_, state) => void this.retire(state),
    });
  }

  /** The version a project serves now, when it is loaded. */
  activeVersion(project: string = DEFAULT_PROJECT): number | undefined {
    return this.states.peek(project)?.model?.version;
  }

  /** Projects whose model is loaded, least recently used first. */
  loadedProjects(): string[] {
    return this.states.keys().filter((p) => this.states.peek(p)?.model);
  }

  /** Builds a project's rule extractors from `data` (creating its state when it has none). */
  configureEntities(data: EntitySource, project: string = DEFAULT_PROJECT): void {
    const state = this.states.peek(project);
    if (state) this.applyEntities(project, state, data);
    else this.states.set(project, this.newState(project, data));
  }

  /**
   * Rebuilds a loaded project's rule extractors from fresh data and settings after they
   * changed (a project not loaded reads them at its next load; a load in progress, which
   * may have read them before the change, is waited for).
   */
  async refreshEntities(project: string, read: () => Promise<EntitySource>): Promise<void> {
    await this.states.settled(project);
    if (!this.states.peek(project)) return;
    const data = await read();
    const state = this.states.peek(project);
    if (state) this.applyEntities(project, state, data);
  }

  /**
   * Adds run-time gazetteer entries to a project (a product catalog's titles and
   * categories), matched from its next parse on. Returns how many new values were added.
   */
  registerLookupValues(project: string, type: string, values: string[]): number {
    const byType = this.registered.get(project) ?? new Map<string, Set<string>>();
    this.registered.set(project, byType);
    const set = byType.get(type) ?? new Set<string>();
    const fresh = values.filter((v) => v.trim() && !set.has(v));
    fresh.forEach((v) => set.add(v));
    byType.set(type, set);
    if (fresh.length) this.states.peek(project)?.entities.gazetteer.add(type, fresh);
    return fresh.length;
  }

  /**
   * Serves a stored version for its project: loads its ONNX into the pool, then switches the
   * project's parsing to it (hot swap; the previous version is freed once its requests finish).
   * `entities` rebuilds the rule extractors too; without, the project's current ones stay.
   */
  async activate(stored: StoredModel, entities?: EntitySource): Promise<void> {
    this.install(await this.prepare(stored, entities));
  }

  /**
   * Loads a version into the pool without serving it yet (another replica is about to
   * activate it): `install` then swaps it in at once, `discard` frees it.
   */
  async prepare(stored: StoredModel, entities?: EntitySource): Promise<PreparedNluModel> {
    const project = stored.projectId ?? DEFAULT_PROJECT;
    const current = this.states.peek(project);
    const data = entities ?? (current ? { ...current.resources, settings: current.settings, annotated: [...current.labelled] } : { lookups: [], synonyms: [], regexes: [] });
    return { project, stored, state: await this.build(project, stored, data) };
  }

  install(prepared: PreparedNluModel): void {
    const { project, stored, state } = prepared as PreparedNluModel & { state: ProjectState };
    this.untrained.delete(project);
    const previous = this.states.set(project, state);
    if (previous) void this.retire(previous);
    if (project === DEFAULT_PROJECT) this.metrics.activeVersion(stored.version);
    this.logger.log(`NLU model v${stored.version} of project ${project} active (${stored.labels.length} intents, threshold ${stored.threshold.toFixed(3)})`);
  }

  discard(prepared: PreparedNluModel): void {
    void this.retire((prepared as PreparedNluModel & { state: ProjectState }).state);
  }

  /** Drops a project's serving state and registered values (the project was deleted); its pool model is unloaded. */
  async forget(project: string): Promise<void> {
    const state = this.states.delete(project);
    this.registered.delete(project);
    this.untrained.delete(project);
    // awaited, so that the pool no longer lists the model when a project deletion answers
    if (state) await this.retire(state);
  }

  /** `options.minConfidence` overrides the model's out-of-scope threshold for this call. */
  async parse(text: string, lang?: Lang, options?: NluParseOptions): Promise<ParseResult> {
    return (await this.parseBatch([text], lang, options))[0];
  }

  async parseBatch(texts: string[], lang?: Lang, options?: NluParseOptions): Promise<ParseResult[]> {
    const results = await this.metrics.timeParse(texts.length, lang, () => this.parseBatchUnmetered(texts, lang, options));
    this.usage?.add(options?.project ?? DEFAULT_PROJECT, USAGE_METRICS.nluParses, texts.length);
    return results;
  }

  private async parseBatchUnmetered(texts: string[], lang?: Lang, options: NluParseOptions = {}): Promise<ParseResult[]> {
    const min = options.minConfidence;
    if (min !== undefined && !(typeof min === 'number' && min >= 0 && min <= 1)) throw new BadInputError('minConfidence must be a number in [0, 1]', { field: 'minConfidence' });
    if (texts.length > MAX_BATCH_TEXTS) throw new BadInputError(`At most ${MAX_BATCH_TEXTS} texts per batch`, { field: 'texts' });
    const project = options.project ?? DEFAULT_PROJECT;
    let state = await this.stateFor(project);
    // Evicted or swapped out between its load and this turn: take the project's current state.
    for (let i = 0; state.retired && i < 3; i++) state = await this.stateFor(project);
    const model = state.model!;
    state.inflight++;
    try {
      return await parseTexts(texts, lang, {
        model,
        entities: state.entities,
        ner: this.ner.model() ? (text) => this.ner.extract(text) : undefined,
        embed: model.encoder ? async (t) => (await this.embeddings.embed(t, { model: model.encoder })).vectors : undefined,
        runIntent: async (b, embeddings) => {
          const feeds: Record<string, ReturnType<typeof makeTensorLike>> = {
            feature_ids: makeTensorLike('int64', b.ids, [b.batch, b.width]),
            feature_values: makeTensorLike('float32', b.values, [b.batch, b.width]),
          };
          if (embeddings) feeds.sentence_embedding = makeTensorLike('float32', embeddings.data, [b.batch, embeddings.dim]);
          const out = await this.pool.run(model.poolId, feeds, { transfer: true });
          return out[INTENT_ONNX_OUTPUT].data as Float32Array;
        },
      }, options);
    } finally {
      state.inflight--;
      if (state.retired && state.inflight === 0) void this.releaseModel(state);
    }
  }

  /** The project's state with a model: loaded now, or on its first parse (concurrent first parses share one load). */
  private stateFor(project: string): Promise<ProjectState> {
    const untrained = this.untrained.get(project);
    if (untrained && untrained.until > Date.now() && !this.states.peek(project)?.model) return Promise.reject(new ConflictError(untrained.message));
    return this.states.getOrLoad(project, () => this.load(project), (s) => s.model !== undefined).catch((err: unknown) => {
      if (err instanceof DroppedWhileLoadingError) throw new UnavailableError('The NLU model of this project was unloaded while it loaded; retry', undefined, 1);
      if (err instanceof ConflictError) {
        if (this.untrained.size >= MAX_UNTRAINED_REMEMBERED) this.untrained.clear();
        this.untrained.set(project, { until: Date.now() + NO_MODEL_RECHECK_MS, message: err.message });
      }
      throw err;
    });
  }

  private async load(project: string): Promise<ProjectState> {
    const source = this.source;
    const serving = source ? await source.serving(project) : { active: null, training: false };
    if (!source || serving.active === null) {
      if (serving.training || !source) {
        const first = project === DEFAULT_PROJECT ? 'first start trains it from the bundled data in a few seconds' : 'its first training run is in progress';
        throw new UnavailableError(`The NLU model is not trained yet (${first}); retry shortly`, undefined, 3);
      }
      throw new ConflictError(`Project ${project} has no trained NLU model yet: import training data (POST /api/v1/nlu/import), then train one (POST /api/v1/nlu/train)`);
    }
    const [stored, entities] = await Promise.all([source.model(project, serving.active), source.entities(project)]);
    return this.build(project, stored, entities);
  }

  /** Loads a version into the pool and builds the project's state around it (not yet installed). */
  private async build(project: string, stored: StoredModel, data: EntitySource): Promise<ProjectState> {
    const state = this.newState(project, data);
    const tagger = stored.tagger ? SequenceTagger.fromJSON(JSON.parse(stored.tagger), createGazetteer(state.resources)) : null;
    const poolId = nluPoolModel(project, stored.version);
    this.poolRefs.set(poolId, (this.poolRefs.get(poolId) ?? 0) + 1);
    state.model = {
      poolId,
      version: stored.version,
      labels: stored.labels,
      threshold: stored.threshold,
      featurizer: new Featurizer(stored.config.featurizer as Partial<FeaturizerConfig>),
      tagger,
      encoder: typeof stored.config.encoder === 'string' ? stored.config.encoder : undefined,
    };
    try {
      this.pool.register(intentDescriptor(poolId, project, stored.onnx));
      await this.pool.load(poolId);
    } catch (err) {
      void this.releaseModel(state);
      throw err;
    }
    return state;
  }

  private newState(project: string, data: EntitySource): ProjectState {
    const state: ProjectState = { entities: new EntityExtractionPipeline(), resources: { lookups: [], synonyms: [], regexes: [] }, settings: defaultEntitySettings(), labelled: new Set(), inflight: 0, retired: false, released: false };
    this.applyEntities(project, state, data);
    return state;
  }

  private applyEntities(project: string, state: ProjectState, data: EntitySource): void {
    const resources = { lookups: data.lookups, synonyms: data.synonyms, regexes: data.regexes };
    const labelled = data.examples || data.annotated ? labelledNames(data) : state.labelled;
    const settings = data.settings ?? state.settings;
    const pipeline = new EntityExtractionPipeline({ ...resources, ...pipelineOptionsFor(settings, labelled) });
    for (const [type, values] of this.registered.get(project) ?? []) pipeline.gazetteer.add(type, [...values]);
    Object.assign(state, { entities: pipeline, resources, settings, labelled });
  }

  /** A state left the map: its model is freed once the requests that hold it have finished. */
  private retire(state: ProjectState): Promise<void> {
    state.retired = true;
    return state.inflight === 0 ? this.releaseModel(state) : Promise.resolve();
  }

  /** Unloads the state's pool model when no other state holds it; resolves when the pool has let it go. */
  private releaseModel(state: ProjectState): Promise<void> {
    const poolId = state.model?.poolId;
    if (!poolId || state.released) return Promise.resolve();
    state.released = true;
    const refs = (this.poolRefs.get(poolId) ?? 1) - 1;
    if (refs > 0) {
      this.poolRefs.set(poolId, refs);
      return Promise.resolve();
    }
    this.poolRefs.delete(poolId);
    // forget, not just unload: a thousand projects must not leave a thousand pool entries behind
    return this.pool.forget(poolId).catch(() => undefined);
  }
}
