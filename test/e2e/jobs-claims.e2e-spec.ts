/**
 * The jobs table's claim rules on real databases (JobsRepository's SQL, docs/scaling.md):
 * a reserved job is nobody else's until released; claims by several replicas (separate
 * connection pools on PostgreSQL) never take the same row; writes of a job name its runner;
 * an expired lease is queued again until JOBS_MAX_ATTEMPTS runs, then failed; and at most one
 * NLU and one recommendation version of a project trains at a time (unique indexes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, runMigrationsExclusively } from '../../src/data/data-source';
import { JobsRepository, LEASE_EXPIRED } from '../../src/jobs/jobs.repository';
import { NluModelsRepository } from '../../src/nlu/nlu-models.repository';
import { NluModelEntity } from '../../src/nlu/nlu.entities';
import { ModelsRepository } from '../../src/recommendation/models.repository';
import { createPostgresDatabase, testDatabases } from './support/databases';

const LEASE = 60_000;

describe.each(testDatabases())('job claims on %s', (kind) => {
  let dataDir: string;
  let postgres: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined;
  const sources: DataSource[] = [];
  const open = async () => {
    const ds = await new DataSource({ ...(await buildDataSourceOptions({ databaseUrl: postgres?.url, dataDir, migrationsRun: false })), entities: [NluModelEntity] }).initialize();
    sources.push(ds);
    return ds;
  };
  let ds: DataSource;
  let repo: JobsRepository;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'llmos-jobs-'));
    if (kind === 'postgres') postgres = await createPostgresDatabase();
    ds = await open();
    await runMigrationsExclusively(ds, kind);
    repo = new JobsRepository(ds);
  });
  afterAll(async () => {
    for (const s of sources) await s.destroy();
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a reserved job is claimed by nobody else until released, then by exactly one claimer', async () => {
    const job = await repo.insert('default', 'k.reserved', 'v1', { a: 1 }, 'replica-a', LEASE);
    expect(job).toMatchObject({ status: 'queued', attempts: 0, input: { a: 1 } });
    expect(await repo.claim('replica-b', ['k.reserved'], LEASE)).toBeNull();
    await repo.release(job.id, 'replica-a');
    expect(await repo.claim('replica-b', ['k.other'], LEASE)).toBeNull();
    expect(await repo.claim('replica-b', ['k.reserved'], LEASE)).toMatchObject({ id: job.id, status: 'running', attempts: 1 });
    expect(await repo.claim('replica-c', ['k.reserved'], LEASE)).toBeNull();
    // only the runner writes it
    expect(await repo.progress(job.id, 'replica-c', { done: 1 }, LEASE)).toBe(false);
    expect(await repo.finish(job.id, 'replica-a', 'succeeded', {}, null)).toBe(false);
    expect(await repo.progress(job.id, 'replica-b', { done: 1 }, LEASE)).toBe(true);
    expect(await repo.heartbeat([job.id], 'replica-b', LEASE)).toEqual(new Set([job.id]));
    expect(await repo.finish(job.id, 'replica-b', 'succeeded', { ok: true }, null)).toBe(true);
    expect(await repo.get('default', job.id)).toMatchObject({ status: 'succeeded', result: { ok: true }, progress: { done: 1 } });
    expect(await repo.get('other', job.id)).toBeNull();
    // a reserved job its creator starts itself
    const own = await repo.insert('default', 'k.reserved', 'v2', {}, 'replica-a', LEASE);
    expect(await repo.startReserved(own.id, 'replica-b', LEASE)).toBe(false);
    expect(await repo.startReserved(own.id, 'replica-a', LEASE)).toBe(true);
    expect(await repo.openProjects('k.reserved')).toEqual(['default']);
    expect(await repo.finish(own.id, 'replica-a', 'failed', null, 'bad data')).toBe(true);
    expect(await repo.openProjects('k.reserved')).toEqual([]);
    // a reserved job is described by its creator only, before it starts
    const later = await repo.insert('default', 'k.reserved', '', {}, 'replica-a', LEASE);
    await repo.describe(later.id, 'replica-b', 'v9', { version: 9 });
    expect(await repo.get('default', later.id)).toMatchObject({ subject: '', input: {} });
    await repo.describe(later.id, 'replica-a', 'v3', { version: 3 });
    expect(await repo.get('default', later.id)).toMatchObject({ subject: 'v3', input: { version: 3 } });
    await repo.finish(later.id, 'replica-a', 'cancelled', null, 'test');
  });

  it('replicas claiming at once take every queued job exactly once', async () => {
    const jobs = await Promise.all(Array.from({ length: 30 }, (_, i) => repo.insert('default', 'k.race', `v${i}`, {}, 'creator', LEASE)));
    for (const j of jobs) await repo.release(j.id, 'creator');
    // PostgreSQL: five replicas with their own pools; the embedded database has one connection
    const claimers = kind === 'postgres' ? await Promise.all(Array.from({ length: 5 }, async () => new JobsRepository(await open()))) : [repo, repo, repo];
    const taken = await Promise.all(
      claimers.map(async (c, i) => {
        const mine: string[] = [];
        for (let job = await c.claim(`r${i}`, ['k.race'], LEASE); job; job = await c.claim(`r${i}`, ['k.race'], LEASE)) mine.push(job.id);
        return mine;
      }),
    );
    const all = taken.flat();
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
    if (kind === 'postgres') expect(taken.filter((t) => t.length > 0).length).toBeGreaterThan(1);
  });

  it('an expired lease is queued again while runs are left, then failed; the old runner can no longer write', async () => {
    const job = await repo.insert('default', 'k.lease', 'v1', {}, 'a', LEASE);
    expect(await repo.startReserved(job.id, 'a', LEASE)).toBe(true);
    const expire = () => ds.query(`UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [job.id]);
    expect(await repo.reapExpired(2)).toEqual([]);
    await expire();
    expect((await repo.reapExpired(2)).map((r) => [r.id, r.status, r.attempts])).toEqual([[job.id, 'queued', 1]]);
    expect(await repo.heartbeat([job.id], 'a', LEASE)).toEqual(new Set());
    expect(await repo.claim('b', ['k.lease'], LEASE)).toMatchObject({ id: job.id, attempts: 2 });
    expect(await repo.finish(job.id, 'a', 'succeeded', {}, null)).toBe(false);
    await expire();
    expect((await repo.reapExpired(2)).map((r) => [r.id, r.status, r.error])).toEqual([[job.id, 'failed', LEASE_EXPIRED]]);
    expect(await repo.claim('c', ['k.lease'], LEASE)).toBeNull();
  });

  it('a project trains one NLU and one recommendation version at a time', async () => {
    const nlu = new NluModelsRepository(ds);
    const first = await nlu.startTraining('default', 10);
    expect(first).not.toBeNull();
    expect(await nlu.startTraining('default', 10)).toBeNull();
    expect(await nlu.training('default')).toBe(first!.version);
    await nlu.fail(first!.version, 'test');
    expect(await nlu.startTraining('default', 10)).not.toBeNull();

    const rec = new ModelsRepository(ds);
    const v1 = await rec.create('default', {});
    expect(v1).toMatchObject({ version: 1, status: 'queued' });
    expect(await rec.create('default', {})).toBeNull();
    await rec.fail('default', 1, 'test');
    expect(await rec.create('default', {})).toMatchObject({ version: 2 });
  });
});
