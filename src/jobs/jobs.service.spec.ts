import { NotFoundError } from '../common/errors';
import type { JobRow, JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';

function fakeRepo() {
  const rows = new Map<string, JobRow & { events: string[] }>();
  let n = 0;
  const repo = {
    insert: jest.fn(async (projectId: string, kind: string, subject: string, input: Record<string, unknown>) => {
      const id = `00000000-0000-4000-8000-00000000000${++n}`;
      const row = { id, projectId, kind, subject, input, status: 'queued' as const, progress: {}, result: null, error: null, createdAt: new Date(), startedAt: null, finishedAt: null, events: [] as string[] };
      rows.set(id, row);
      return row;
    }),
    get: jest.fn(async (project: string, id: string) => (rows.get(id)?.projectId === project ? rows.get(id)! : null)),
    start: jest.fn(async (id: string) => void Object.assign(rows.get(id)!, { status: 'running' })),
    progress: jest.fn(async (id: string, p: Record<string, unknown>) => void Object.assign(rows.get(id)!, { progress: p })),
    finish: jest.fn(async (id: string, status: JobRow['status'], result: Record<string, unknown> | null, error: string | null) => void Object.assign(rows.get(id)!, { status, result, error })),
    failInterrupted: jest.fn(async () => ['x']),
  };
  return { repo: repo as unknown as JobsRepository, rows, raw: repo };
}

describe('JobsService', () => {
  it('runs work in the background: queued -> running -> succeeded with its result and progress', async () => {
    const { repo, rows } = fakeRepo();
    const jobs = new JobsService(repo);
    const job = await jobs.create('p', 'search.reindex', 'kb');
    expect(job.status).toBe('queued');
    jobs.run(job, async (ctx) => {
      await ctx.progress({ done: 1, total: 2 }, true);
      return { chunks: 2 };
    });
    expect(jobs.isRunning(job.id)).toBe(true);
    await jobs.settled(job.id);
    expect(rows.get(job.id)).toMatchObject({ status: 'succeeded', result: { chunks: 2 }, progress: { done: 1, total: 2 } });
    expect(jobs.isRunning(job.id)).toBe(false);
  });

  it('a failing job records its error; shutdown aborts running work, recorded as interrupted', async () => {
    const { repo, rows } = fakeRepo();
    const jobs = new JobsService(repo);
    const bad = await jobs.create('p', 'k', 's');
    jobs.run(bad, async () => {
      throw new Error('model vanished');
    });
    await jobs.settled(bad.id);
    expect(rows.get(bad.id)).toMatchObject({ status: 'failed', error: 'model vanished' });
    const long = await jobs.create('p', 'k', 's');
    jobs.run(long, (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))));
    await new Promise((r) => setImmediate(r));
    await jobs.onModuleDestroy();
    expect(rows.get(long.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^interrupted/) });
  });

  it("another project's job (or a malformed id) is a 404; start-up fails interrupted jobs", async () => {
    const { repo, raw } = fakeRepo();
    const jobs = new JobsService(repo);
    const job = await jobs.create('p', 'k', 's');
    await expect(jobs.get('q', job.id)).rejects.toThrow(NotFoundError);
    await expect(jobs.get('p', 'not-a-uuid')).rejects.toThrow(NotFoundError);
    expect((await jobs.get('p', job.id)).id).toBe(job.id);
    await jobs.onApplicationBootstrap();
    expect(raw.failInterrupted).toHaveBeenCalled();
  });
});
