import { HttpException, HttpStatus } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { DomainError } from './errors';

/** The native API's error body (see ARCHITECTURE.md). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
  requestId: string;
}

/** OpenAI's error body, used on the `/v1/*` surface so OpenAI clients understand it. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface NormalizedError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  headers: Record<string, string>;
  /** true for errors we did not expect: logged with their stack */
  unexpected: boolean;
}

/** The reason phrase in the `error` field: 404 -> "Not Found", 499 -> "Client Closed Request". */
export const reasonPhrase = (status: number) =>
  (HttpStatus[status] ?? (status === 499 ? 'CLIENT_CLOSED_REQUEST' : 'ERROR'))
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  length?: number;
  message?: string;
}

/** Turns anything thrown into a status, a message a person can act on, and headers. */
export function normalizeError(err: unknown): NormalizedError {
  if (err instanceof DomainError) {
    return { status: err.status, code: err.code, message: err.message, details: err.details, headers: err.headers, unexpected: false };
  }
  if (err instanceof ThrottlerException) {
    return { status: 429, code: 'rate_limited', message: 'Too many requests: slow down and retry after the number of seconds in Retry-After', headers: {}, unexpected: false };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    let message = err.message;
    let details: unknown;
    if (typeof res === 'object' && res !== null) {
      const r = res as { message?: unknown; details?: unknown };
      if (Array.isArray(r.message)) {
        message = r.message.join('; ');
      } else if (typeof r.message === 'string') {
        message = r.message;
      }
      details = r.details;
    }
    return { status, code: reasonPhrase(status).toLowerCase().replace(/ /g, '_'), message, details, headers: {}, unexpected: status >= 500 };
  }
  const bp = err as BodyParserError;
  if (bp && typeof bp === 'object' && typeof bp.type === 'string' && typeof bp.status === 'number') {
    if (bp.type === 'entity.too.large') {
      return {
        status: 413,
        code: 'payload_too_large',
        message: `Request body is ${bp.length ?? 'over'} bytes; the limit is ${bp.limit} bytes (BODY_LIMIT)`,
        headers: {},
        unexpected: false,
      };
    }
    if (bp.type === 'entity.parse.failed') {
      return { status: 400, code: 'bad_request', message: `Request body is not valid JSON: ${bp.message}`, headers: {}, unexpected: false };
    }
    return { status: bp.status, code: 'bad_request', message: bp.message ?? 'Unreadable request body', headers: {}, unexpected: bp.status >= 500 };
  }
  return { status: 500, code: 'internal_error', message: 'Internal server error', headers: {}, unexpected: true };
}

export function nativeBody(e: NormalizedError, requestId: string): ErrorBody {
  const body: ErrorBody = { statusCode: e.status, error: reasonPhrase(e.status), message: e.message, requestId };
  if (e.details !== undefined) body.details = e.details;
  return body;
}

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

/** OpenAI's `error.type` for a status. */
export const openAiErrorType = (status: number) => OPENAI_TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');

export function openAiBody(e: NormalizedError): OpenAiErrorBody {
  const param = (e.details as { param?: string } | undefined)?.param ?? firstField(e.details);
  return {
    error: {
      message: e.message,
      type: openAiErrorType(e.status),
      param: param ?? null,
      code: e.code,
    },
  };
}

function firstField(details: unknown): string | undefined {
  if (Array.isArray(details) && details.length && typeof details[0]?.field === 'string') return details[0].field;
  return undefined;
}

export const isOpenAiPath = (path: string) => path === '/v1' || path.startsWith('/v1/');
