import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isOpenAiPath, nativeBody, normalizeError, openAiBody } from './error-shape';
import { RequestWithId } from './request-id';

/** The one place errors become HTTP responses: native shape on /api, OpenAI's on /v1. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    sendError(ctx.getRequest<Request>(), ctx.getResponse<Response>(), exception, this.logger);
  }
}

export function sendError(req: Request, res: Response, exception: unknown, logger: Pick<Logger, 'error' | 'warn'>): void {
  const e = normalizeError(exception);
  const requestId = (req as RequestWithId).id ?? 'unknown';
  if (e.unexpected) {
    logger.error({ err: exception, requestId, path: req.path }, `Unhandled error on ${req.method} ${req.path}`);
  }
  if (res.headersSent) {
    // A stream already started (SSE): the status is gone, end it.
    res.end();
    return;
  }
  for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
  res.status(e.status).json(isOpenAiPath(req.path) ? openAiBody(e) : nativeBody(e, requestId));
}
