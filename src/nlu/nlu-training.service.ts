import { readFile, rm } from 'node:fs/promises';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { BadInputError, ConflictError, NotFoundError } from '../common/errors';
import { AppConfig, settingBool, settingNumber } from '../config/app-config';
import { databaseKind } from '../data/data-source';
import { ReadinessService } from '../health/readiness.service';
import type { NluTrainingData } from './core/types';
import { loadBundledTrainingData, splitTrainTest } from './data';
import { NluDataRepository } from './nlu-data.repository';
import { NluModelsRepository } from './nlu-models.repository';
import { NluService } from './nlu.service';
import { NluMetrics } from './nlu-metrics';
import { SentenceEncoderService } from './sentence-encoder.service';
import { ArtifactCache, ArtifactUnavailableError } from './runtime/artifact-cache';
import { artifactRoot, INTENT_ONNX_FILE, TAGGER_FILE } from './runtime/artifact-files';
import { evaluateHoldout, evaluateKFold, EvaluationReport } from './runtime/evaluate';
import type { NluTrainingOptions, TrainedArtifacts, TrainingProgress, TrainRequest } from './training/pipeline';
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
  /** why a finished run is not serving (activate: false, or an explicit activation made after it started) */
  note: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const MIN_EXAMPLES = 2;

/**
 * Training jobs (one at a time, in a child process), model versions and activation, and
 * evaluation. On first start it imports the bundled data and trains, so the server
 * parses out of the box. The worker writes a version's artifacts as files; only their
 * checksums (and, on Postgres, chunks streamed from the file) go to the database, and the
 * inference worker reads the ONNX file itself (docs/decisions/0008-nlu-artifacts.md).
 * Activations are serialized; an explicit one wins over a run that finishes after it.
 */
