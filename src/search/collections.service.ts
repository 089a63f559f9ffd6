import { Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { BadInputError, ConflictError, DomainError, NotFoundError } from '../common/errors';
import { EmbeddingsService } from '../embeddings/embeddings.service';
import { Job, JobContext, JobsService } from '../jobs/jobs.service';
import { ProjectLifecycle } from '../projects/project-lifecycle';
import { ChunksRepository } from './chunks.repository';
import { CollectionsRepository } from './collections.repository';
import type { Collection, CollectionStats } from './search.types';

export interface CreateCollection {
  name: string;
  description?: string;
  model?: string;
  dimensions?: number;
  chunkTokens?: number;
  chunkOverlap?: number;
}

export const DEFAULT_CHUNK_TOKENS = 128;
export const DEFAULT_CHUNK_OVERLAP = 16;
export const REINDEX_JOB = 'search.reindex';
const REINDEX_PAGE = 64;

/**
 * Collections: created with an embedding model and dimension that stay fixed, checked
 * against the encoder before every search or write (a model change never mixes vectors:
 * 409 until re-indexed), re-indexed as a background job.
 */
@Injectable()
export class CollectionsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Search');

  constructor(
    private readonly repo: CollectionsRepository,
    private readonly chunks: ChunksRepository,
    private readonly embeddings: EmbeddingsService,
    private readonly jobs: JobsService,
    @Optional() lifecycle?: ProjectLifecycle,
  ) {
    lifecycle?.onDeleted('search', () => this.sweepIndexes());
    jobs.register(REINDEX_JOB, { run: (job, ctx) => this.runReindex(job, ctx) });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sweepIndexes();
  }

  async create(project: string, body: CreateCollection): Promise<Collection & CollectionStats> {
    const info = this.embeddings.encoder(body.model);
    const chunkTokens = body.chunkTokens ?? Math.min(DEFAULT_CHUNK_TOKENS, info.maxTokens || DEFAULT_CHUNK_TOKENS);
    const chunkOverlap = body.chunkOverlap ?? Math.min(DEFAULT_CHUNK_OVERLAP, Math.floor(chunkTokens / 4));
    if (info.maxTokens && chunkTokens > info.maxTokens) throw new BadInputError(`chunkTokens ${chunkTokens} exceeds the ${info.maxTokens} tokens model ${info.id} reads`, { field: 'chunkTokens' });
    if (chunkOverlap >= chunkTokens) throw new BadInputError(`chunkOverlap (${chunkOverlap}) must be smaller than chunkTokens (${chunkTokens})`, { field: 'chunkOverlap' });
    // one probe text: checks `dimensions` against the model and learns its real dimension
    const probe = await this.embeddings.embed(['probe'], { model: info.id, dimensions: body.dimensions });
    const created = await this.repo.insert(project, {
      name: body.name,
      description: body.description ?? '',
      model: info.id,
      dim: probe.dim,
      requestedDim: body.dimensions ?? null,
      chunkTokens,
      chunkOverlap,
    });
    if (!created) throw new ConflictError(`A collection named ${body.name} already exists in this project`);
    return { ...created, documents: 0, chunks: 0 };
  }

  list(project: string): Promise<(Collection & CollectionStats)[]> {
    return this.repo.list(project);
  }

  async describe(project: string, name: string): Promise<Collection & CollectionStats> {
    const c = await this.resolve(project, name);
    return { ...c, ...(await this.repo.stats(c)) };
  }

  async remove(project: string, name: string): Promise<void> {
    const c = await this.resolve(project, name);
    if (c.status === 'reindexing' && c.jobId && (await this.jobs.isOpen(project, c.jobId))) throw new ConflictError(`Collection ${name} is being re-indexed (job ${c.jobId}); delete it when the job has ended`);
    if (!(await this.repo.remove(project, name))) throw this.notFound(name);
  }

  /** The collection, or 404 (another project's collection is exactly as missing). */
  async resolve(project: string, name: string): Promise<Collection> {
    const c = await this.repo.get(project, name);
    if (!c) throw this.notFound(name);
    return c;
  }

  /** The collection, if it can be searched or written now: not re-indexing, and its model still gives vectors of its dimension. */
  async usable(project: string, name: string): Promise<Collection> {
    const c = await this.resolve(project, name);
    if (c.status === 'reindexing') {
      const job = c.jobId ? await this.jobs.get(project, c.jobId).catch(() => null) : null;
      const running = job && (job.status === 'queued' || job.status === 'running');
      throw new ConflictError(
        running
          ? `Collection ${name} is being re-indexed (job ${job.id}, GET /api/v1/jobs/${job.id}); search and writes resume when it has finished`
          : `The re-index of collection ${name} did not finish (${job?.error ?? 'job missing'}); POST /api/v1/collections/${name}/reindex (admin) to run it again`,
        { job: job?.id ?? c.jobId },
      );
    }
    this.checkModel(c);
    return c;
  }

  /** 409 unless the collection's model is installed and still gives vectors of the collection's dimension. */
  checkModel(c: Collection, gotDim?: number): void {
    const fix = `POST /api/v1/collections/${c.name}/reindex (admin) re-embeds it with an installed model`;
    let dim: number;
    try {
      dim = gotDim ?? this.embeddings.encoder(c.model).dim;
    } catch (err) {
      if (err instanceof NotFoundError) throw new ConflictError(`Collection ${c.name} was embedded with model ${c.model}, which is no longer installed; ${fix}`, { model: c.model, dim: c.dim });
      throw err;
    }
    const expected = c.requestedDim ?? c.dim;
    // a Matryoshka collection needs the model to give at least its dimension; others exactly it
    const ok = !dim || (c.requestedDim ? dim >= c.requestedDim : dim === c.dim);
    if (!ok || (gotDim !== undefined && gotDim !== c.dim)) {
      throw new ConflictError(`Collection ${c.name} holds ${c.dim}-dimensional vectors of model ${c.model}, but ${c.model} now gives ${dim}; vectors of two models never mix: ${fix}`, { model: c.model, dim: c.dim, encoderDim: dim, expected });
    }
  }

  /** Starts re-embedding every chunk (admin): the collection refuses searches and writes until the job has finished. */
  async reindex(project: string, name: string, body: { model?: string; dimensions?: number }) {
    const c = await this.resolve(project, name);
    if (c.status === 'reindexing' && c.jobId && (await this.jobs.isOpen(project, c.jobId))) throw new ConflictError(`Collection ${name} is already being re-indexed (job ${c.jobId})`, { job: c.jobId });
    const info = this.embeddings.encoder(body.model ?? c.model);
    const requestedDim = body.dimensions ?? (body.model && body.model !== c.model ? null : c.requestedDim);
    const probe = await this.embeddings.embed(['probe'], { model: info.id, dimensions: requestedDim ?? undefined });
    const job = await this.jobs.create(project, REINDEX_JOB, name, { collection: name, from: { model: c.model, dim: c.dim }, to: { model: info.id, dim: probe.dim, requestedDim } });
    if (!(await this.repo.beginReindex(c, job.id))) {
      await this.jobs.cancel(job.id, 'another re-index of the collection started first');
      throw new ConflictError(`Collection ${name} is already being re-indexed`);
    }
    this.jobs.submit(job);
    return this.jobs.get(project, job.id);
  }

  /** The re-index job, on whichever replica claims it: every chunk re-embedded page by page, then the index rebuilt. */
  private async runReindex(job: Job, ctx: JobContext): Promise<Record<string, unknown>> {
    const project = job.projectId;
    const to = job.input.to as { model: string; dim: number; requestedDim: number | null };
    const c = await this.repo.get(project, String(job.input.collection));
    if (!c || c.jobId !== job.id) throw new Error(`collection ${String(job.input.collection)} is no longer re-indexed by this job`);
    const requestedDim = to.requestedDim ?? null;
    const total = await this.chunks.countAll(c);
    let done = 0;
    let after = '0';
    await ctx.progress({ phase: 'embedding', done, total }, true);
    for (;;) {
      if (ctx.signal.aborted) throw new DomainError(499, 'cancelled', 'interrupted');
      const page = await this.chunks.page(c, after, REINDEX_PAGE);
      if (!page.length) break;
      const out = await this.embeddings.embed(page.map((p) => p.text), { model: to.model, kind: 'passage', dimensions: requestedDim ?? undefined, project });
      if (out.dim !== to.dim) throw new Error(`model ${to.model} changed its dimension during the re-index (${to.dim} -> ${out.dim})`);
      await this.chunks.setEmbeddings(c, page.map((p, i) => ({ id: p.id, embedding: out.vectors[i] })));
      done += page.length;
      after = page[page.length - 1].id;
      await ctx.progress({ phase: 'embedding', done, total });
    }
    await ctx.progress({ phase: 'indexing', done, total }, true);
    await this.repo.finishReindex(c, to.model, to.dim, requestedDim);
    this.logger.log(`Collection ${project}/${c.name} re-indexed: ${done} chunks, ${to.model} (${to.dim} dimensions)`);
    return { chunks: done, model: to.model, dim: to.dim };
  }

  private notFound(name: string): NotFoundError {
    return new NotFoundError(`No collection named ${name} in this project; GET /api/v1/collections lists them`);
  }

  private async sweepIndexes(): Promise<void> {
    const dropped = await this.repo.dropOrphanIndexes();
    if (dropped.length) this.logger.log(`Dropped ${dropped.length} vector index(es) of deleted collections`);
  }
}
