import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ClusterEvents } from '../cluster/cluster-events.service';
import { NotFoundError } from '../common/errors';
import { AppConfig, settingBool, settingNumber } from '../config/app-config';
import { databaseKind } from '../data/data-source';
import { ReadinessService } from '../health/readiness.service';
import { INTERRUPTED, JobRow, JobsRepository } from './jobs.repository';

export type Job = JobRow;

export interface JobContext {
  id: string;
  /** aborted at shutdown, or when this replica lost the job's lease (another replica may run it) */
  signal: AbortSignal;
  /** records progress (and heartbeats the lease); writes are spaced by PROGRESS_MIN_MS unless `force` */
  progress(p: Record<string, unknown>, force?: boolean): Promise<void>;
}

/** How a kind of job runs, on whichever replica claims it: everything it needs is in `job.input`. */
export interface JobHandler {
  run(job: Job, ctx: JobContext): Promise<Record<string, unknown>>;
  /** The job will not run again (interrupted, or its replica died JOBS_MAX_ATTEMPTS times): end the module's own state of it. */
  failed?(job: Job, error: string): Promise<void>;
}

const PROGRESS_MIN_MS = 250;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const JOBS_TOPIC = 'jobs.queued';

/**
 * Long-running work of every module (training, re-indexing), claimed across replicas
 * (docs/scaling.md). A module registers a handler per kind; `create` records a job reserved
 * by this replica and `submit` runs it here at once (JOBS_EXECUTE=true) or gives it to the
 * replicas that run jobs, which claim queued rows (FOR UPDATE SKIP LOCKED) when notified and
 * every JOBS_POLL_MS. A runner renews its lease every third of JOBS_LEASE_MS; a job whose
 * lease expired (its replica was killed) is queued again up to JOBS_MAX_ATTEMPTS runs, then
 * failed. On the embedded database (one process) open jobs found at start-up are an earlier
 * process's and are failed as interrupted; shutdown fails the running ones the same way.
 */
