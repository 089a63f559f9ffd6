import { NotFoundError } from '../common/errors';
import { loadConfig } from '../config/app-config';
import { INTERRUPTED, LEASE_EXPIRED, type JobRow, type JobsRepository } from './jobs.repository';
import { JobHandler, JobsService } from './jobs.service';

type Row = JobRow & { owner: string | null; expires: number };

/** The jobs table's claim rules in memory (the SQL of JobsRepository, statement by statement). */
function fakeRepo() {
  const rows = new Map<string, Row>();
  let n = 0;
  const open = (r: Row) => r.status === 'queued' || r.status === 'running';
  const repo = {
    insert: jest.fn(async (projectId: string, kind: string, subject: string, input: Record<string, unknown>, owner: string, leaseMs: number) => {
      const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
      const row: Row = { id, projectId, kind, subject, input, status: 'queued', progress: {}, result: null, error: null, attempts: 0, createdAt: new Date(), startedAt: null, finishedAt: null, owner, expires: Date.now() + leaseMs };
      rows.set(id, row);
      return { ...row };
    }),
    get: jest.fn(async (project: string, id: string) => (rows.get(id)?.projectId === project ? { ...rows.get(id)! } : null)),
    startReserved: jest.fn(async (id: string, owner: string, leaseMs: number) => {
      const r = rows.get(id);
      if (!r || r.status !== 'queued' || r.owner !== owner) return false;
      Object.assign(r, { status: 'running', attempts: r.attempts + 1, expires: Date.now() + leaseMs });
      return true;
    }),
    release: jest.fn(async (id: string, owner: string) => {
      const r = rows.get(id);
      if (r?.status === 'queued' && r.owner === owner) r.owner = null;
    }),
    claim: jest.fn(async (owner: string, kinds: string[], leaseMs: number) => {
      const r = [...rows.values()].find((x) => x.status === 'queued' && kinds.includes(x.kind) && (x.owner === null || x.expires < Date.now()));
      if (!r) return null;
      Object.assign(r, { status: 'running', attempts: r.attempts + 1, owner, expires: Date.now() + leaseMs });
      return { ...r };
    }),
    heartbeat: jest.fn(async (ids: string[], owner: string, leaseMs: number) => {
      const kept = ids.filter((id) => rows.get(id)?.status === 'running' && rows.get(id)?.owner === owner);
      kept.forEach((id) => (rows.get(id)!.expires = Date.now() + leaseMs));
      return new Set(kept);
    }),
    progress: jest.fn(async (id: string, owner: string, progress: Record<string, unknown>) => {
      const r = rows.get(id);
      if (r?.status !== 'running' || r.owner !== owner) return false;
      r.progress = progress;
      return true;
    }),
    finish: jest.fn(async (id: string, owner: string, status: JobRow['status'], result: Record<string, unknown> | null, error: string | null) => {
      const r = rows.get(id);
      if (!r || !open(r) || r.owner !== owner) return false;
      Object.assign(r, { status, result, error, owner: null });
      return true;
    }),
    reapExpired: jest.fn(async (max: number) => {
      const out: JobRow[] = [];
      for (const r of rows.values()) {
        if (r.status !== 'running' || r.expires >= Date.now()) continue;
        Object.assign(r, r.attempts < max ? { status: 'queued', owner: null } : { status: 'failed', error: LEASE_EXPIRED, owner: null });
        out.push({ ...r });
      }
      return out;
    }),
    failInterrupted: jest.fn(async () => {
      const out = [...rows.values()].filter(open);
      out.forEach((r) => Object.assign(r, { status: 'failed', error: INTERRUPTED, owner: null }));
      return out.map((r) => ({ ...r }));
    }),
  };
  return { repo: repo as unknown as JobsRepository, rows };
}

const PG = 'postgres://u@localhost/db';
const service = (repo: JobsRepository, env: Record<string, string> = {}) => new JobsService(repo, loadConfig(env));
const handler = (run: JobHandler['run']) => ({ run: jest.fn(run), failed: jest.fn(async () => undefined) });
const tick = () => new Promise((r) => setImmediate(r));

