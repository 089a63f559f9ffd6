import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { NotFoundError } from '../common/errors';
import { JobRow, JobsRepository } from './jobs.repository';

export type Job = Omit<JobRow, 'projectId'> & { projectId: string };

export interface JobContext {
  id: string;
  signal: AbortSignal;
  /** records progress (and heartbeats the lease); writes are spaced by PROGRESS_MIN_MS unless `force` */
  progress(p: Record<string, unknown>, force?: boolean): Promise<void>;
}

export type JobWork = (ctx: JobContext) => Promise<Record<string, unknown>>;

const LEASE_MS = 60_000;
const PROGRESS_MIN_MS = 250;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Long-running work of every module (search re-indexing today; NLU training still has its
 * own, see docs/search.md): a row per job with project, kind, status, progress and a lease.
 * `create` records a job and `run` runs its work in the background of this process; at start-up
 * jobs left open by an earlier process are failed as interrupted. The lease and heartbeat
 * columns are what replicas will claim jobs with (scale-out); this process only writes them.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Jobs');
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();

  constructor(private readonly repo: JobsRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    const ids = await this.repo.failInterrupted();
    if (ids.length) this.logger.warn(`${ids.length} job(s) were interrupted by the last shutdown: ${ids.join(', ')}`);
  }

  async onModuleDestroy(): Promise<void> {
    for (const r of this.running.values()) r.abort.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Records a queued job; `run` starts it, `cancel` drops it. */
  create(project: string, kind: string, subject: string, input: Record<string, unknown> = {}): Promise<Job> {
    return this.repo.insert(project, kind, subject, input);
  }

  /** Runs `work` for a created job in the background of this process. */
  run(job: Pick<Job, 'id'>, work: JobWork): void {
    const abort = new AbortController();
    const done = this.execute(job.id, abort.signal, work).finally(() => this.running.delete(job.id));
    this.running.set(job.id, { abort, done });
  }

  /** Ends a job that will not run (e.g. its subject was taken meanwhile). */
  async cancel(id: string, reason: string): Promise<void> {
    await this.repo.finish(id, 'cancelled', null, reason);
  }

  async get(project: string, id: string): Promise<Job> {
    const job = UUID.test(id) ? await this.repo.get(project, id) : null;
    if (!job) throw new NotFoundError(`No job ${id} in this project`);
    return job;
  }

  list(project: string, kind?: string, limit = 50): Promise<Job[]> {
    return this.repo.list(project, kind, limit);
  }

  /** True while this process runs the job. */
  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** Resolves when the job has ended here (tests, shutdown). */
  async settled(id: string): Promise<void> {
    await this.running.get(id)?.done;
  }

  private async execute(id: string, signal: AbortSignal, work: JobWork): Promise<void> {
    // let the request that started the job answer first
    await new Promise((r) => setImmediate(r));
    let last = 0;
    const ctx: JobContext = {
      id,
      signal,
      progress: async (p, force = false) => {
        if (!force && Date.now() - last < PROGRESS_MIN_MS) return;
        last = Date.now();
        await this.repo.progress(id, p, LEASE_MS);
      },
    };
    try {
      await this.repo.start(id, this.owner, LEASE_MS);
      const result = await work(ctx);
      await this.repo.finish(id, 'succeeded', result, null);
    } catch (err) {
      const message = signal.aborted ? 'interrupted: the server stopped while the job ran' : (err as Error).message;
      this.logger.error(`Job ${id} failed: ${message}`);
      await this.repo.finish(id, 'failed', null, message).catch((e: Error) => this.logger.error(`Job ${id}: could not record the failure: ${e.message}`));
    }
  }
}
