import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { BadInputError, ConflictError, NotFoundError } from '../common/errors';
import { Job, JobContext, JobsService } from '../jobs/jobs.service';
import { ITEM_MODELS, ItemModel, TrainOptions, TrainProgress } from './algorithms/pipeline';
import { Interaction } from './algorithms/types';
import { netInteractions } from './algorithms/weights';
import { EventsRepository } from './events.repository';
import { ItemsRepository } from './items.repository';
import { ModelsRepository, ModelVersion } from './models.repository';
import { RecCacheService, servedModel } from './rec-cache.service';
import { decodeArtifact } from './algorithms/artifact';
import { RecGraphsService } from './rec-graphs.service';
import { REC_SETTINGS, RecSettings } from './rec-settings';
import { runTrainingInProcess } from './training/run-training';
import { toColumns, trainAndEncode, TrainResult, TrainWorkerInput } from './training/train-core';

export interface TrainRequest {
  models?: ItemModel[];
  evaluate?: boolean;
  holdout?: 'random' | 'time';
  holdoutFraction?: number;
  k?: number;
  seed?: number;
}

/** Below this many items and cells training runs inline (milliseconds); above, in a child process. */
const INLINE_MAX_ITEMS = 300;
const INLINE_MAX_CELLS = 20_000;
export const TRAIN_JOB_KIND = 'recommendation.train';

/**
 * Trains a project's item-item models as a job (GET /api/v1/jobs/{id}): reads the events,
 * evaluates each model and popularity on a holdout, trains on everything, stores the
 * version with its metrics and swaps it in as the active one in one transaction. The job
 * runs on whichever replica claims it (its input names the version, whose row holds the
 * options); one version of a project trains at a time, across replicas (a unique index).
 * Serving replicas read which version is active at every request, so no notification is needed.
 */
