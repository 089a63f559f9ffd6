import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { BadInputError, ConflictError, NotFoundError } from '../common/errors';
import { AppConfig, settingBool } from '../config/app-config';
import { ReadinessService } from '../health/readiness.service';
import type { NluTrainingData } from './core/types';
import { loadBundledTrainingData, splitTrainTest } from './data';
import { NluDataRepository } from './nlu-data.repository';
import { NluModelsRepository } from './nlu-models.repository';
import { NluService } from './nlu.service';
import { NluMetrics } from './nlu-metrics';
import { SentenceEncoderService } from './sentence-encoder.service';
import { evaluateHoldout, evaluateKFold, EvaluationReport } from './runtime/evaluate';
import type { NluTrainingOptions, TrainedArtifacts, TrainingProgress } from './training/pipeline';
import { runTrainingInWorker } from './training/run-training';

export interface TrainJob {
  jobId: number;
  version: number;
  status: 'training' | 'ready' | 'failed';
  active: boolean;
  examples: number;
  progress: Record<string, unknown> | null;
  metrics: Record<string, unknown> | null;
  /** the out-of-scope threshold the version serves with, its calibration and the run's training options (null until trained) */
  threshold: number | null;
  calibration: Record<string, unknown> | null;
  options: Record<string, unknown> | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const MIN_EXAMPLES = 2;

/**
 * Training jobs (one at a time, in a worker thread), model versions and activation, and
 * evaluation. On first start it imports the bundled data and trains, so the server
 * parses out of the box.
 */
@Injectable()
export class NluTrainingService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('NLU');
  private running?: { version: number; progress: Record<string, unknown>; abort: AbortController; done: Promise<void> };
  private evaluating = false;

  constructor(
    private readonly data: NluDataRepository,
    private readonly models: NluModelsRepository,
    private readonly nlu: NluService,
    private readonly encoder: SentenceEncoderService,
    private readonly config: AppConfig,
    readiness: ReadinessService,
    @Optional() private readonly metrics: NluMetrics = new NluMetrics(),
  ) {
    readiness.register('nlu', async () => ({ ready: this.nlu.activeVersion !== undefined || !settingBool(config, 'NLU_BOOTSTRAP'), details: { activeVersion: this.nlu.activeVersion ?? null, training: this.running?.version ?? null } }));
  }

