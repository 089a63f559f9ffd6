import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { AppConfig } from '../config/app-config';
import { pgliteDriver } from './pglite-pool';

export type DatabaseKind = 'pglite' | 'postgres';

export function databaseKind(config: Pick<AppConfig, 'databaseUrl'>): DatabaseKind {
  return config.databaseUrl ? 'postgres' : 'pglite';
}

/** Where the embedded database lives; `memory://` keeps it in RAM (tests). */
export function pgliteDir(config: Pick<AppConfig, 'dataDir'>): string {
  return config.dataDir === 'memory://' ? 'memory://' : resolve(config.dataDir, 'pglite');
}

async function openPGlite(dir: string): Promise<PGlite> {
  if (dir !== 'memory://') mkdirSync(dir, { recursive: true });
  return PGlite.create({ dataDir: dir === 'memory://' ? undefined : dir, extensions: { vector } });
}

/**
 * TypeORM options for the configured database. The same migrations run on both; the
 * schema is never synchronized from entities.
 */
export async function buildDataSourceOptions(
  config: Pick<AppConfig, 'databaseUrl' | 'dataDir' | 'migrationsRun'>,
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
  const db = await openPGlite(pgliteDir(config));
  return { ...common, driver: pgliteDriver(db), ...extra } as DataSourceOptions;
}