@Injectable()
export class TrainingService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Recommendation');
  private schedule: NodeJS.Timeout | null = null;
  private retraining = false;

  constructor(
    private readonly items: ItemsRepository,
    private readonly events: EventsRepository,
    private readonly models: ModelsRepository,
    private readonly jobs: JobsService,
    private readonly cache: RecCacheService,
    private readonly graphs: RecGraphsService,
    @Inject(REC_SETTINGS) private readonly settings: RecSettings,
  ) {
    jobs.register(TRAIN_JOB_KIND, {
      run: (job, ctx) => this.run(job, ctx),
      failed: (job, error) => this.models.fail(job.projectId, Number(job.input.version), error),
    });
  }

  /** Before any bootstrap hook (the demo trains in one): on the embedded database, versions an earlier process left open failed as interrupted. */
  async onModuleInit(): Promise<void> {
    if (!this.jobs.shared) await this.models.failInterrupted();
  }

  /** Scheduled retraining (REC_RETRAIN_INTERVAL_MS > 0). */
  onApplicationBootstrap(): void {
    const every = this.settings.retrainIntervalMs;
    if (every <= 0) return;
    this.schedule = setInterval(() => void this.retrainDue(), every);
    this.schedule.unref();
  }

  onModuleDestroy(): void {
    if (this.schedule) clearInterval(this.schedule);
    this.schedule = null;
  }

  /**
   * One scheduled round: a version for every project with events received since its latest
   * version was created. A project already training (here or on another replica) is skipped
   * (409); two replicas starting the same project at the same moment train it twice, harmlessly.
   */
  async retrainDue(): Promise<string[]> {
    if (this.retraining) return [];
    this.retraining = true;
    const started: string[] = [];
    try {
      for (const project of await this.models.projectsWithNewEvents()) {
        try {
          const { version } = await this.train(project, {});
          started.push(project);
          this.logger.log(`Scheduled retraining of project ${project}: version ${version.version}`);
        } catch (err) {
          if (!(err instanceof ConflictError)) this.logger.warn(`Scheduled retraining of project ${project} not started: ${(err as Error).message}`);
        }
      }
    } catch (err) {
      this.logger.warn(`Scheduled retraining round failed: ${(err as Error).message}`);
    } finally {
      this.retraining = false;
    }
    return started;
  }

  /** Starts training; 409 while another version of the project trains, 400 without events. */
  async train(project: string, request: TrainRequest): Promise<{ version: ModelVersion; jobId: string }> {
    const running = await this.models.running(project);
    if (running) throw new ConflictError(`Version ${running.version} of this project is still training; GET /api/v1/recommendations/models/${running.version}`);
    const { events } = await this.events.counts(project);
    if (events === 0) throw new BadInputError('The project has no events to train on: POST /api/v1/recommendations/events first');
    const options: TrainOptions = {
      ...this.settings.train,
      models: request.models?.length ? [...new Set(request.models)] : [...ITEM_MODELS],
      evaluate: request.evaluate ?? true,
      holdout: request.holdout ?? 'random',
      holdoutFraction: request.holdoutFraction ?? 0.2,
      k: request.k ?? 10,
      seed: request.seed ?? 1,
    };
    const version = await this.models.create(project, { ...options });
    if (!version) {
      const other = await this.models.running(project);
      throw new ConflictError(`Version ${other?.version ?? '?'} of this project is still training; GET /api/v1/recommendations/models/${other?.version ?? ''}`.trimEnd());
    }
    const job = await this.jobs.create(project, TRAIN_JOB_KIND, `v${version.version}`, { version: version.version, ...request });
    this.jobs.submit(job);
    return { version, jobId: job.id };
  }

  private async run(job: Job, ctx: JobContext): Promise<Record<string, unknown>> {
    const version = Number(job.input.version);
    const row = await this.models.get(job.projectId, version);
    if (!row) throw new Error(`version ${version} is gone (the project was deleted?)`);
    return this.execute(job.projectId, version, row.params as unknown as TrainOptions, ctx);
  }

  /** Resolves when a version's training has ended in this process (tests, demo bootstrap). */
  settled(jobId: string): Promise<void> {
    return this.jobs.settled(jobId);
  }

  async version(project: string, version: number): Promise<ModelVersion> {
    const v = Number.isInteger(version) ? await this.models.get(project, version) : null;
    if (!v) throw new NotFoundError(`No recommendation model version ${version} in this project`);
    return v;
  }

  list(project: string): Promise<ModelVersion[]> {
    return this.models.list(project);
  }

  /** The metrics of a version (default: the active one), each model beside popularity. */
  async evaluation(project: string, version?: number): Promise<ModelVersion> {
    const v = version === undefined ? await this.models.active(project) : await this.version(project, version);
    if (!v) throw new NotFoundError('This project has no trained recommendation model: POST /api/v1/recommendations/train (admin)');
    if (!v.metrics) throw new NotFoundError(`Version ${v.version} was trained without evaluation (evaluate: false) or has not finished (status ${v.status})`);
    return v;
  }

  private async execute(project: string, version: number, options: TrainOptions, ctx: JobContext): Promise<Record<string, unknown>> {
    const report = async (p: TrainProgress | { phase: string }, force = false) => {
      await ctx.progress(p as Record<string, unknown>, force);
      if (force) await this.models.progress(project, version, p as Record<string, unknown>);
    };
    try {
      await report({ phase: 'loading' }, true);
      const input = await this.load(project, options);
      await report({ phase: 'training', done: 0, total: input.items.length }, true);
      const onProgress = (p: TrainProgress) => void report(p).catch(() => undefined);
      const t0 = Date.now();
      const inline = input.items.length <= INLINE_MAX_ITEMS && input.user.length <= INLINE_MAX_CELLS;
      const result: TrainResult = inline ? trainAndEncode(input, onProgress) : await runTrainingInProcess(input, onProgress, ctx.signal);
      const stats = { items: input.items.length, users: input.users.length, interactions: input.user.length, trainMs: Date.now() - t0, timingsMs: result.timingsMs, skipped: result.skipped, inline };
      // this replica's serving caches (catalog, popularity, the users' histories) are filled now, not by the first requests
      await this.cache.warm(project).catch((err: unknown) => this.logger.warn(`Recommendation caches not warmed: ${(err as Error).message}`));
      const metrics = result.metrics ? { k: options.k, holdout: options.holdout, holdoutFraction: options.holdoutFraction, models: result.metrics } : null;
      // REC_SERVING=onnx: the version's graph is in the pool before the version is active (the previous one released)
      const served = servedModel(version, decodeArtifact(result.artifact));
      await this.graphs.install(project, served).catch(() => undefined);
      await this.models.finish(project, version, result.artifact, metrics, stats);
      this.cache.adopt(project, served);
      this.logger.log(`Recommendation model v${version} of project ${project} active (${stats.items} items, ${stats.users} users, ${stats.trainMs} ms)`);
      return { version, ...stats, metrics };
    } catch (err) {
      await this.models.fail(project, version, (err as Error).message);
      throw err;
    }
  }

  /** The project's interactions as matrix cells; every catalog item gets an index (new items score through content and popularity). */
  private async load(project: string, options: TrainOptions): Promise<TrainWorkerInput> {
    const catalog = await this.items.catalog(project);
    const items = catalog.map((c) => c.id);
    const itemIndex = new Map(items.map((id, i) => [id, i]));
    const net = netInteractions(await this.events.aggregates(project), this.settings.weights);
    const users = [...net.keys()].sort();
    const cells: Interaction[] = [];
    users.forEach((u, ui) => {
      for (const [item, c] of net.get(u)!) {
        const i = itemIndex.get(item);
        if (i !== undefined) cells.push({ user: ui, item: i, value: c.value, ts: c.ts });
      }
    });
    return { items, users, ...toColumns(cells), options };
  }
}
