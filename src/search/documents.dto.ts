import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

export class DocumentBodyDto {
  /** The document's text; empty or whitespace-only text is refused. @example "退货政策：商品签收后七天内可以无理由退货。退款在三个工作日内原路返回。" */
  @IsString()
  @MinLength(1)
  @MaxLength(2_000_000)
  @Matches(/\S/, { message: 'text must contain a non-whitespace character' })
  text!: string;

  /** Free-form attributes, filterable in search (equality, in, ranges, exists). */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { lang: 'zh', category: 'returns', updated: '2025-06-01' } })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class DocumentInputDto extends DocumentBodyDto {
  /** The caller's id, unique in the collection: sending it again replaces the document (the same content changes nothing). @example "returns-policy" */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(/^[^\p{Cc}]+$/u, { message: 'id must not contain control characters' })
  id!: string;
}

export class UpsertDocumentsDto {
  /** Up to SEARCH_MAX_DOCUMENTS_PER_REQUEST documents, written in one transaction. */
  @ApiProperty({
    type: [DocumentInputDto],
    example: [
      { id: 'returns-policy', text: '退货政策：商品签收后七天内可以无理由退货。', metadata: { lang: 'zh', category: 'returns' } },
      { id: 'shipping', text: 'Orders ship within 24 hours. Express delivery takes one to two days.', metadata: { lang: 'en', category: 'shipping' } },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => DocumentInputDto)
  documents!: DocumentInputDto[];
}

export class UpsertResultDto {
  /** @example ["shipping"] */
  created!: string[];
  /** Text or metadata changed. @example ["returns-policy"] */
  updated!: string[];
  /** Sent again with the same text and metadata: nothing was written. @example [] */
  unchanged!: string[];
  /** Chunks written (and embedded). @example 3 */
  chunks!: number;
}

export class ChunkSpanDto {
  /** @example 0 */
  seq!: number;
  /** UTF-16 offset into the document, inclusive. @example 0 */
  start!: number;
  /** UTF-16 offset, exclusive. @example 21 */
  end!: number;
  /** @example "退货政策：商品签收后七天内可以无理由退货。" */
  text!: string;
}

export class DocumentDto {
  /** @example "returns-policy" */
  id!: string;
  /** @example "退货政策：商品签收后七天内可以无理由退货。" */
  text!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { lang: 'zh', category: 'returns' } })
  metadata!: Record<string, unknown>;
  /** sha256 of the text and metadata. @example "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" */
  contentHash!: string;
  /** @example 1 */
  chunks!: number;
  createdAt!: Date;
  updatedAt!: Date;
}

export class DocumentDetailDto extends DocumentDto {
  @ApiProperty({ type: [ChunkSpanDto] })
  chunkSpans!: ChunkSpanDto[];
}

export class DocumentPageDto {
  @ApiProperty({ type: [DocumentDto] })
  items!: DocumentDto[];
  /** @example 1200 */
  total!: number;
  /** @example 50 */
  limit!: number;
  /** @example 0 */
  offset!: number;
}

export class DocumentListQueryDto {
  /** @example 50 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 50;

  /** @example 0 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset: number = 0;
}
