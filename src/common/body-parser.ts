import { Logger } from '@nestjs/common';
import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendError } from './error.filter';

/**
 * JSON and urlencoded body parsing with the configured size limit. Parse errors
 * (oversize -> 413, malformed JSON -> 400) are answered here in the one error shape,
 * because they happen before Nest's exception filters see the request.
 */
export function bodyParsers(limitBytes: number): RequestHandler[] {
  const logger = new Logger('BodyParser');
  const wrap = (parser: RequestHandler): RequestHandler => (req: Request, res: Response, next: NextFunction) =>
    parser(req, res, (err?: unknown) => (err ? sendError(req, res, err, logger) : next()));
  return [wrap(express.json({ limit: limitBytes })), wrap(express.urlencoded({ extended: false, limit: limitBytes }))];
}
