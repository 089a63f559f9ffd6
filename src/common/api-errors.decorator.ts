import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

/** The error body of the native API, for the OpenAPI document. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;
  @ApiProperty({ example: 'Bad Request' })
  error!: string;
  @ApiProperty({ example: 'text must be a string; text should not be empty' })
  message!: string;
  @ApiPropertyOptional({ description: 'Structured detail, e.g. one entry per invalid field', example: [{ field: 'text', messages: ['text should not be empty'] }] })
  details?: unknown;
  @ApiProperty({ example: '5f0c1d8e-8a43-4c4e-9a59-1f2b3c4d5e6f' })
  requestId!: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: the message names each bad field',
  401: 'Missing or invalid API key',
  403: 'The key may not use this route (admin only)',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Request body larger than BODY_LIMIT',
  429: 'Rate limit exceeded; see Retry-After',
  499: 'The client closed the request',
  503: 'Overloaded or not ready; see Retry-After when present',
  504: 'Timed out',
};

/** Documents the error responses of a route in the one error shape. 429 is added everywhere rate limiting applies. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([...statuses, 429])].sort();
  return applyDecorators(...all.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorResponseDto })));
}
