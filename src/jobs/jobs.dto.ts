import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export class JobDto {
  /** @example "3f2c8a6e-1d2b-4c5d-9e8f-0a1b2c3d4e5f" */
  id!: string;
  /** What the job does. @example "search.reindex" */
  kind!: string;
  /** What it works on (a collection name, a model id). @example "faq" */
  subject!: string;
  @ApiProperty({ enum: STATUSES, example: 'running' })
  status!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { phase: 'embedding', done: 1200, total: 5000 } })
  input!: Record<string, unknown>;
  /** Kind-specific progress, updated while it runs. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { phase: 'embedding', done: 1200, total: 5000 } })
  progress!: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, example: { chunks: 5000, model: 'llmos-lexical', dim: 256 } })
  result!: Record<string, unknown> | null;
  /** Why it failed. @example null */
  @ApiPropertyOptional({ type: 'string', nullable: true, example: null })
  error!: string | null;
  /** Runs started so far (more than one when a replica died while it ran and another took it over). @example 1 */
  attempts!: number;
  createdAt!: Date;
  @ApiPropertyOptional({ type: Date, nullable: true })
  startedAt!: Date | null;
  @ApiPropertyOptional({ type: Date, nullable: true })
  finishedAt!: Date | null;
}

export class JobListQueryDto {
  /** Only jobs of this kind. @example "search.reindex" */
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9._-]{1,64}$/)
  kind?: string;

  /** @example 20 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}
