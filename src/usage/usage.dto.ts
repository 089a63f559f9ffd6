import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';

const GRANULARITIES = ['hour', 'day'] as const;

const METRICS_EXAMPLE = { 'requests.nlu': 3, 'nlu.parses': 5, 'requests.openai': 2, 'tokens.prompt': 24, 'tokens.generated': 32 };

export class UsageQueryDto {
  /** Start of the range (ISO 8601; without a zone: UTC), rounded down to the granularity. Default: 24 hours before `to`. @example "2026-12-01T00:00:00Z" */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or date-time, e.g. 2026-12-01T00:00:00Z' })
  from?: string;

  /** End of the range, exclusive (ISO 8601; without a zone: UTC), rounded up to the granularity. Default: now. @example "2026-12-02T00:00:00Z" */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or date-time, e.g. 2026-12-02T00:00:00Z' })
  to?: string;

  /** Bucket size, in UTC: hour (default; at most 31 days per report) or day (at most 366 days). */
  @IsOptional()
  @IsIn(GRANULARITIES)
  @ApiPropertyOptional({ enum: GRANULARITIES, example: 'hour' })
  granularity?: (typeof GRANULARITIES)[number];
}

export class UsageBucketDto {
  /** Start of the bucket (UTC). @example "2026-12-01T09:00:00.000Z" */
  start!: string;

  /** Counters of the bucket by metric name (docs/usage.md); metrics with nothing counted are left out. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: METRICS_EXAMPLE })
  metrics!: Record<string, number>;
}

export class UsageReportDto {
  /** The project the counters belong to. @example "shop" */
  project!: string;

  @ApiProperty({ enum: GRANULARITIES, example: 'hour' })
  granularity!: (typeof GRANULARITIES)[number];

  /** The range covered, from inclusive (after rounding). @example "2026-12-01T00:00:00.000Z" */
  from!: string;

  /** The range covered, to exclusive (after rounding). @example "2026-12-02T00:00:00.000Z" */
  to!: string;

  /** Buckets with anything counted, oldest first; empty buckets are left out. */
  buckets!: UsageBucketDto[];

  /** Every metric summed over the range. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: METRICS_EXAMPLE })
  totals!: Record<string, number>;
}
