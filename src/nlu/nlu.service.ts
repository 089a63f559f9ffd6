import { Injectable, Logger, Optional } from '@nestjs/common';
import { BadInputError, UnavailableError } from '../common/errors';
import { InferencePool } from '../inference/inference-pool.service';
import { makeTensorLike } from '../inference/runtime/ort';
import { ModelDescriptor } from '../inference/store/model-store';
import type { Lang, NluTrainingData } from './core/types';
import { activeSources, ActiveEntitySources, defaultEntitySettings, labelledEntityNames, NluEntitySettings, pipelineOptionsFor } from './entities/entity-settings';
import { EntityExtractionPipeline } from './entities/pipeline';
import { createGazetteer } from './runtime/gazetteer-module';
import { LoadedNluModel, ParseOptions, parseTexts, ParseResult } from './runtime/nlu-parser';
import { Featurizer, FeaturizerConfig } from './training/featurizer';
import { INTENT_ONNX_OUTPUT } from './training/intent-onnx';
import { SequenceTagger } from './training/sequence-tagger';
import { NerService } from './ner.service';
import { SentenceEncoderService } from './sentence-encoder.service';
import { StoredModel } from './nlu-models.repository';
import { NluMetrics } from './nlu-metrics';

/** Pool ids of intent models (built-in models served from bytes): one per version, so labels and weights always match. */
export const nluPoolModel = (version: number) => `nlu-intent-v${version}`;
export const MAX_BATCH_TEXTS = 64;

/**
 * Parsing: intent (the active trained model through the shared pool), entities (rules,
 * gazetteers, the trained tagger), language. Holds the serving state; a new model version
 * is swapped in atomically by `activate` while requests keep flowing.
 */
@Injectable()
export class NluService {
  private readonly logger = new Logger('NLU');
  private model?: LoadedNluModel & { poolId: string };
  private entities = new EntityExtractionPipeline();
  /** values registered at run time (e.g. catalog titles), re-applied when the pipeline is rebuilt */
  private readonly registered = new Map<string, Set<string>>();
  private trainingData: Pick<NluTrainingData, 'lookups' | 'synonyms' | 'regexes'> = { lookups: [], synonyms: [], regexes: [] };
  /** which built-ins and bundled gazetteers run, under which names (NluSettingsService sets it) */
  private entitySettings: NluEntitySettings = defaultEntitySettings();
  /** entity names the stored data uses, for the settings' 'auto' sources */
  private labelled = new Set<string>();

  constructor(
    private readonly pool: InferencePool,
    private readonly ner: NerService,
    private readonly encoder: SentenceEncoderService,
    @Optional() private readonly metrics: NluMetrics = new NluMetrics(),
  ) {}

  get activeVersion(): number | undefined {
    return this.model?.version;
  }

  /**
   * Rebuilds the rule-based extractors from the stored lookups, synonyms and regexes. With
   * `examples`, the entity names they annotate decide the settings' 'auto' sources (the shop
   * categories run only for data that labels `category`); without, the last ones stand.
   */
  /**
   * Rebuilds the rule extractors from the data's lookups, synonyms and regexes. The entity
   * names the data uses ('auto' built-ins and gazetteers follow them) come from `examples`
   * or, without reading every example, from `annotated` (the names the examples annotate).
   */
  configureEntities(data: Pick<NluTrainingData, 'lookups' | 'synonyms' | 'regexes'> & Partial<Pick<NluTrainingData, 'examples'>> & { annotated?: readonly string[] }): void {
    if (data.examples) this.labelled = labelledEntityNames(data);
    else if (data.annotated) this.labelled = new Set([...data.annotated, ...labelledEntityNames({ lookups: data.lookups })]);
    const options = pipelineOptionsFor(this.entitySettings, this.labelled);
    const pipeline = new EntityExtractionPipeline({ lookups: data.lookups, synonyms: data.synonyms, regexes: data.regexes, ...options });
    for (const [type, values] of this.registered) pipeline.gazetteer.add(type, [...values]);
    this.entities = pipeline;
    this.trainingData = { lookups: data.lookups, synonyms: data.synonyms, regexes: data.regexes };
  }

