import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { config as loadDotenv } from 'dotenv';
import type { Server } from 'node:http';
import { createApp } from './app/create-app';
import { logStartupFailure } from './app/logging';
import { loadConfig, settingNumber } from './config/app-config';
import { ReadinessService } from './health/readiness.service';

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const config = loadConfig(process.env);
  const { app, inFlight } = await createApp(config);
  const logger = new Logger('Main');
  await app.listen(config.port, config.host);
  const server = app.getHttpServer() as Server;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.log(`LLM OS listening on http://${shown}:${port} — Swagger UI: http://${shown}:${port}/docs`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const delay = settingNumber(config, 'SHUTDOWN_DELAY_MS');
    logger.log(`${signal}: draining (up to ${config.shutdownTimeoutMs} ms${delay ? `, after serving ${delay} ms more with /health/ready false while load balancers take this replica out` : ''}), then closing models and database`);
    app.get(ReadinessService).markDraining();
    // Kubernetes removes a pod from its Service some time after sending SIGTERM: requests keep coming meanwhile.
    if (delay) await new Promise((r) => setTimeout(r, delay));
    server.close();
    server.closeIdleConnections();
    const drained = await inFlight.drain(config.shutdownTimeoutMs);
    if (!drained) logger.warn(`${inFlight.active} request(s) still running after ${config.shutdownTimeoutMs} ms; closing anyway`);
    server.closeAllConnections();
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: Error) => {
  // Start-up failed (bad configuration, database unreachable, port taken, bad model store...): one clear JSON line, then exit.
  logStartupFailure(err, process.env);
  process.exit(1);
});
