import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, MigrationInterface } from 'typeorm';
import { buildDataSourceOptions } from './data-source';

class FailingMigration1700000000000 implements MigrationInterface {
  async up(): Promise<void> {
    throw new Error('migration failed on purpose');
  }
  async down(): Promise<void> {}
}

describe('embedded database data source: the directory lock follows the database', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'llmos-ds-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const options = (extra = {}) => buildDataSourceOptions({ databaseUrl: undefined, dataDir, migrationsRun: false }, extra);

  it('refuses a second open in the same process and opens again once the first DataSource is destroyed', async () => {
    const first = new DataSource(await options());
    await first.initialize();
    await expect(options()).rejects.toThrow(`The embedded database at ${join(dataDir, 'pglite')} is already open in this process`);
    await first.destroy();

    const second = new DataSource(await options());
    await second.initialize();
    expect(await second.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await second.destroy();
  });

  it('releases the lock when start-up fails after the database opened (a failing migration)', async () => {
    const failing = new DataSource(await options({ migrations: [FailingMigration1700000000000], migrationsRun: true }));
    await expect(failing.initialize()).rejects.toThrow('migration failed on purpose');

    const next = new DataSource(await options());
    await next.initialize();
    await next.destroy();
  });
});
