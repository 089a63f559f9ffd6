import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export class CreateCollectionDto {
  /** Unique in the project: letters, digits, _ and -, up to 64. @example "faq" */
  @IsString()
  @Matches(COLLECTION_NAME, { message: 'name must be 1-64 letters, digits, _ or -, starting with a letter or digit' })
  name!: string;

  /** @example "客服常见问题 / customer-service FAQ" */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  /** Encoder id (GET /v1/models lists them); fixed for the collection's life (change it with reindex). Default EMBEDDINGS_DEFAULT_MODEL. @example "llmos-lexical" */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string;

  /** Fewer dimensions than the model's (Matryoshka models only). @example 256 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(16000)
  dimensions?: number;

  /** Most tokens (words; jieba words for Chinese) per chunk; chunks end at sentence ends. Default min(128, the model's max length). @example 128 */
  @IsOptional()
  @IsInt()
  @Min(8)
  @Max(8192)
  chunkTokens?: number;

  /** Tokens of whole sentences repeated at the start of the next chunk (at most). Default min(16, chunkTokens/4). @example 16 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4096)
  chunkOverlap?: number;
}

export class CollectionDto {
  /** @example "6b1f8c1e-3d2a-4f5b-8c7d-9e0f1a2b3c4d" */
  id!: string;
  /** @example "default" */
  projectId!: string;
  /** @example "faq" */
  name!: string;
  /** @example "客服常见问题 / customer-service FAQ" */
  description!: string;
  /** The encoder its vectors come from. @example "llmos-lexical" */
  model!: string;
  /** Dimension of its vectors. @example 256 */
  dim!: number;
  /** The dimensions asked for at creation (Matryoshka), null for the model's own. @example null */
  @ApiPropertyOptional({ type: Number, nullable: true, example: null })
  requestedDim!: number | null;
  /** @example 128 */
  chunkTokens!: number;
  /** @example 16 */
  chunkOverlap!: number;
  /** reindexing: searches and writes get 409 until the job has finished. */
  @ApiProperty({ enum: ['ready', 'reindexing'], example: 'ready' })
  status!: string;
  /** The last re-index job. @example null */
  @ApiPropertyOptional({ type: String, nullable: true, example: null })
  jobId!: string | null;
  /** @example 1200 */
  documents!: number;
  /** @example 3400 */
  chunks!: number;
  createdAt!: Date;
  updatedAt!: Date;
}

/** Re-embed with `model` instead of the collection's own (e.g. after installing a better one), optionally with Matryoshka `dimensions`. */
export class ReindexRequestDto extends PickType(CreateCollectionDto, ['model', 'dimensions'] as const) {}
