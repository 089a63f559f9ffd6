import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { buildDataSourceOptions, embeddedSharedBuffers } from './data-source';

describe('embedded database memory settings', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'llmos-dsmem-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const sharedBuffers = async (env: Record<string, string>) => {
    const config = loadConfig({ DATA_DIR: dataDir, DB_MIGRATIONS_RUN: 'false', ...env });
    const ds = new DataSource(await buildDataSourceOptions(config));
    await ds.initialize();
    try {
      return ((await ds.query('SHOW shared_buffers')) as { shared_buffers: string }[])[0].shared_buffers;
    } finally {
      await ds.destroy();
    }
  };

  it('starts PGlite with a small shared_buffers by default (its memory never shrinks), and takes DB_EMBEDDED_SHARED_BUFFERS', async () => {
    expect(await sharedBuffers({})).toBe('16MB');
    expect(await sharedBuffers({ DB_EMBEDDED_SHARED_BUFFERS: '64mb' })).toBe('64MB');
    expect(await sharedBuffers({ DB_EMBEDDED_SHARED_BUFFERS: 'auto' })).toBe('16MB');
  });

  it('auto: a quarter of the database folder, between 16 MB and 512 MB', () => {
    const MB = 1024 * 1024;
    const dir = join(dataDir, 'pglite');
    expect(embeddedSharedBuffers('auto', dir)).toBe(16 * MB); // not created yet
    mkdirSync(join(dir, 'base', '1'), { recursive: true });
    writeFileSync(join(dir, 'base', '1', 'a'), '');
    truncateSync(join(dir, 'base', '1', 'a'), 300 * MB); // sparse: no disk used
    writeFileSync(join(dir, 'b'), '');
    truncateSync(join(dir, 'b'), 100 * MB);
    expect(embeddedSharedBuffers('auto', dir)).toBe(100 * MB);
    truncateSync(join(dir, 'b'), 4000 * MB);
    expect(embeddedSharedBuffers('auto', dir)).toBe(512 * MB);
    expect(embeddedSharedBuffers('AUTO', 'memory://')).toBe(16 * MB);
    expect(embeddedSharedBuffers('64mb', dir)).toBe(64 * MB);
  });

  it('creates a new database folder in a child process, through a staging folder renamed into place', async () => {
    // a staging folder left by a crash during an earlier first start is replaced
    mkdirSync(join(dataDir, 'pglite.init'), { recursive: true });
    writeFileSync(join(dataDir, 'pglite.init', 'half-made'), '');
    expect(await sharedBuffers({})).toBe('16MB');
    expect(existsSync(join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
    expect(readdirSync(dataDir).sort()).toEqual(['pglite', 'pglite.lock']);
  });

  it('refuses a value that is not a size', () => {
    expect(() => loadConfig({ DB_EMBEDDED_SHARED_BUFFERS: 'lots' })).toThrow(/DB_EMBEDDED_SHARED_BUFFERS/);
  });
});