@Injectable()
export class NluTrainingService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('NLU');
  private running?: { version: number; progress: Record<string, unknown>; abort: AbortController; done: Promise<void> };
  private evaluating = false;
  private readonly artifacts: ArtifactCache;
  /** activations, deletions and pruning, one at a time */
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly data: NluDataRepository,
    private readonly models: NluModelsRepository,
    private readonly nlu: NluService,
    private readonly encoder: SentenceEncoderService,
    private readonly config: AppConfig,
    readiness: ReadinessService,
    @Optional() private readonly metrics: NluMetrics = new NluMetrics(),
  ) {
    this.artifacts = new ArtifactCache(artifactRoot(config.dataDir), models, databaseKind(config) === 'postgres');
    readiness.register('nlu', async () => ({ ready: this.nlu.activeVersion !== undefined || !settingBool(config, 'NLU_BOOTSTRAP'), details: { activeVersion: this.nlu.activeVersion ?? null, training: this.running?.version ?? null } }));
  }

  async onApplicationBootstrap(): Promise<void> {
    const interrupted = await this.models.failInterrupted();
    for (const v of interrupted) await this.artifacts.remove(v);
    if (interrupted.length) this.logger.warn(`${interrupted.length} NLU training run(s) were interrupted by the last shutdown`);
    const bootstrap = settingBool(this.config, 'NLU_BOOTSTRAP');
    if (bootstrap && (await this.data.countExamples()) === 0) {
      const bundled = loadBundledTrainingData();
      await this.data.importData(bundled, 'merge');
      // Count what was stored: the bundled files repeat a few texts, which are merged.
      const stored = await this.data.countExamples();
      const merged = bundled.examples.length - stored;
      this.logger.log(`Imported the bundled NLU training data: ${stored} examples${merged > 0 ? ` (${merged} repeated texts merged)` : ''}`);
    }
    await this.refreshEntities();
    const active = await this.models.activeVersion();
    if (active !== null) {
      try {
        await this.serve(active, false);
        return;
      } catch (err) {
        this.logger.error(`The active NLU model v${active} could not be loaded: ${(err as Error).message}`);
      }
    }
    if (!bootstrap) return;
    this.logger.log('No trained NLU model yet: training one from the stored data');
    await this.train().catch((err: Error) => this.logger.warn(`No first NLU model: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    this.running?.abort.abort();
    await this.running?.done.catch(() => undefined);
    if (this.config.dataDir === 'memory://') await rm(this.artifacts.root, { recursive: true, force: true });
  }

  /** Rebuilds the rule-based extractors after training data changed. */
  async refreshEntities(): Promise<void> {
    // Only the small tables: reading every example on the main thread at each activation would stall it on large sets.
    const [lookups, synonyms, regexes, annotated] = await Promise.all([this.data.lookups(), this.data.synonyms(), this.data.regexes(), this.data.annotatedEntityNames()]);
    this.nlu.configureEntities({
      annotated,
      lookups: lookups.map((l) => ({ name: l.name, elements: l.elements })),
      synonyms: synonyms.map((x) => ({ value: x.value, synonyms: x.synonyms })),
      regexes: regexes.flatMap((r) => r.patterns.map((pattern) => ({ name: r.name, pattern }))),
    });
  }

  /**
   * Starts a training run with the API's options; the new version is activated when it
   * finishes unless `activate: false` or someone activated a version explicitly meanwhile.
   */
  async train(options: TrainRequest = {}): Promise<TrainJob> {
    if (this.running) throw new ConflictError(`Training of version ${this.running.version} is still running; GET /api/v1/nlu/train/${this.running.version}`);
    const data = await this.data.load();
    const intents = new Set(data.examples.map((e) => e.intent));
    if (data.examples.length < MIN_EXAMPLES || intents.size < 2) throw new BadInputError('Training needs examples of at least two intents; import or add some first');
    const encoder = this.encoder.current();
    const row = await this.models.startTraining(data.examples.length);
    const version = row.version;
    const abort = new AbortController();
    const job = { version, progress: { phase: 'starting' } as Record<string, unknown>, abort, done: Promise.resolve() };
    this.running = job;
    job.done = this.runJob(job, data, { ...options }, row.createdAt, encoder).finally(() => {
      if (this.running === job) this.running = undefined;
    });
    return this.job(version);
  }

  private async runJob(job: { version: number; progress: Record<string, unknown>; abort: AbortController }, data: NluTrainingData, request: TrainRequest, startedAt: Date, encoder?: string): Promise<void> {
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
      }, job.abort.signal, { ...extra, request, artifactDir: this.artifacts.dir(job.version) });
      if (!artifacts.files?.some((f) => f.name === INTENT_ONNX_FILE)) throw new Error('training produced no ONNX model');
      const m = artifacts.intent;
      await this.models.saveResult(job.version, {
        labels: m.labels,
        threshold: m.threshold,
        config: { featurizer: m.featurizer, shape: m.shape, calibration: m.calibration, ...(encoder ? { encoder } : {}), options: request },
        metrics: { intent: m.metrics, entities: artifacts.metrics.entities, timings: artifacts.metrics.timings },
      });
      await this.artifacts.record(job.version, artifacts.files);
      const served = await this.finish(job.version, request.activate ?? true, startedAt);
      finished('ready');
      this.logger.log(`NLU training v${job.version} done in ${artifacts.metrics.timings.totalMs} ms (validation accuracy ${m.metrics.valAccuracy?.toFixed(3) ?? 'n/a'})${served ? '' : '; not activated'}`);
      await this.prune().catch((err: Error) => this.logger.warn(`Pruning old NLU model versions failed: ${err.message}`));
    } catch (err) {
      const message = (err as Error).message;
      this.logger.error(`NLU training v${job.version} failed: ${message}`);
      finished('failed');
      await this.models.fail(job.version, message).catch(() => undefined);
      await this.artifacts.remove(job.version).catch(() => undefined);
    }
  }

  /** Serves a just-trained version unless told not to or overridden by an explicit activation made after `startedAt`. */
  private finish(version: number, activate: boolean, startedAt: Date): Promise<boolean> {
    return this.serialized(async () => {
      const how = `POST /api/v1/nlu/models/${version}/activate serves it`;
      if (!activate) {
        await this.models.markReady(version, `Not activated: the run was started with activate: false; ${how}`);
        return false;
      }
      const explicit = await this.models.explicitActivationSince(startedAt);
      if (explicit !== null) {
        await this.models.markReady(version, `Not activated: version ${explicit} was activated explicitly after this run started, and an explicit activation wins over a run that finishes later; ${how}`);
        return false;
      }
      await this.serve(version, true);
      await this.models.activate(version, 'training');
      return true;
    });
  }

  /** Keeps the newest NLU_KEEP_VERSIONS ready versions (and the active one). */
  private async prune(): Promise<void> {
    const keep = settingNumber(this.config, 'NLU_KEEP_VERSIONS');
    await this.serialized(async () => {
      for (const v of await this.models.prunable(keep)) {
        await this.models.delete(v);
        await this.artifacts.remove(v);
      }
    });
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.serial.then(fn, fn);
    this.serial = next.catch(() => undefined);
    return next;
  }

  /** Loads `version` into the parser: the pool's worker reads the ONNX file; only the tagger JSON is read here. */
  private async serve(version: number, justTrained: boolean): Promise<void> {
    const row = await this.models.get(version);
    if (!row) throw new NotFoundError(`No NLU model version ${version}`);
    if (row.status !== 'ready' && !(justTrained && row.status === 'training')) throw new ConflictError(`NLU model version ${version} is ${row.status} and cannot be activated`);
    let paths: Map<string, string>;
    try {
      paths = await this.artifacts.resolve(version);
    } catch (err) {
      if (err instanceof ArtifactUnavailableError) throw new ConflictError(err.message);
      throw err;
    }
    const onnx = paths.get(INTENT_ONNX_FILE);
    if (!onnx) throw new ConflictError(`NLU model version ${version} has no stored model and cannot be activated`);
    const taggerFile = paths.get(TAGGER_FILE);
    const tagger = taggerFile ? await readFile(taggerFile, 'utf8') : null;
    await this.refreshEntities();
    await this.nlu.activate({ version, labels: row.labels, threshold: row.threshold ?? 0, config: row.config ?? {}, onnx, tagger });
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
      note: row.note,
      createdAt: row.createdAt,
      finishedAt: row.finishedAt,
    };
  }

  async list(): Promise<TrainJob[]> {
    const rows = await this.models.list();
    return Promise.all(rows.map((r) => this.job(r.version)));
  }

  /** Serves `version` (rollback or roll forward); a run that is training now will not replace it when it finishes. */
  async activate(version: number): Promise<TrainJob> {
    if (this.running?.version === version) throw new ConflictError(`NLU model version ${version} is still training`);
    await this.serialized(async () => {
      await this.serve(version, false);
      await this.models.activate(version, 'user');
    });
    return this.job(version);
  }

  /** Deletes a version that is not serving: its row, artifact rows and files. */
  async deleteVersion(version: number): Promise<{ deleted: number }> {
    return this.serialized(async () => {
      const row = await this.models.get(version);
      if (!row) throw new NotFoundError(`No NLU model version ${version}`);
      if (row.active) throw new ConflictError(`NLU model version ${version} is active; activate another version before deleting it`);
      if (row.status === 'training' || this.running?.version === version) throw new ConflictError(`NLU model version ${version} is still training`);
      await this.models.delete(version);
      await this.artifacts.remove(version);
      return { deleted: 1 };
    });
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