  async onApplicationBootstrap(): Promise<void> {
    const interrupted = await this.models.failInterrupted();
    if (interrupted) this.logger.warn(`${interrupted} NLU training run(s) were interrupted by the last shutdown`);
    const bootstrap = settingBool(this.config, 'NLU_BOOTSTRAP');
    if (bootstrap && (await this.data.countExamples()) === 0) {
      const bundled = loadBundledTrainingData();
      await this.data.importData(bundled, 'merge');
      this.logger.log(`Imported the bundled NLU training data (${bundled.examples.length} examples)`);
    }
    await this.refreshEntities();
    const active = await this.models.activeVersion();
    const stored = active === null ? null : await this.models.loadArtifacts(active);
    if (stored) {
      await this.nlu.activate(stored);
      return;
    }
    if (!bootstrap) return;
    this.logger.log('No trained NLU model yet: training one from the stored data');
    await this.train().catch((err: Error) => this.logger.warn(`No first NLU model: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    this.running?.abort.abort();
    await this.running?.done.catch(() => undefined);
  }

  /** Rebuilds the rule-based extractors after training data changed. */
  async refreshEntities(): Promise<void> {
    const d = await this.data.load();
    this.nlu.configureEntities(d);
  }

  /** Starts a training run; the new version is activated when it finishes. */
  async train(): Promise<TrainJob> {
    if (this.running) throw new ConflictError(`Training of version ${this.running.version} is still running; GET /api/v1/nlu/train/${this.running.version}`);
    const data = await this.data.load();
    const intents = new Set(data.examples.map((e) => e.intent));
    if (data.examples.length < MIN_EXAMPLES || intents.size < 2) throw new BadInputError('Training needs examples of at least two intents; import or add some first');
    const encoder = this.encoder.current();
    const version = await this.models.startTraining(data.examples.length);
    const abort = new AbortController();
    const job = { version, progress: { phase: 'starting' } as Record<string, unknown>, abort, done: Promise.resolve() };
    this.running = job;
    job.done = this.runJob(job, data, encoder).finally(() => {
      if (this.running === job) this.running = undefined;
    });
    return this.job(version);
  }

  private async runJob(job: { version: number; progress: Record<string, unknown>; abort: AbortController }, data: NluTrainingData, encoder?: string): Promise<void> {
    let lastWrite = 0;
    const finished = this.metrics.trainingStarted();
    try {
      let extra: Partial<NluTrainingOptions> = {};
      if (encoder) {
        job.progress = { phase: 'embedding', encoder, examples: data.examples.length };
        extra = { intent: { embeddings: await this.encoder.embed(encoder, data.examples.map((e) => e.text)) } };
      }
      const artifacts = await this.trainInWorker(data, (p) => {
        job.progress = { ...p };
        if (Date.now() - lastWrite > 1000) {
          lastWrite = Date.now();
          void this.models.progress(job.version, job.progress).catch(() => undefined);
        }
      }, job.abort.signal, extra);
      if (!artifacts.intentOnnx) throw new Error('training produced no ONNX model');
      const m = artifacts.intent;
      await this.models.saveArtifacts(job.version, {
        labels: m.labels,
        threshold: m.threshold,
        config: { featurizer: m.featurizer, shape: m.shape, calibration: m.calibration, ...(encoder ? { encoder } : {}) },
        metrics: { intent: m.metrics, entities: artifacts.metrics.entities, timings: artifacts.metrics.timings },
        onnx: artifacts.intentOnnx,
        tagger: artifacts.tagger,
      });
      await this.activate(job.version, true);
      finished('ready');
      this.logger.log(`NLU training v${job.version} done in ${artifacts.metrics.timings.totalMs} ms (validation accuracy ${m.metrics.valAccuracy?.toFixed(3) ?? 'n/a'})`);
    } catch (err) {
      const message = (err as Error).message;
      this.logger.error(`NLU training v${job.version} failed: ${message}`);
      finished('failed');
      await this.models.fail(job.version, message).catch(() => undefined);
    }
  }

  private trainInWorker(data: NluTrainingData, onProgress: (p: TrainingProgress) => void, signal?: AbortSignal, extra: Partial<NluTrainingOptions> = {}): Promise<TrainedArtifacts> {
    return runTrainingInWorker(data, { gazetteerModule: require.resolve('./runtime/gazetteer-module'), ...extra }, onProgress, signal);
  }

  async job(version: number): Promise<TrainJob> {
    const row = await this.models.get(version);
    if (!row) throw new NotFoundError(`No NLU training job ${version}`);
    const live = this.running?.version === version ? this.running.progress : null;
    return {
      jobId: row.version,
      version: row.version,
      status: row.status,
      active: row.active,
      examples: row.examples,
      progress: live ?? row.progress,
      metrics: row.metrics,
      threshold: row.threshold,
      calibration: (row.config?.calibration as Record<string, unknown> | undefined) ?? null,
      options: (row.config?.options as Record<string, unknown> | undefined) ?? null,
      error: row.error,
      createdAt: row.createdAt,
      finishedAt: row.finishedAt,
    };
  }

  async list(): Promise<TrainJob[]> {
    const rows = await this.models.list();
    return Promise.all(rows.map((r) => this.job(r.version)));
  }

  /** Serves `version` (rollback or roll forward). */
  async activate(version: number, justTrained = false): Promise<TrainJob> {
    if (!justTrained && this.running?.version === version) throw new ConflictError(`NLU model version ${version} is still training`);
    const stored = await this.models.loadArtifacts(version, justTrained);
    if (!stored) {
      const row = await this.models.get(version);
      if (!row) throw new NotFoundError(`No NLU model version ${version}`);
      throw new ConflictError(`NLU model version ${version} is ${row.status} and cannot be activated`);
    }
    await this.refreshEntities();
    await this.nlu.activate(stored);
    await this.models.activate(version);
    return this.job(version);
  }

  /** Held-out or k-fold evaluation of the current training data (trains temporary models; serves nothing new). */
  async evaluate(mode: 'holdout' | 'kfold', options: { testFraction?: number; folds?: number; seed?: number }): Promise<EvaluationReport> {
    if (this.evaluating) throw new ConflictError('An evaluation is already running');
    this.evaluating = true;
    try {
      const data = await this.data.load();
      const seed = options.seed ?? 42;
      // With an encoder, evaluate what training would build: embeddings computed once, through the pool.
      const encoder = this.encoder.current();
      const vectors = new Map<string, Float32Array>();
      if (encoder) {
        const texts = data.examples.map((e) => e.text);
        (await this.encoder.embed(encoder, texts)).forEach((v, i) => vectors.set(texts[i], v));
      }
      const embeddingOf = encoder ? (text: string) => vectors.get(text)! : undefined;
      const trainer = (d: NluTrainingData) =>
        this.trainInWorker(d, () => undefined, undefined, { evaluateEntities: false, exportOnnx: false, ...(encoder ? { intent: { embeddings: d.examples.map((e) => vectors.get(e.text)!) } } : {}) });
      if (mode === 'kfold') {
        const k = options.folds ?? 5;
        if (k > data.examples.length) throw new BadInputError(`folds (${k}) exceeds the number of examples (${data.examples.length})`);
        return await evaluateKFold(data, k, seed, trainer, embeddingOf);
      }
      const split = splitTrainTest(data, options.testFraction ?? 0.2, seed);
      if (split.test.length === 0) throw new BadInputError('The held-out split is empty: add examples or raise testFraction');
      return await evaluateHoldout(split.train, split.test, trainer, embeddingOf);
    } finally {
      this.evaluating = false;
    }
  }

  /** Waits for a running training job (tests, shutdown). */
  async whenIdle(): Promise<void> {
    await this.running?.done;
  }
}
