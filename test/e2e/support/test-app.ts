import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import { createApp } from '../../../src/app/create-app';
import { loadConfig } from '../../../src/config/app-config';
import { createPostgresDatabase, TestDatabase } from './databases';

export interface TestApp {
  app: NestExpressApplication;
  http: () => ReturnType<typeof request>;
  dataDir: string;
  databaseUrl?: string;
  /** closes the app; keeps the data (for restart tests) unless `cleanup` */
  close: (cleanup?: boolean) => Promise<void>;
  /** removes the data dir and the suite's Postgres database */
  cleanup: () => Promise<void>;
}

export interface StartOptions {
  db?: TestDatabase['kind'];
  env?: Record<string, string>;
  /** reuse the data dir and database of an earlier (closed) app: restart tests */
  reuse?: TestApp;
  /** where the app's JSON log lines go (set LOG_LEVEL in env too: the default is silent) */
  logDestination?: DestinationStream;
}

/** Boots the real application (real migrations, real database) on an ephemeral port. */
export async function startTestApp(options: StartOptions = {}): Promise<TestApp> {
  const dataDir = options.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'llmos-e2e-'));
  let databaseUrl = options.reuse?.databaseUrl;
  let drop: (() => Promise<void>) | undefined = options.reuse ? () => options.reuse!.cleanup() : undefined;
  if (options.db === 'postgres' && !databaseUrl) {
    const created = await createPostgresDatabase();
    databaseUrl = created.url;
    drop = created.drop;
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    MODELS_DIR: join(dataDir, 'models'),
    PORT: '0',
    HOST: '127.0.0.1',
    // Suites that test NLU turn this on; the others skip training a model at start-up.
    NLU_BOOTSTRAP: 'false',
    REC_DEMO: 'false',
    DIALOGUE_FAQ_SEED: 'false',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  });
  const { app } = await createApp(config, { logDestination: options.logDestination });
  await app.listen(0, '127.0.0.1');
  const cleanup = async () => {
    await drop?.();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    app,
    http: () => request(app.getHttpServer()),
    dataDir,
    databaseUrl,
    cleanup,
    close: async (andCleanup = true) => {
      await app.close();
      if (andCleanup) await cleanup();
    },
  };
}
