import { execFile } from 'node:child_process';
import { Dirent, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { DataSource, DataSourceOptions, Migration } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { AppConfig, parseSize } from '../config/app-config';
import { SETTINGS } from '../config/config.schema';
import { DataDirLock } from './data-dir-lock';
import { pgliteDriver } from './pglite-pool';

export type DatabaseKind = 'pglite' | 'postgres';

export function databaseKind(config: Pick<AppConfig, 'databaseUrl'>): DatabaseKind {
  return config.databaseUrl ? 'postgres' : 'pglite';
}

/** Where the embedded database lives; `memory://` keeps it in RAM (tests). */
export function pgliteDir(config: Pick<AppConfig, 'dataDir'>): string {
  return config.dataDir === 'memory://' ? 'memory://' : resolve(config.dataDir, 'pglite');
}

/** The lock file beside the database folder (`$DATA_DIR/pglite.lock`); see DataDirLock. */
export function pgliteLockPath(dir: string): string {
  return `${dir}.lock`;
}

const MB = 1024 * 1024;
export const AUTO_SHARED_BUFFERS = { min: 16 * MB, max: 512 * MB, fraction: 0.25 } as const;

/**
 * shared_buffers of the embedded database in bytes: the configured size, or for `auto` a
 * quarter of the database folder's size now, between 16 MB and 512 MB (whole MB). Small
 * databases keep the small idle memory of decision 0009; a large search collection gets its
 * HNSW index pages into the buffer pool (read through Emscripten's file system otherwise:
 * bench:search, docs/search.md). It takes effect at start-up, so a database that grew gets
 * its larger pool on the next restart.
 */
export function embeddedSharedBuffers(setting: string, dir: string): number {
  if (setting.trim().toLowerCase() !== 'auto') return parseSize(setting)!;
  const bytes = dir === 'memory://' ? 0 : folderBytes(dir);
  return Math.round(Math.min(AUTO_SHARED_BUFFERS.max, Math.max(AUTO_SHARED_BUFFERS.min, bytes * AUTO_SHARED_BUFFERS.fraction)) / MB) * MB;
}

function folderBytes(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // not there yet (first start)
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += statSync(p).size;
    }
  };
  walk(dir);
  return total;
}

/**
 * Opens the embedded database after taking its directory lock, which is released when the
 * database closes (the pool's `end`, i.e. DataSource.destroy / app.close) or the process dies.
 */
async function openPGlite(dir: string, sharedBuffersBytes: number): Promise<{ db: PGlite; lock?: DataDirLock }> {
  // PGlite's defaults plus a smaller shared_buffers: the buffer pool is touched at start-up,
  // so Postgres's 128 MB default alone was a fifth of the server's idle memory (bench:memory).
  const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${Math.max(128, Math.round(sharedBuffersBytes / 1024))}kB`];
  if (dir === 'memory://') return { db: await PGlite.create({ extensions: { vector }, startParams }) };
  mkdirSync(dir, { recursive: true });
  const lock = DataDirLock.acquire(pgliteLockPath(dir), dir);
  try {
    await initializeInChild(dir, startParams);
    return { db: await PGlite.create({ dataDir: dir, extensions: { vector }, startParams }), lock };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/**
 * A new (empty) database folder is created by a short-lived child process (pglite-init.ts)
 * into a sibling folder that is renamed into place when complete, so a crash during initdb
 * leaves no half-made database and the server never holds initdb's memory.
 */
async function initializeInChild(dir: string, startParams: string[]): Promise<void> {
  if (existsSync(join(dir, 'PG_VERSION')) || readdirSync(dir).length > 0) return;
  const staging = `${dir}.init`;
  rmSync(staging, { recursive: true, force: true });
  const ext = extname(__filename);
  // Under ts-jest / ts-node this module is .ts, and so is the child: compile it on the fly.
  const execArgv = ext === '.ts' ? ['-r', 'ts-node/register/transpile-only'] : [];
  const sharedBuffers = /^shared_buffers=(\d+)kB$/.exec(startParams[startParams.length - 1])?.[1] ?? '';
  await new Promise<void>((done, fail) => {
    execFile(process.execPath, [...execArgv, join(__dirname, `pglite-init${ext}`), staging, sharedBuffers], (err, _stdout, stderr) => {
      if (err) fail(new Error(`Creating the embedded database at ${dir} failed: ${String(stderr).trim() || err.message}`));
      else done();
    });
  });
  rmSync(dir, { recursive: true, force: true }); // empty: checked above, under the lock
  renameSync(staging, dir);
}

/**
 * TypeORM options for the configured database. The same migrations run on both; the
 * schema is never synchronized from entities.
 */
export async function buildDataSourceOptions(
  config: Pick<AppConfig, 'databaseUrl' | 'dataDir' | 'migrationsRun'> & Partial<Pick<AppConfig, 'raw'>>,
  extra: Partial<DataSourceOptions> = {},
): Promise<DataSourceOptions> {
  const common = {
    type: 'postgres' as const,
    migrations: MIGRATIONS,
    migrationsRun: config.migrationsRun,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    parseInt8: true,
    // Extensions are created by migrations, never implicitly (PGlite has no uuid-ossp).
    installExtensions: false,
    uuidExtension: 'pgcrypto' as const,
    logging: false,
  };
  if (config.databaseUrl) {
    return { ...common, url: config.databaseUrl, poolSize: 10, ...extra } as DataSourceOptions;
  }
  const dir = pgliteDir(config);
  const { db, lock } = await openPGlite(dir, embeddedSharedBuffers(config.raw?.DB_EMBEDDED_SHARED_BUFFERS ?? SETTINGS.DB_EMBEDDED_SHARED_BUFFERS.default, dir));
  return { ...common, driver: pgliteDriver(db, () => lock?.release()), ...extra } as DataSourceOptions;
}


/** The advisory lock key replicas take to migrate one at a time (any constant; 'llmo' in ASCII). */
const MIGRATION_LOCK = 0x6c6c6d6f;

/**
 * Runs pending migrations. On PostgreSQL several replicas start at once (a Deployment with
 * replicas: 3): each waits for a session advisory lock, so one migrates and the others then
 * find nothing pending, instead of racing to create the same tables. The embedded database
 * has one process (and one connection), so it needs no lock.
 */
export async function runMigrationsExclusively(ds: DataSource, kind: DatabaseKind): Promise<Migration[]> {
  if (kind === 'pglite') return ds.runMigrations({ transaction: 'each' });
  const lock = ds.createQueryRunner();
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK]);
    return await ds.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
}
