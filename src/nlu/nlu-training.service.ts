import { readdir, rm } from 'node:fs/promises';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { DEFAULT_PROJECT } from '../auth/principal';
import { BadInputError, ConflictError, NotFoundError } from '../common/errors';
import { AppConfig, settingBool, settingNumber } from '../config/app-config';
import { ReadinessService } from '../health/readiness.service';
import { ClusterEvents } from '../cluster/cluster-events.service';
import { Job, JobContext, JobsService } from '../jobs/jobs.service';
import { ProjectLifecycle } from '../projects/project-lifecycle';
import type { NluTrainingData } from './core/types';
import { loadBundledTrainingData, splitTrainTest } from './data';
import { NluDataRepository } from './nlu-data.repository';
import { NluModelSource } from './nlu-model-source';
import { NluModelsRepository } from './nlu-models.repository';
import { PreparedVersions } from './prepared-versions';
import { NluService } from './nlu.service';
import { NluMetrics } from './nlu-metrics';
import { EmbeddingsService } from '../embeddings/embeddings.service';
import { INTENT_ONNX_FILE } from './runtime/artifact-files';
import { evaluateHoldout, evaluateKFold, EvaluationReport } from './runtime/evaluate';
import type { NluTrainingOptions, TrainedArtifacts, TrainingProgress, TrainRequest } from './training/pipeline';
import { runTrainingInWorker } from './training/run-training';
import { RunQueue } from './training/run-queue';

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

interface RunningJob {
  project: string;
  version: number;
  /** the data read by the request that started the run (absent when another replica started it) */
  data?: NluTrainingData;
  progress: Record<string, unknown>;
  abort: AbortController;
  done: Promise<void>;
}

const MIN_EXAMPLES = 2;
/** how long a version loaded ahead of its activation by another replica is kept waiting for it */
const PREPARED_TTL_MS = 120_000;
export const NLU_TRAIN_JOB = 'nlu.train';
export const NLU_ACTIVATED_TOPIC = 'nlu.activated';
/** a version's artifacts are stored: replicas serving the project fetch them before it is activated */
export const NLU_TRAINED_TOPIC = 'nlu.trained';

/**
 * Training jobs, model versions and activation, and evaluation, per project. One run at a
 * time per project, each in a child process, at most NLU_TRAINING_CONCURRENCY of them
 * across projects (the rest wait in order, phase `queued`). On first start it imports the
 * bundled data into `default` and trains, so the server parses out of the box. The worker
 * writes a version's artifacts as files; only their checksums (and, on Postgres, chunks
 * streamed from the file) go to the database, and the inference worker reads the ONNX file
 * itself (docs/decisions/0008-nlu-artifacts.md). A project's activations are serialized; an
 * explicit one wins over a run that finishes after it.
 *
 * Across replicas (docs/scaling.md): a run is a job (kind nlu.train) that the requesting
 * replica runs or hands to one that runs jobs; a project trains one version at a time on
 * all of them (a unique index); an activation is announced to the other replicas, which swap
 * the version in if they serve the project, and re-read the active versions every
 * CLUSTER_RESYNC_MS in case an announcement was missed.
 */
