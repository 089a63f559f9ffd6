/**
 * Runs pending migrations against the configured database and exits.
 *   npm run migrations:run
 */
import 'reflect-metadata';
import { config as loadDotenv } from 'dotenv';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { buildDataSourceOptions, databaseKind, runMigrationsExclusively } from '../src/data/data-source';

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const config = loadConfig(process.env);
  const ds = new DataSource(await buildDataSourceOptions({ ...config, migrationsRun: false }));
  await ds.initialize();
  try {
    const ran = await runMigrationsExclusively(ds, databaseKind(config));
    process.stdout.write(`${databaseKind(config)}: ${ran.length ? ran.map((m) => m.name).join(', ') : 'no pending migrations'}\n`);
  } finally {
    await ds.destroy();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
