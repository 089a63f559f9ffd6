/**
 * Domain errors. Services throw these; the global filter maps each to its HTTP status
 * and the one error shape. They carry no stack to clients.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadInputError extends DomainError {
  constructor(message: string, details?: unknown) {
    super(400, 'bad_request', message, details);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string, details?: unknown) {
    super(404, 'not_found', message, details);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, details?: unknown) {
    super(409, 'conflict', message, details);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message: string) {
    super(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });
  }
}

/** A queue or capacity limit was hit: try again later (503 + Retry-After). */
export class OverloadedError extends DomainError {
  constructor(message: string, retryAfterSeconds = 1, details?: unknown) {
    super(503, 'overloaded', message, details, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}

/** A project's quota is used up (429 + Retry-After: the seconds until its window resets). */
export class QuotaExceededError extends DomainError {
  constructor(message: string, retryAfterSeconds: number, details?: unknown) {
    super(429, 'quota_exceeded', message, details, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}

/** A capability is not available (no model installed, model not loaded). */
export class UnavailableError extends DomainError {
  constructor(message: string, details?: unknown, retryAfterSeconds?: number) {
    super(503, 'unavailable', message, details, retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {});
  }
}

export class TimeoutError extends DomainError {
  constructor(message: string) {
    super(504, 'timeout', message);
  }
}

/** The caller went away or aborted; nobody reads the answer (499, nginx's convention). */
export class CancelledError extends DomainError {
  constructor(message = 'The request was cancelled') {
    super(499, 'cancelled', message);
  }
}
