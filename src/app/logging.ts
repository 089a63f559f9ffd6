import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger, Params, PinoLogger } from 'nestjs-pino';
import pino, { DestinationStream } from 'pino';
import { HttpLogger, Options, pinoHttp } from 'pino-http';
import { AppConfig } from '../config/app-config';

type Req = IncomingMessage & { id: string };

const built = new WeakMap<AppConfig, HttpLogger>();

/** pino-http invents this error for every 5xx it was not given an error for. */
const isInvented = (res: ServerResponse & { err?: unknown }, err: Error) => !res.err && err.message === `failed with status code ${res.statusCode}`;

/** Not ready yet (starting, draining) is the answer a load balancer asks for, not a fault. */
const isNotReady = (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) =>
  res.statusCode === 503 && (req.originalUrl ?? req.url ?? '').split('?')[0] === '/health/ready';

/**
 * JSON logs on stdout, one line per event, each with the request id. Every response gets
 * one access line with its status and responseTime (but /health/live and /metrics, which
 * probes call all day). Secrets never reach the log: auth headers and cookies are redacted.
 */
function httpOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    genReqId: (req: IncomingMessage) => (req as Req).id,
    customProps: (req: IncomingMessage) => ({ requestId: (req as Req).id }),
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health/live' || req.url === '/metrics' },
    customLogLevel: (req: IncomingMessage, res: ServerResponse, err?: Error) =>
      isNotReady(req, res) ? 'warn' : err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    // The invented error's stack points into pino-http: drop it. A real fault was logged with its own stack where it happened.
    customErrorObject: (_req, res, err, value: Record<string, unknown>) => {
      if (!isInvented(res, err)) return value;
      const { err: _invented, ...rest } = value;
      return rest;
    },
    customErrorMessage: (_req, res, err) => (isInvented(res, err) ? 'request completed' : 'request errored'),
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

/**
 * The one pino-http middleware (and its root logger) for this config. `createApp`
 * registers it before the body parsers, so requests they refuse (400, 413) are logged
 * too; `destination` (default stdout) is honoured on the first call only.
 */
export function httpLogger(config: AppConfig, destination?: DestinationStream): HttpLogger {
  let logger = built.get(config);
  if (!logger) {
    logger = destination ? pinoHttp(httpOptions(config), destination) : pinoHttp(httpOptions(config));
    built.set(config, logger);
  }
  return logger;
}

/** nestjs-pino reuses that middleware's logger for application logs instead of adding a second pino-http. */
export function loggerOptions(config: AppConfig): Params {
  return { pinoHttp: { logger: httpLogger(config).logger }, useExisting: true };
}

/**
 * Nest's logger on that same pino logger, handed to NestFactory so that even a start-up
 * that fails before the app exists logs JSON. Nest's ExceptionHandler logs such a failure
 * with its stack; main.ts reports it as one line, so here the stack is debug detail.
 */
export class AppLogger extends Logger {
  constructor(config: AppConfig) {
    const params = loggerOptions(config);
    super(new PinoLogger(params), params);
  }

  override error(message: unknown, ...rest: unknown[]): void {
    if (rest[rest.length - 1] === 'ExceptionHandler') this.debug(message, ...rest);
    else super.error(message, ...rest);
  }
}

/**
 * The line a failed start-up ends with, in the same JSON shape as every other log line
 * (one line, on stderr, written synchronously before the process exits). The stack is
 * included at LOG_LEVEL debug or trace.
 */
export function logStartupFailure(err: Error & { problems?: string[] }, env: NodeJS.ProcessEnv, destination: DestinationStream = pino.destination({ fd: 2, sync: true })): void {
  const debug = env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';
  const problems = err.problems;
  const msg = problems
    ? `LLM OS failed to start: invalid configuration: ${problems.join('; ')}. See .env.example for every variable and its default.`
    : `LLM OS failed to start: ${err.message}`;
  const serializers = { err: (e: Error) => ({ type: e.name, message: e.message, ...(debug ? { stack: e.stack } : {}) }) };
  pino({ level: 'info', serializers }, destination).fatal({ context: 'Main', err, ...(problems ? { problems } : {}) }, msg);
}
