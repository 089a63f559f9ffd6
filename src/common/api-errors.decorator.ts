import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ThrottlerException } from '@nestjs/throttler';
import { ErrorBody, nativeBody, normalizeError } from './error-shape';
import { BadInputError, CancelledError, ConflictError, DomainError, ForbiddenError, NotFoundError, OverloadedError, TimeoutError, UnauthorizedError } from './errors';

/** One entry of `details` on a 400 from validation. */
export class FieldProblemDto {
  @ApiProperty({ example: 'text' })
  field!: string;
  @ApiProperty({ example: ['text should not be empty'] })
  messages!: string[];
}

const REQUEST_ID = '5f0c1d8e-8a43-4c4e-9a59-1f2b3c4d5e6f';

/** The error body of the native API, for the OpenAPI document. */
@ApiExtraModels(FieldProblemDto)
export class ErrorResponseDto {
  @ApiProperty({ description: 'The HTTP status, repeated in the body.', example: 400 })
  statusCode!: number;
  @ApiProperty({ description: "The status's reason phrase.", example: 'Bad Request' })
  error!: string;
  @ApiProperty({ description: 'What went wrong and what to do about it.', example: 'text: text should not be empty' })
  message!: string;
  @ApiPropertyOptional({
    description: 'Structured detail: one entry per invalid field on a validation 400, an object elsewhere (e.g. each failed check when not ready).',
    oneOf: [{ type: 'array', items: { $ref: getSchemaPath(FieldProblemDto) } }, { type: 'object', additionalProperties: true }],
    example: [{ field: 'text', messages: ['text should not be empty'] }],
  })
  details?: unknown;
  @ApiProperty({ description: 'Also in the X-Request-Id header and the log.', example: REQUEST_ID })
  requestId!: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: the message names each bad field',
  401: 'Missing or invalid API key',
  403: 'The key may not use this route (admin or platform only)',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Request body larger than BODY_LIMIT',
  429: 'Rate limit or project quota exceeded; see Retry-After',
  499: 'The client closed the request',
  503: 'Overloaded or not ready; see Retry-After when present',
  504: 'Timed out',
};

/** A typical error of each status, as the services throw it: examples go through the real error mapping. */
const SAMPLES: Record<number, () => unknown> = {
  400: () => new BadInputError('text: text should not be empty', [{ field: 'text', messages: ['text should not be empty'] }]),
  401: () => new UnauthorizedError('Missing API key: send Authorization: Bearer <key>'),
  403: () => new ForbiddenError('This route needs an admin API key'),
  404: () => new NotFoundError('No model named tiny-bert; GET /api/v1/models lists the installed models'),
  409: () => new ConflictError('Training of version 4 is still running; GET /api/v1/nlu/train/4'),
  413: () => new DomainError(413, 'payload_too_large', 'Request body is 2097152 bytes; the limit is 1048576 bytes (BODY_LIMIT)'),
  429: () => new ThrottlerException(),
  499: () => new CancelledError(),
  503: () => new OverloadedError('Model tiny-bert has 1024 requests waiting (limit 1024); retry shortly', 2),
  504: () => new TimeoutError('Model tiny-bert did not answer within 5000 ms'),
};

/** A typical error of `status` as the services throw it; `samples` may override some statuses. */
export function sampleError(status: number, samples: Record<number, () => unknown> = SAMPLES): unknown {
  const make = samples[status] ?? SAMPLES[status];
  if (!make) throw new Error(`No sample error for HTTP ${status}: add one to SAMPLES in api-errors.decorator.ts`);
  return make();
}

/** What the error filter answers on the native API for a typical error of `status` (through the real mapping). */
export function errorExample(status: number, message?: string, details?: unknown): ErrorBody {
  const e = normalizeError(sampleError(status));
  return nativeBody({ ...e, message: message ?? e.message, details: details ?? e.details }, REQUEST_ID);
}

/** Documents the error responses of a route in the one error shape. 429 is added everywhere rate limiting applies. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([...statuses, 429])].sort();
  return applyDecorators(
    ...all.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorResponseDto, example: errorExample(status) })),
  );
}

/** One error response with its own description and example message/details (e.g. readiness). */
export function ApiErrorResponse(status: number, options: { description: string; message?: string; details?: unknown }): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description: options.description, type: ErrorResponseDto, example: errorExample(status, options.message, options.details) });
}
