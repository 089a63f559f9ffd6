import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { EVENT_TYPES } from './algorithms/types';

const bool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);
/** ?category=a,b or ?category=a&category=b */
const list = ({ value }: { value: unknown }) => (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : value) as unknown;

export class RecommendQueryDto {
  /** @example 10 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  k?: number;

  /** One or several categories (comma-separated or repeated); an item matches by its category or a sub-category. */
  @ApiPropertyOptional({ type: [String], example: ['books', 't-shirts'] })
  @IsOptional()
  @Transform(list)
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  category?: string[];

  /** @example 10 */
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  minPrice?: number;

  /** @example 200 */
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  maxPrice?: number;

  /** Leave out items the user has any event on (default true). @example true */
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  excludeSeen?: boolean;

  /** Add each item's sources and the user's items behind it ("because you bought X"). @example true */
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  explain?: boolean;

  /** Diversity: at most this many items of one category. @example 2 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  maxPerCategory?: number;
}

export class SourceShareDto {
  /** ease, itemknn, als, popularity, or content (an item newer than the model, by its text's similarity to the user's items). @example "ease" */
  source!: string;
  /** @example 0.82 */
  score!: number;
}

export class BecauseDto {
  /** @example "book-doupo" */
  itemId!: string;
  /** @example "斗破苍穹" */
  title!: string;
  @ApiProperty({ enum: EVENT_TYPES, example: 'purchase' })
  event!: string;
}

export class RecommendedItemDto {
  /** @example "tshirt-b" */
  itemId!: string;
  /** @example "T恤衫B (T-shirt B)" */
  title!: string;
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'clothing' })
  category!: string | null;
  @ApiPropertyOptional({ type: 'number', nullable: true, example: 69 })
  price!: number | null;
  /** Blended score (each source scaled to its best, times its weight). @example 0.91 */
  score!: number;
  /** With explain: what each source added. */
  sources?: SourceShareDto[];
  /** With explain: the user's items that lent the most (item-item sources), or the one a new item is most like (content). */
  because?: BecauseDto[];
}

export class RecommendationsDto {
  /** @example "alice" */
  userId!: string;
  @ApiProperty({ enum: ['personalized', 'popular'], example: 'personalized', description: 'popular: cold start, the user has no history the models know' })
  strategy!: string;
  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 3 })
  modelVersion!: number | null;
  items!: RecommendedItemDto[];
}

export class SimilarQueryDto {
  /** @example 10 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  k?: number;
}

export class SimilarItemsDto {
  /** @example "tshirt-a" */
  itemId!: string;
  @ApiProperty({ enum: ['itemknn', 'ease', 'content'], example: 'itemknn', description: 'content: the item is new to the model; its text is compared instead' })
  source!: string;
  items!: RecommendedItemDto[];
}

export class TrainRequestDto {
  /** Models to train (default all): the item-item models ease and itemknn, the factor model als. @example ["ease", "itemknn", "als"] */
  @ApiPropertyOptional({ type: [String], enum: ['ease', 'itemknn', 'als'], example: ['ease', 'itemknn', 'als'] })
  @IsOptional()
  @IsArray()
  @IsIn(['ease', 'itemknn', 'als'], { each: true })
  models?: ('ease' | 'itemknn' | 'als')[];

  /** Evaluate on a holdout first (default true): GET evaluate shows it. @example true */
  @IsOptional()
  @IsBoolean()
  evaluate?: boolean;

  @ApiPropertyOptional({ enum: ['random', 'time'], example: 'random', description: "time: each user's latest interactions are held out" })
  @IsOptional()
  @IsIn(['random', 'time'])
  holdout?: 'random' | 'time';

  /** Share of each user's interactions held out. @example 0.2 */
  @IsOptional()
  @IsNumber()
  @Min(0.05)
  @Max(0.5)
  holdoutFraction?: number;

  /** The k of the metrics. @example 10 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  k?: number;

  /** @example 1 */
  @IsOptional()
  @IsInt()
  seed?: number;
}

export class ModelVersionDto {
  /** @example 3 */
  version!: number;
  @ApiProperty({ enum: ['queued', 'training', 'ready', 'failed'], example: 'ready' })
  status!: string;
  /** @example true */
  active!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { models: ['ease', 'itemknn'], easeLambda: 250, neighbors: 300 } })
  params!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { phase: 'train:ease', done: 800, total: 2000 } })
  progress!: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, example: { k: 10, holdout: 'random', models: { popularity: { ndcg: 0.11 }, ease: { ndcg: 0.35 } } } })
  metrics!: Record<string, unknown> | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, example: { items: 2000, users: 5000, interactions: 180000, trainMs: 9100 } })
  stats!: Record<string, unknown> | null;
  @ApiPropertyOptional({ type: 'string', nullable: true, example: null })
  error!: string | null;
  createdAt!: Date;
  @ApiPropertyOptional({ type: Date, nullable: true })
  finishedAt!: Date | null;
}

export class TrainStartedDto {
  /** Follow it with GET /api/v1/jobs/{jobId} or GET /api/v1/recommendations/models/{version}. @example "3f2c8a6e-1d2b-4c5d-9e8f-0a1b2c3d4e5f" */
  jobId!: string;
  model!: ModelVersionDto;
}

export class EvaluateQueryDto {
  /** A version (default: the active one). @example 3 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}
