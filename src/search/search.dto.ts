import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

const MODES = ['vector', 'keyword', 'hybrid'] as const;
const FILTER_EXAMPLE = { lang: 'zh', category: { in: ['returns', 'refunds'] }, updated: { gte: '2025-01-01' }, draft: { exists: false } };
const FILTER_DESCRIPTION =
  'Metadata conditions, ANDed: a scalar is equality (on an array field: contains), {"in": [...]}, ranges {"gt"|"gte"|"lt"|"lte": number or string}, {"exists": true|false}; dotted keys reach nested fields. With a filter, k results come back whenever k chunks match.';

export class RrfWeightsDto {
  /** @example 1 */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100)
  vector?: number;

  /** @example 1 */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100)
  keyword?: number;
}

export class SearchRequestDto {
  /** @example "怎么退货" */
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  @Matches(/\S/, { message: 'query must contain a non-whitespace character' })
  query!: string;

  /** Results wanted. @example 5 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  k?: number;

  /** vector: by meaning (the collection's encoder); keyword: full-text over jieba-segmented terms; hybrid (default): both fused by reciprocal rank fusion (k = 60). */
  @ApiPropertyOptional({ enum: MODES, example: 'hybrid' })
  @IsOptional()
  @IsIn(MODES)
  mode?: (typeof MODES)[number];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: FILTER_DESCRIPTION, example: FILTER_EXAMPLE })
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;

  /** Weights of the two rankings in hybrid fusion. */
  @IsOptional()
  @ValidateNested()
  @Type(() => RrfWeightsDto)
  weights?: RrfWeightsDto;

  /** Rerank the top candidates with an installed cross-encoder (400 when none is installed). @example false */
  @IsOptional()
  @IsBoolean()
  rerank?: boolean;

  /** The reranker; default RERANK_DEFAULT_MODEL. @example "bge-reranker-base" */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  rerankModel?: string;

  /**
   * HNSW candidate list of this query's index scan (pgvector hnsw.ef_search, Qdrant's hnsw_ef): higher finds more of the
   * true nearest neighbours, slower. Default SEARCH_HNSW_EF_SEARCH; never below k.
   * @example 100
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  efSearch?: number;

  /** Candidates handed to the reranker. Default max(3k, 20). @example 30 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  candidates?: number;
}

export class HitScoresDto {
  /** Cosine similarity. @example 0.82 */
  vector?: number;
  /** ts_rank_cd of the query terms. @example 0.1 */
  keyword?: number;
  /** Reciprocal rank fusion score (hybrid). @example 0.0328 */
  rrf?: number;
  /** Reranker relevance in (0, 1). @example 0.97 */
  rerank?: number;
}

export class SearchHitDto {
  /** @example "returns-policy" */
  documentId!: string;
  /** @example "42" */
  chunkId!: string;
  /** The chunk's position in its document. @example 0 */
  seq!: number;
  /** UTF-16 offset into the document, inclusive. @example 0 */
  start!: number;
  /** UTF-16 offset, exclusive. @example 21 */
  end!: number;
  /** @example "退货政策：商品签收后七天内可以无理由退货。" */
  text!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { lang: 'zh', category: 'returns' } })
  metadata!: Record<string, unknown>;
  /** The score results are ordered by: rerank if reranked, else rrf (hybrid), cosine (vector) or ts_rank_cd (keyword). @example 0.0328 */
  score!: number;
  /** The rankings that found it. @example ["vector", "keyword"] */
  @ApiProperty({ type: [String], enum: ['vector', 'keyword'], example: ['vector', 'keyword'] })
  foundBy!: string[];
  scores!: HitScoresDto;
}

export class SearchPlanDto {
  /** How vector candidates were found: hnsw, hnsw-iterative (filtered index scan), exact (selective filter), hnsw-iterative+exact (the index gave fewer than k). @example "hnsw" */
  @ApiPropertyOptional({ enum: ['hnsw', 'hnsw-iterative', 'exact', 'hnsw-iterative+exact'], example: 'hnsw' })
  vector?: string;
}

export class SearchResponseDto {
  /** @example "faq" */
  collection!: string;
  @ApiProperty({ enum: MODES, example: 'hybrid' })
  mode!: string;
  /** The collection's encoder. @example "llmos-lexical" */
  model!: string;
  /** The reranker used, null without rerank. @example null */
  @ApiPropertyOptional({ type: String, nullable: true, example: null })
  reranker!: string | null;
  plan!: SearchPlanDto;
  @ApiProperty({ type: [SearchHitDto] })
  results!: SearchHitDto[];
}

export class AnswerRequestDto {
  /** @example "退货要多久才能退款？" */
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  @Matches(/\S/, { message: 'question must contain a non-whitespace character' })
  question!: string;

  /** Sources retrieved (hybrid search) and given to the model. @example 4 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  k?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: FILTER_DESCRIPTION, example: { lang: 'zh' } })
  @IsOptional()
  @IsObject()
  filter?: Record<string, unknown>;

  /** Text-generation model; default GENERATION_DEFAULT_MODEL or the first loaded one. @example "Qwen2.5-0.5B-Instruct" */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string;

  /** @example 256 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(4096)
  maxTokens?: number;
}

export class AnswerSourceDto {
  /** The number the answer cites as [n]. @example 1 */
  n!: number;
  /** @example "returns-policy" */
  documentId!: string;
  /** @example "退款在三个工作日内原路返回。" */
  text!: string;
  /** @example 21 */
  start!: number;
  /** @example 35 */
  end!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { lang: 'zh' } })
  metadata!: Record<string, unknown>;
  /** @example 0.0328 */
  score!: number;
}

export class AnswerResponseDto {
  /** generative: written by a text-generation model from the sources; extractive: no generation model is installed, the answer is the best passage. */
  @ApiProperty({ enum: ['generative', 'extractive'], example: 'generative' })
  mode!: string;
  /** @example "退款会在三个工作日内原路返回 [1]。" */
  answer!: string;
  /** @example "Qwen2.5-0.5B-Instruct" */
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Qwen2.5-0.5B-Instruct' })
  model!: string | null;
  /** Sources the answer cites. @example [1] */
  citations!: number[];
  @ApiProperty({ type: [AnswerSourceDto] })
  sources!: AnswerSourceDto[];
}