@Injectable()
export class NluTrainingService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('NLU');
  private readonly running = new Map<string, RunningJob>();
  /** projects whose train() is between its checks and its job (so two requests cannot both start one) */
  private readonly starting = new Set<string>();
  private readonly evaluating = new Set<string>();
  private readonly queue: RunQueue;
  /** per project: activations, deletions and pruning, one at a time */
  private readonly serials = new Map<string, Promise<unknown>>();
  /** the default project's model was loaded here once (readiness) */
  private defaultServed = false;
  /** versions another replica announced as trained, loaded here ahead of their activation */
  private readonly prepared: PreparedVersions;

  constructor(
    private readonly data: NluDataRepository,
    private readonly models: NluModelsRepository,
    private readonly source: NluModelSource,
    private readonly nlu: NluService,
    private readonly embeddings: EmbeddingsService,
    private readonly config: AppConfig,
    readiness: ReadinessService,
    private readonly jobs: JobsService,
    @Optional() private readonly metrics: NluMetrics = new NluMetrics(),
    @Optional() lifecycle?: ProjectLifecycle,
    @Optional() private readonly cluster?: ClusterEvents,
  ) {
    this.queue = new RunQueue(settingNumber(config, 'NLU_TRAINING_CONCURRENCY'));
    this.prepared = new PreparedVersions(PREPARED_TTL_MS, (p) => nlu.discard(p));
    jobs.register(NLU_TRAIN_JOB, {
      run: (job, ctx) => this.runTraining(job, ctx),
      failed: async (job, error) => {
        await this.models.fail(Number(job.input.version), error);
        await this.artifacts.remove(Number(job.input.version));
      },
    });
    cluster?.subscribe(NLU_ACTIVATED_TOPIC, (d) => this.sync(String(d.project)));
    cluster?.subscribe(NLU_TRAINED_TOPIC, (d) => this.prefetch(String(d.project), Number(d.version)));
    cluster?.onResync(async () => {
      for (const project of new Set([DEFAULT_PROJECT, ...this.nlu.loadedProjects()])) await this.sync(project);
    });
    // Ready once the default project's model is loaded here (a replica that did not train it loads it when announced).
    readiness.register('nlu', async () => {
      const active = await this.models.activeVersion(DEFAULT_PROJECT);
      return {
        ready: this.defaultServed || !settingBool(config, 'NLU_BOOTSTRAP'),
        details: { activeVersion: active, training: this.running.get(DEFAULT_PROJECT)?.version ?? null, loadedProjects: this.nlu.loadedProjects().length },
      };
    });
    lifecycle?.onDeleted('nlu', (project) => this.projectDeleted(project));
  }

  private get artifacts() {
    return this.source.artifacts;
  }

  async onApplicationBootstrap(): Promise<void> {
    // On a shared database a run whose project has an open job is another replica's (or re-run when its
    // lease expires: JobsService); the job is created before the run's row, so a run without one is orphaned.
    const interrupted = await this.models.failInterrupted(this.jobs.shared ? await this.jobs.openProjects(NLU_TRAIN_JOB) : []);
    for (const v of interrupted) await this.artifacts.remove(v);
    if (interrupted.length) this.logger.warn(`${interrupted.length} NLU training run(s) were interrupted by the last shutdown`);
    const bootstrap = settingBool(this.config, 'NLU_BOOTSTRAP');
    if (bootstrap && (await this.data.countExamples(DEFAULT_PROJECT)) === 0) {
      const bundled = loadBundledTrainingData();
      await this.data.importData(DEFAULT_PROJECT, bundled, 'merge');
      // Count what was stored: the bundled files repeat a few texts, which are merged.
      const stored = await this.data.countExamples(DEFAULT_PROJECT);
      const merged = bundled.examples.length - stored;
      this.logger.log(`Imported the bundled NLU training data: ${stored} examples${merged > 0 ? ` (${merged} repeated texts merged)` : ''}`);
    }
    // The default project is loaded at start (the other projects at their first parse).
    const active = await this.models.activeVersion(DEFAULT_PROJECT);
    if (active !== null) {
      try {
        await this.serve(DEFAULT_PROJECT, active, false);
        return;
      } catch (err) {
        this.logger.error(`The active NLU model v${active} could not be loaded: ${(err as Error).message}`);
      }
    }
    if (!bootstrap) return;
    const elsewhere = await this.models.training(DEFAULT_PROJECT);
    if (elsewhere !== null) return void this.logger.log(`The first NLU model (v${elsewhere}) is training on another replica; this one serves it when it is announced`);
    this.logger.log('No trained NLU model yet: training one from the stored data');
    await this.train(DEFAULT_PROJECT).catch((err: Error) => this.logger.warn(`No first NLU model: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    const jobs = [...this.running.values()];
    for (const job of jobs) job.abort.abort();
    await Promise.all(jobs.map((job) => job.done.catch(() => undefined)));
    if (this.config.dataDir === 'memory://') await rm(this.artifacts.root, { recursive: true, force: true });
  }

  /** Rebuilds a project's rule-based extractors after its training data or settings changed (when it is loaded). */
  async refreshEntities(project: string): Promise<void> {
    await this.nlu.refreshEntities(project, () => this.source.entities(project));
  }

  /**
   * Starts a training run of the project's data with the API's options; the new version is
   * activated when it finishes unless `activate: false` or someone activated a version of
   * the project explicitly meanwhile.
   */
  async train(project: string, options: TrainRequest = {}): Promise<TrainJob> {
    const busy = this.running.get(project);
    if (busy) throw new ConflictError(`Training of version ${busy.version} is still running; GET /api/v1/nlu/train/${busy.version}`);
    if (this.starting.has(project)) throw new ConflictError('A training run of this project is starting; GET /api/v1/nlu/models lists it');
    this.starting.add(project);
    try {
      const data = await this.data.load(project);
      const intents = new Set(data.examples.map((e) => e.intent));
      if (data.examples.length < MIN_EXAMPLES || intents.size < 2) throw new BadInputError('Training needs examples of at least two intents; import or add some first');
      // the job first (reserved by this replica), then the run's row: a training row always has an open job
      const reserved = await this.jobs.create(project, NLU_TRAIN_JOB, '', {});
      const row = await this.models.startTraining(project, data.examples.length).catch(async (err: unknown) => {
        await this.jobs.cancel(reserved.id, (err as Error).message);
        throw err;
      });
      if (!row) {
        const other = await this.models.training(project);
        await this.jobs.cancel(reserved.id, `version ${other ?? '?'} of the project is training`);
        throw new ConflictError(`Training of version ${other ?? '?'} is still running (on another replica); GET /api/v1/nlu/train/${other ?? ''}`.trimEnd());
      }
      const entry: RunningJob = { project, version: row.version, data, progress: { phase: 'queued' }, abort: new AbortController(), done: Promise.resolve() };
      this.running.set(project, entry);
      const job = await this.jobs.describe(reserved, `v${row.version}`, { version: row.version, options: { ...options }, startedAt: new Date(row.createdAt).toISOString() });
      const here = this.jobs.submit(job);
      entry.done = (here ?? Promise.resolve()).finally(() => {
        if (this.running.get(project) === entry) this.running.delete(project);
      });
      return await this.job(project, row.version);
    } finally {
      this.starting.delete(project);
    }
  }

  /** The nlu.train job, on whichever replica claims it (the data is read here when another replica started the run). */
  private async runTraining(job: Job, ctx: JobContext): Promise<Record<string, unknown>> {
    const project = job.projectId;
    const version = Number(job.input.version);
    if (!Number.isInteger(version)) throw new Error('the replica that created this job stopped before it created the run');
    let entry = this.running.get(project);
    if (entry?.version !== version) {
      entry = { project, version, progress: { phase: 'queued' }, abort: new AbortController(), done: Promise.resolve() };
      this.running.set(project, entry);
    }
    const mine = entry;
    const onAbort = () => mine.abort.abort();
    ctx.signal.addEventListener('abort', onAbort);
    try {
      const data = mine.data ?? (await this.data.load(project));
      const encoder = this.embeddings.loadedStoreEncoder(this.config.raw.NLU_ENCODER_MODEL);
      const request = (job.input.options ?? {}) as TrainRequest;
      await this.queue.run(() => this.execute(mine, data, request, new Date(String(job.input.startedAt)), encoder, ctx), mine.abort.signal);
      return { version };
    } catch (err) {
      const message = (err as Error).message;
      this.logger.error(`NLU training v${version} failed: ${message}`);
      await this.models.fail(version, message).catch(() => undefined);
      await this.artifacts.remove(version).catch(() => undefined);
      throw err;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      if (!mine.data && this.running.get(project) === mine) this.running.delete(project);
    }
  }

  private async execute(job: RunningJob, data: NluTrainingData, request: TrainRequest, startedAt: Date, encoder: string | undefined, ctx: JobContext): Promise<void> {
    let lastWrite = 0;
    job.progress = { phase: 'starting' };
    const finished = this.metrics.trainingStarted();
    try {
      let extra: Partial<NluTrainingOptions> = {};
      if (encoder) {
        job.progress = { phase: 'embedding', encoder, examples: data.examples.length };
        extra = { intent: { embeddings: (await this.embeddings.embed(data.examples.map((e) => e.text), { model: encoder })).vectors } };
      }
      const artifacts = await this.trainInWorker(data, (p) => {
        job.progress = { ...p };
        if (Date.now() - lastWrite > 1000) {
          lastWrite = Date.now();
          void this.models.progress(job.version, job.progress).catch(() => undefined);
          void ctx.progress(job.progress).catch(() => undefined);
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
      if (request.activate ?? true) await this.cluster?.publish(NLU_TRAINED_TOPIC, { project: job.project, version: job.version });
      const served = await this.finish(job.project, job.version, request.activate ?? true, startedAt);
      finished('ready');
      this.logger.log(`NLU training v${job.version} (project ${job.project}) done in ${artifacts.metrics.timings.totalMs} ms (validation accuracy ${m.metrics.valAccuracy?.toFixed(3) ?? 'n/a'})${served ? '' : '; not activated'}`);
    } catch (err) {
      finished('failed');
      throw err;
    }
    await this.prune(job.project).catch((err: Error) => this.logger.warn(`Pruning old NLU model versions failed: ${err.message}`));
  }

  /** Serves a just-trained version unless told not to or overridden by an explicit activation made after `startedAt`. */
  private finish(project: string, version: number, activate: boolean, startedAt: Date): Promise<boolean> {
    return this.serialized(project, async () => {
      const how = `POST /api/v1/nlu/models/${version}/activate serves it`;
      if (!activate) {
        await this.models.markReady(version, `Not activated: the run was started with activate: false; ${how}`);
        return false;
      }
      const explicit = await this.models.explicitActivationSince(project, startedAt);
      if (explicit !== null) {
        await this.models.markReady(version, `Not activated: version ${explicit} was activated explicitly after this run started, and an explicit activation wins over a run that finishes later; ${how}`);
        return false;
      }
      await this.serve(project, version, true);
      await this.models.activate(project, version, 'training');
      await this.cluster?.publish(NLU_ACTIVATED_TOPIC, { project, version });
      return true;
    });
  }

  /** Keeps the project's newest NLU_KEEP_VERSIONS ready versions (and its active one). */
  private async prune(project: string): Promise<void> {
    const keep = settingNumber(this.config, 'NLU_KEEP_VERSIONS');
    await this.serialized(project, async () => {
      for (const v of await this.models.prunable(project, keep)) {
        await this.models.delete(project, v);
        await this.artifacts.remove(v);
      }
    });
  }

  private serialized<T>(project: string, fn: () => Promise<T>): Promise<T> {
    const next = (this.serials.get(project) ?? Promise.resolve()).then(fn, fn);
    this.serials.set(project, next.catch(() => undefined));
    return next;
  }

  /** Loads `version` into the project's parser, with fresh rule extractors. */
  private async serve(project: string, version: number, justTrained: boolean): Promise<void> {
    const stored = await this.source.model(project, version, justTrained);
    await this.nlu.activate(stored, await this.source.entities(project));
    if (project === DEFAULT_PROJECT) this.defaultServed = true;
  }

  /**
   * Serves the project's active version if another replica activated a different one. Only
   * projects loaded here (and the default one, which readiness waits for): the others read
   * their active version at their next parse.
   */
  private async sync(project: string): Promise<void> {
    if (project !== DEFAULT_PROJECT && this.nlu.activeVersion(project) === undefined) return;
    await this.serialized(project, async () => {
      const active = await this.models.activeVersion(project);
      if (active === null || active === this.nlu.activeVersion(project)) return;
      const t0 = Date.now();
      const ready = await this.prepared.take(active);
      if (ready) this.nlu.install(ready);
      else await this.serve(project, active, false);
      if (project === DEFAULT_PROJECT) this.defaultServed = true;
      this.logger.log(`NLU model v${active} of project ${project} was activated by another replica: serving it ${Date.now() - t0} ms later${ready ? ' (loaded when it was trained)' : ''}`);
    });
  }

  /**
   * Loads a version another replica just trained (files and pool), so that its activation
   * only swaps it in; freed after PREPARED_TTL_MS if it is never activated (activate: false
   * runs are not announced; an explicit activation meanwhile can still win).
   */
  private prefetch(project: string, version: number): void {
    if (project !== DEFAULT_PROJECT && this.nlu.activeVersion(project) === undefined) return;
    this.prepared.add(version, async () => {
      try {
        return await this.nlu.prepare(await this.source.model(project, version, true), await this.source.entities(project));
      } catch (err) {
        this.logger.warn(`Preparing NLU model v${version} of project ${project} failed (it loads on activation instead): ${(err as Error).message}`);
        return undefined;
      }
    });
  }

  private trainInWorker(data: NluTrainingData, onProgress: (p: TrainingProgress) => void, signal?: AbortSignal, extra: Partial<NluTrainingOptions> = {}): Promise<TrainedArtifacts> {
    return runTrainingInWorker(data, { gazetteerModule: require.resolve('./runtime/gazetteer-module'), ...extra }, onProgress, signal);
  }

  async job(project: string, version: number): Promise<TrainJob> {
    const row = await this.models.get(project, version);
    if (!row) throw new NotFoundError(`No NLU training job ${version}`);
    const running = this.running.get(project);
    const live = running?.version === version ? running.progress : null;
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

  async list(project: string): Promise<TrainJob[]> {
    const rows = await this.models.list(project);
    return Promise.all(rows.map((r) => this.job(project, r.version)));
  }

  /** Serves `version` (rollback or roll forward); a run of the project training now will not replace it when it finishes. */
  async activate(project: string, version: number): Promise<TrainJob> {
    if (this.running.get(project)?.version === version) throw new ConflictError(`NLU model version ${version} is still training`);
    await this.serialized(project, async () => {
      await this.serve(project, version, false);
      await this.models.activate(project, version, 'user');
      await this.cluster?.publish(NLU_ACTIVATED_TOPIC, { project, version });
    });
    return this.job(project, version);
  }

  /** Deletes a version of the project that is not serving: its row, artifact rows and files. */
  async deleteVersion(project: string, version: number): Promise<{ deleted: number }> {
    return this.serialized(project, async () => {
      const row = await this.models.get(project, version);
      if (!row) throw new NotFoundError(`No NLU model version ${version}`);
      if (row.active) throw new ConflictError(`NLU model version ${version} is active; activate another version before deleting it`);
      if (row.status === 'training' || this.running.get(project)?.version === version) throw new ConflictError(`NLU model version ${version} is still training`);
      await this.models.delete(project, version);
      await this.artifacts.remove(version);
      return { deleted: 1 };
    });
  }

  /**
   * Held-out or k-fold evaluation of the project's current data (trains temporary models,
   * each waiting for a training slot; serves nothing new). One at a time per project.
   */
  async evaluate(project: string, mode: 'holdout' | 'kfold', options: { testFraction?: number; folds?: number; seed?: number }): Promise<EvaluationReport> {
    if (this.evaluating.has(project)) throw new ConflictError('An evaluation is already running');
    this.evaluating.add(project);
    try {
      const data = await this.data.load(project);
      const seed = options.seed ?? 42;
      // With an encoder, evaluate what training would build: embeddings computed once, through the pool.
      const encoder = this.embeddings.loadedStoreEncoder(this.config.raw.NLU_ENCODER_MODEL);
      const vectors = new Map<string, Float32Array>();
      if (encoder) {
        const texts = data.examples.map((e) => e.text);
        (await this.embeddings.embed(texts, { model: encoder })).vectors.forEach((v, i) => vectors.set(texts[i], v));
      }
      const embeddingOf = encoder ? (text: string) => vectors.get(text)! : undefined;
      const trainer = (d: NluTrainingData) =>
        this.queue.run(() =>
          this.trainInWorker(d, () => undefined, undefined, { evaluateEntities: false, exportOnnx: false, ...(encoder ? { intent: { embeddings: d.examples.map((e) => vectors.get(e.text)!) } } : {}) }),
        );
      if (mode === 'kfold') {
        const k = options.folds ?? 5;
        if (k > data.examples.length) throw new BadInputError(`folds (${k}) exceeds the number of examples (${data.examples.length})`);
        return await evaluateKFold(data, k, seed, trainer, embeddingOf);
      }
      const split = splitTrainTest(data, options.testFraction ?? 0.2, seed);
      if (split.test.length === 0) throw new BadInputError('The held-out split is empty: add examples or raise testFraction');
      return await evaluateHoldout(split.train, split.test, trainer, embeddingOf);
    } finally {
      this.evaluating.delete(project);
    }
  }

  /** Waits for running and queued training jobs (tests, shutdown); with `project`, only that project's. */
  async whenIdle(project?: string): Promise<void> {
    for (;;) {
      const jobs = [...this.running.values()].filter((j) => project === undefined || j.project === project);
      if (!jobs.length) return;
      await Promise.all(jobs.map((j) => j.done.catch(() => undefined)));
    }
  }

  /** After a project's rows were deleted (cascade): stop its run, free its model, remove artifact folders without a version row. */
  private async projectDeleted(project: string): Promise<void> {
    const job = this.running.get(project);
    job?.abort.abort();
    await job?.done.catch(() => undefined);
    await this.nlu.forget(project);
    this.serials.delete(project);
    const names = await readdir(this.artifacts.root).catch(() => [] as string[]);
    const versions = names.map((n) => /^v(\d+)$/.exec(n)?.[1]).filter((v): v is string => v !== undefined).map(Number);
    const kept = await this.models.existing(versions);
    for (const v of versions) if (!kept.has(v)) await this.artifacts.remove(v);
  }
}
