import { Logger } from '@nestjs/common';
import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendError } from './error.filter';
import { DomainError } from './errors';

/**
 * A route that takes larger bodies than BODY_LIMIT (bulk imports), on its own limit and
 * setting name. `raw` routes get the body as text whatever its content type (file uploads:
 * YAML, NDJSON, JSON read by the route itself, so syntax errors carry line numbers).
 */
export interface RouteBodyLimit {
  method: 'POST' | 'PUT';
  /** the exact path, or a pattern for routes with parameters */
  path: string | RegExp;
  limitBytes: number;
  setting: string;
  raw?: boolean;
}

/**
 * JSON and urlencoded body parsing with the configured size limit, and the larger limits
 * of the routes named in `routes`. Parse errors (oversize -> 413, malformed JSON -> 400)
 * are answered here in the one error shape, because they happen before Nest's exception
 * filters see the request. A body read once is not read again by the parsers after it.
 */
export function bodyParsers(limitBytes: number, routes: RouteBodyLimit[] = []): RequestHandler[] {
  const logger = new Logger('BodyParser');
  const wrap = (parser: RequestHandler, setting = 'BODY_LIMIT'): RequestHandler => (req: Request, res: Response, next: NextFunction) =>
    parser(req, res, (err?: unknown) => (err ? sendError(req, res, tooLarge(err, setting), logger) : next()));
  const routed = routes.map((r): RequestHandler => {
    const parser = wrap(r.raw ? express.text({ type: () => true, limit: r.limitBytes }) : express.json({ limit: r.limitBytes }), r.setting);
    const matches = (path: string) => (typeof r.path === 'string' ? path === r.path : r.path.test(path));
    return (req, res, next) => (req.method === r.method && matches(req.path.replace(/\/$/, '')) ? parser(req, res, next) : next());
  });
  return [...routed, wrap(express.json({ limit: limitBytes })), wrap(express.urlencoded({ extended: false, limit: limitBytes }))];
}

/** An oversize body names the setting that limits it. */
function tooLarge(err: unknown, setting: string): unknown {
  const e = err as { type?: string; length?: number; limit?: number };
  if (e?.type !== 'entity.too.large' || setting === 'BODY_LIMIT') return err;
  return new DomainError(413, 'payload_too_large', `Request body is ${e.length ?? 'over'} bytes; the limit is ${e.limit} bytes (${setting})`);
}