  /** Applies new entity settings (GET/PUT /nlu/settings) from the next parse on. */
  setEntitySettings(settings: NluEntitySettings): void {
    this.entitySettings = settings;
    this.configureEntities(this.trainingData);
  }

  /** The built-ins and bundled gazetteers running now ('auto' resolved against the stored data). */
  activeEntitySources(): ActiveEntitySources {
    return activeSources(this.entitySettings, this.labelled);
  }

  /**
   * Adds run-time gazetteer entries (a product catalog's titles and categories), matched
   * from the next parse on. Returns how many new values were added.
   */
  registerLookupValues(type: string, values: string[]): number {
    const set = this.registered.get(type) ?? new Set<string>();
    const fresh = values.filter((v) => v.trim() && !set.has(v));
    fresh.forEach((v) => set.add(v));
    this.registered.set(type, set);
    if (fresh.length) this.entities.gazetteer.add(type, fresh);
    return fresh.length;
  }

  /** Serves a stored model version: loads its ONNX into the pool (hot swap), then switches parsing to it. */
  async activate(stored: StoredModel): Promise<void> {
    const tagger = stored.tagger ? SequenceTagger.fromJSON(JSON.parse(stored.tagger), createGazetteer(this.trainingData)) : null;
    const poolId = nluPoolModel(stored.version);
    const descriptor: ModelDescriptor = {
      id: poolId,
      task: 'nlu-intent',
      onnx: stored.onnx,
      files: [],
      hasTokenizer: false,
      source: 'builtin',
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
    };
    this.pool.register(descriptor);
    await this.pool.load(poolId);
    const previous = this.model;
    this.model = {
      poolId,
      version: stored.version,
      labels: stored.labels,
      threshold: stored.threshold,
      featurizer: new Featurizer(stored.config.featurizer as Partial<FeaturizerConfig>),
      tagger,
      encoder: typeof stored.config.encoder === 'string' ? stored.config.encoder : undefined,
    };
    // Requests already queued on the previous version finish there; then it is freed.
    if (previous && previous.poolId !== poolId) void this.pool.unload(previous.poolId).catch(() => undefined);
    this.metrics.activeVersion(stored.version);
    this.logger.log(`NLU model v${stored.version} active (${stored.labels.length} intents, threshold ${stored.threshold.toFixed(3)})`);
  }

  /** `options.minConfidence` overrides the model's out-of-scope threshold for this call. */
  async parse(text: string, lang?: Lang, options?: ParseOptions): Promise<ParseResult> {
    return (await this.parseBatch([text], lang, options))[0];
  }

  async parseBatch(texts: string[], lang?: Lang, options?: ParseOptions): Promise<ParseResult[]> {
    return this.metrics.timeParse(texts.length, lang, () => this.parseBatchUnmetered(texts, lang, options));
  }

  private async parseBatchUnmetered(texts: string[], lang?: Lang, options: ParseOptions = {}): Promise<ParseResult[]> {
    const min = options.minConfidence;
    if (min !== undefined && !(typeof min === 'number' && min >= 0 && min <= 1)) throw new BadInputError('minConfidence must be a number in [0, 1]', { field: 'minConfidence' });
    const model = this.model;
    if (!model) throw new UnavailableError('The NLU model is not trained yet (first start trains it from the bundled data in a few seconds); retry shortly', undefined, 3);
    if (texts.length > MAX_BATCH_TEXTS) throw new BadInputError(`At most ${MAX_BATCH_TEXTS} texts per batch`, { field: 'texts' });
    return parseTexts(texts, lang, {
      model,
      entities: this.entities,
      ner: this.ner.model() ? (text) => this.ner.extract(text) : undefined,
      embed: model.encoder ? (t) => this.encoder.embed(model.encoder!, t) : undefined,
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
  }
}