@Injectable()
export class JobsService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Jobs');
  private readonly owner: string;
  /** other processes share the database (PostgreSQL) */
  readonly shared: boolean;
  private readonly executes: boolean;
  private readonly leaseMs: number;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void>; claimed: boolean }>();
  private readonly timers: NodeJS.Timeout[] = [];
  private polling?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly repo: JobsRepository,
    private readonly config: AppConfig,
    @Optional() private readonly cluster?: ClusterEvents,
    @Optional() private readonly readiness?: ReadinessService,
  ) {
    this.owner = cluster?.replicaId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.shared = databaseKind(config) === 'postgres';
    this.executes = settingBool(config, 'JOBS_EXECUTE');
    this.leaseMs = settingNumber(config, 'JOBS_LEASE_MS');
    cluster?.subscribe(JOBS_TOPIC, () => this.poll());
  }

  /** Registers how jobs of `kind` run (in a module's constructor, before start-up recovery). */
  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  async onModuleInit(): Promise<void> {
    if (this.shared) return void (await this.reap());
    const rows = await this.repo.failInterrupted();
    if (rows.length) this.logger.warn(`${rows.length} job(s) were interrupted by the last shutdown: ${rows.map((r) => r.id).join(', ')}`);
    await this.ended(rows, INTERRUPTED);
  }

  onApplicationBootstrap(): void {
    if (!this.shared) return;
    this.every(this.leaseMs / 3, () => this.heartbeat());
    this.every(Math.max(1000, this.leaseMs / 2), () => this.reap());
    if (this.executes) {
      this.every(settingNumber(this.config, 'JOBS_POLL_MS'), () => this.poll());
      void this.poll();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.timers.splice(0).forEach(clearInterval);
    await this.polling;
    for (const r of this.running.values()) r.abort.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Records a queued job reserved by this replica; `submit` starts or hands it on, `cancel` drops it. */
  create(project: string, kind: string, subject: string, input: Record<string, unknown> = {}): Promise<Job> {
    if (!this.handlers.has(kind)) throw new Error(`No job handler registered for ${kind}`);
    return this.repo.insert(project, kind, subject, input, this.owner, this.leaseMs);
  }

  /**
   * Runs a created job here (returns when it has ended here) or, on a replica that does not
   * run jobs, queues it for one that does (returns null).
   */
  submit(job: Job): Promise<void> | null {
    if (this.executes && !this.stopping && !this.readiness?.isDraining) return this.start(job, false);
    void this.repo
      .release(job.id, this.owner)
      .then(() => this.cluster?.publish(JOBS_TOPIC, { kind: job.kind }))
      .catch((err: Error) => this.logger.error(`Job ${job.id} could not be queued: ${err.message}`));
    return null;
  }

  /** Sets a created job's subject and input before `submit` (when the module's own row is created after the job). */
  async describe(job: Job, subject: string, input: Record<string, unknown>): Promise<Job> {
    await this.repo.describe(job.id, this.owner, subject, input);
    return { ...job, subject, input };
  }

  /** Projects with a queued or running job of `kind` on any replica. */
  openProjects(kind: string): Promise<string[]> {
    return this.repo.openProjects(kind);
  }

  /** Ends a created job that will not run (e.g. its subject was taken meanwhile). */
  async cancel(id: string, reason: string): Promise<void> {
    await this.repo.finish(id, this.owner, 'cancelled', null, reason);
  }

  async get(project: string, id: string): Promise<Job> {
    const job = UUID.test(id) ? await this.repo.get(project, id) : null;
    if (!job) throw new NotFoundError(`No job ${id} in this project`);
    return job;
  }

  list(project: string, kind?: string, limit = 50): Promise<Job[]> {
    return this.repo.list(project, kind, limit);
  }

  /** True while the job is queued or running on any replica. */
  async isOpen(project: string, id: string): Promise<boolean> {
    const job = UUID.test(id) ? await this.repo.get(project, id) : null;
    return job?.status === 'queued' || job?.status === 'running';
  }

  /** True while this process runs the job. */
  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** Resolves when the job has ended here (tests, shutdown). */
  async settled(id: string): Promise<void> {
    await this.running.get(id)?.done;
  }

  /** Claims queued jobs while this replica has room (JOBS_MAX_RUNNING); one poll at a time. */
  poll(): Promise<void> {
    if (!this.executes || !this.shared || this.stopping || this.readiness?.isDraining) return Promise.resolve();
    this.polling ??= (async () => {
      try {
        const max = settingNumber(this.config, 'JOBS_MAX_RUNNING');
        while (!this.stopping && [...this.running.values()].filter((r) => r.claimed).length < max) {
          const job = await this.repo.claim(this.owner, [...this.handlers.keys()], this.leaseMs);
          if (!job) break;
          this.logger.log(`Claimed job ${job.id} (${job.kind} ${job.subject}, run ${job.attempts})`);
          void this.start(job, true);
        }
      } catch (err) {
        this.logger.warn(`Claiming jobs failed: ${(err as Error).message}`);
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }

  /** Queues again (or fails) running jobs of replicas that stopped renewing their lease. */
  async reap(): Promise<void> {
    const rows = await this.repo.reapExpired(settingNumber(this.config, 'JOBS_MAX_ATTEMPTS')).catch((err: Error) => {
      this.logger.warn(`Reaping expired jobs failed: ${err.message}`);
      return [] as Job[];
    });
    if (!rows.length) return;
    const failed = rows.filter((r) => r.status === 'failed');
    this.logger.warn(`${rows.length} job(s) lost their replica: ${rows.length - failed.length} queued again, ${failed.length} failed`);
    await this.ended(failed, failed[0]?.error ?? '');
    if (failed.length < rows.length) void this.poll();
  }

  private start(job: Job, claimed: boolean): Promise<void> {
    const abort = new AbortController();
    const done = this.execute(job, abort.signal, claimed).finally(() => this.running.delete(job.id));
    this.running.set(job.id, { abort, done, claimed });
    return done;
  }

  private async execute(job: Job, signal: AbortSignal, claimed: boolean): Promise<void> {
    // let the request that started the job answer first
    await new Promise((r) => setImmediate(r));
    const handler = this.handlers.get(job.kind)!;
    let last = 0;
    const ctx: JobContext = {
      id: job.id,
      signal,
      progress: async (p, force = false) => {
        if (!force && Date.now() - last < PROGRESS_MIN_MS) return;
        last = Date.now();
        if (!(await this.repo.progress(job.id, this.owner, p, this.leaseMs))) this.lost(job.id);
      },
    };
    try {
      if (!claimed && !(await this.repo.startReserved(job.id, this.owner, this.leaseMs))) return;
      const result = await handler.run(job, ctx);
      if (!(await this.repo.finish(job.id, this.owner, 'succeeded', result, null))) this.logger.warn(`Job ${job.id} finished after this replica lost its lease`);
    } catch (err) {
      const message = signal.aborted ? INTERRUPTED : (err as Error).message;
      this.logger.error(`Job ${job.id} failed: ${message}`);
      const recorded = await this.repo.finish(job.id, this.owner, 'failed', null, message).catch((e: Error) => {
        this.logger.error(`Job ${job.id}: could not record the failure: ${e.message}`);
        return false;
      });
      if (recorded) await this.ended([job], message);
    }
  }

  private async heartbeat(): Promise<void> {
    const ids = [...this.running.keys()];
    const kept = await this.repo.heartbeat(ids, this.owner, this.leaseMs).catch((err: Error) => {
      this.logger.warn(`Renewing job leases failed: ${err.message}`);
      return new Set(ids);
    });
    for (const id of ids) if (!kept.has(id) && this.running.has(id)) this.lost(id);
  }

  /** Another replica may run it now: stop here without writing anything. */
  private lost(id: string): void {
    const r = this.running.get(id);
    if (!r || r.abort.signal.aborted) return;
    this.logger.warn(`Job ${id}: this replica lost its lease (stalled past JOBS_LEASE_MS); stopping it here`);
    r.abort.abort();
  }

  private async ended(jobs: Job[], error: string): Promise<void> {
    for (const job of jobs) {
      await this.handlers
        .get(job.kind)
        ?.failed?.(job, error)
        .catch((err: Error) => this.logger.warn(`Job ${job.id} (${job.kind}): ending its module state failed: ${err.message}`));
    }
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => void fn(), ms);
    t.unref();
    this.timers.push(t);
  }
}