describe('JobsService', () => {
  it('runs a submitted job here: queued -> running -> succeeded with its result and progress', async () => {
    const { repo, rows } = fakeRepo();
    const jobs = service(repo);
    jobs.register('search.reindex', handler(async (_job, ctx) => {
      await ctx.progress({ done: 1, total: 2 }, true);
      return { chunks: 2 };
    }));
    const job = await jobs.create('p', 'search.reindex', 'kb');
    expect(job.status).toBe('queued');
    const done = jobs.submit(job);
    expect(done).not.toBeNull();
    expect(jobs.isRunning(job.id)).toBe(true);
    await done;
    expect(rows.get(job.id)).toMatchObject({ status: 'succeeded', result: { chunks: 2 }, progress: { done: 1, total: 2 }, attempts: 1 });
    expect(jobs.isRunning(job.id)).toBe(false);
    expect(() => jobs.create('p', 'unknown.kind', 's')).toThrow(/No job handler/);
  });

  it('a failing job records its error and ends its module state; shutdown aborts running work, recorded as interrupted', async () => {
    const { repo, rows } = fakeRepo();
    const jobs = service(repo);
    const bad = handler(async () => {
      throw new Error('model vanished');
    });
    const long = handler((_job, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))));
    jobs.register('bad', bad);
    jobs.register('long', long);
    const b = await jobs.create('p', 'bad', 's');
    await jobs.submit(b);
    expect(rows.get(b.id)).toMatchObject({ status: 'failed', error: 'model vanished' });
    expect(bad.failed).toHaveBeenCalledWith(expect.objectContaining({ id: b.id }), 'model vanished');
    const l = await jobs.create('p', 'long', 's');
    jobs.submit(l);
    await tick();
    await tick();
    await jobs.onModuleDestroy();
    expect(rows.get(l.id)).toMatchObject({ status: 'failed', error: INTERRUPTED });
  });

  it("another project's job (or a malformed id) is a 404; on the embedded database start-up fails open jobs as interrupted", async () => {
    const { repo, rows } = fakeRepo();
    const jobs = service(repo);
    const h = handler(async () => ({}));
    jobs.register('k', h);
    const job = await jobs.create('p', 'k', 's');
    await expect(jobs.get('q', job.id)).rejects.toThrow(NotFoundError);
    await expect(jobs.get('p', 'not-a-uuid')).rejects.toThrow(NotFoundError);
    expect((await jobs.get('p', job.id)).id).toBe(job.id);
    expect(await jobs.isOpen('p', job.id)).toBe(true);
    await jobs.onModuleInit();
    expect(rows.get(job.id)).toMatchObject({ status: 'failed', error: INTERRUPTED });
    expect(h.failed).toHaveBeenCalledWith(expect.objectContaining({ id: job.id }), INTERRUPTED);
    expect(await jobs.isOpen('p', job.id)).toBe(false);
  });

  it('a replica that does not run jobs queues them; of two replicas that run jobs, exactly one claims each', async () => {
    const { repo, rows } = fakeRepo();
    const serving = service(repo, { DATABASE_URL: PG, JOBS_EXECUTE: 'false' });
    const workers = [service(repo, { DATABASE_URL: PG, JOBS_MAX_RUNNING: '4' }), service(repo, { DATABASE_URL: PG, JOBS_MAX_RUNNING: '4' })];
    const ran: string[] = [];
    for (const [i, s] of [serving, ...workers].entries()) s.register('train', handler(async (job) => (ran.push(`${i}:${job.id}`), { by: i })));
    const created = await Promise.all([1, 2, 3].map(() => serving.create('p', 'train', 'v')));
    created.forEach((job) => expect(serving.submit(job)).toBeNull());
    await tick();
    expect([...rows.values()].every((r) => r.status === 'queued' && r.owner === null)).toBe(true);
    await Promise.all(workers.map((w) => w.poll()));
    await Promise.all(created.map((j) => Promise.all(workers.map((w) => w.settled(j.id)))));
    expect(ran).toHaveLength(3);
    expect(new Set(ran.map((r) => r.split(':')[1])).size).toBe(3);
    expect(ran.every((r) => !r.startsWith('0:'))).toBe(true);
    expect([...rows.values()].map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    await Promise.all([serving, ...workers].map((s) => s.onModuleDestroy()));
  });

  it('a job whose replica stopped renewing its lease is queued again, then failed after JOBS_MAX_ATTEMPTS runs; a replica that lost its lease stops', async () => {
    const { repo, rows } = fakeRepo();
    const env = { DATABASE_URL: PG, JOBS_LEASE_MS: '1000', JOBS_MAX_ATTEMPTS: '2' };
    const dead = service(repo, env);
    const h = handler((_job, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')))));
    dead.register('train', h);
    const job = await dead.create('p', 'train', 'v');
    dead.submit(job);
    await tick();
    await tick();
    expect(rows.get(job.id)).toMatchObject({ status: 'running', attempts: 1 });
    rows.get(job.id)!.expires = Date.now() - 1; // the replica was killed: nobody renews the lease
    const other = service(repo, env);
    const h2 = handler((_job, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')))));
    other.register('train', h2);
    await other.reap();
    await other.poll();
    await tick();
    expect(rows.get(job.id)).toMatchObject({ status: 'running', attempts: 2 });
    expect(h2.run).toHaveBeenCalledTimes(1);
    // the first replica comes back from its stall: its heartbeat finds the job taken and stops without writing
    await (dead as unknown as { heartbeat(): Promise<void> }).heartbeat();
    await dead.settled(job.id);
    expect(rows.get(job.id)).toMatchObject({ status: 'running', attempts: 2 });
    // the second replica dies too: no runs left, failed for good, the module told
    rows.get(job.id)!.expires = Date.now() - 1;
    const third = service(repo, env);
    third.register('train', h);
    await third.reap();
    expect(rows.get(job.id)).toMatchObject({ status: 'failed', error: LEASE_EXPIRED });
    expect(h.failed).toHaveBeenCalledWith(expect.objectContaining({ id: job.id }), LEASE_EXPIRED);
    await Promise.all([dead, other, third].map((s) => s.onModuleDestroy()));
  });
});
