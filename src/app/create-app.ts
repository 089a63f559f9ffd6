import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import { bodyParsers, RouteBodyLimit } from '../common/body-parser';
import { requestIdMiddleware } from '../common/request-id';
import { AppConfig } from '../config/app-config';
import { setupDocs } from '../docs/openapi';
import { MetricsService } from '../metrics/metrics.service';
import { AppModule } from './app.module';
import { InFlightTracker } from './in-flight';
import { AppLogger, httpLogger } from './logging';

export interface CreatedApp {
  app: NestExpressApplication;
  inFlight: InFlightTracker;
}

/**
 * Builds the configured application without listening: used by `main.ts` and by the
 * e2e tests, so both run exactly the same stack.
 */
export async function createApp(config: AppConfig, options: { bufferLogs?: boolean; logDestination?: DestinationStream } = {}): Promise<CreatedApp> {
  const accessLog = httpLogger(config, options.logDestination);
  const logger = new AppLogger(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger,
    bufferLogs: options.bufferLogs ?? true,
    abortOnError: false,
  });
  app.useLogger(logger);
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  const inFlight = new InFlightTracker();
  // The access log comes right after the request id and before anything that can answer
  // on its own (body parsers: 400, 413), so every response gets its line.
  app.use(requestIdMiddleware, accessLog, inFlight.middleware, app.get(MetricsService).httpMiddleware, ...bodyParsers(config.bodyLimitBytes, [...nluImportBodyLimits(config), ...bulkBodyLimits(config), ...dialogueFileRoutes(config)]));
  if (config.corsOrigins.length) {
    app.enableCors({ origin: config.corsOrigins.includes('*') ? true : config.corsOrigins, exposedHeaders: ['X-Request-Id', 'Retry-After'] });
  }
  setupDocs(app as INestApplication);
  return { app, inFlight };
}

/** Bulk writes (thousands of documents or events per request) take BULK_BODY_LIMIT. */
function bulkBodyLimits(config: AppConfig): RouteBodyLimit[] {
  const limit = { method: 'POST', limitBytes: config.bulkBodyLimitBytes, setting: 'BULK_BODY_LIMIT' } as const;
  return [
    { ...limit, path: /^\/api\/v1\/collections\/[^/]+\/documents$/ },
    { ...limit, path: /^\/api\/v1\/recommendations\/(events|items)\/bulk$/ },
  ];
}

/** The NLU import routes take training-data files on their own limit (NLU_IMPORT_BODY_LIMIT). */
function nluImportBodyLimits(config: AppConfig): RouteBodyLimit[] {
  const limit = { method: 'POST', limitBytes: config.nluImportBodyLimitBytes, setting: 'NLU_IMPORT_BODY_LIMIT' } as const;
  return [
    { ...limit, path: '/api/v1/nlu/import' },
    { ...limit, path: '/api/v1/nlu/import/file', raw: true },
  ];
}

/** Domain and conversation-test files are the request body itself (YAML), read by the route so problems carry line numbers. */
function dialogueFileRoutes(config: AppConfig): RouteBodyLimit[] {
  const file = { limitBytes: config.bodyLimitBytes, setting: 'BODY_LIMIT', raw: true } as const;
  return [
    { ...file, method: 'PUT', path: /^\/api\/v1\/dialogue\/assistants\/[^/]+\/domain$/ },
    { ...file, method: 'POST', path: /^\/api\/v1\/dialogue\/assistants\/[^/]+\/test$/ },
  ];
}
