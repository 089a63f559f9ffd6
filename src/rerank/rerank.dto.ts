import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

/**
 * `POST /v1/rerank` in the Jina / Cohere shape that vLLM and TEI also serve. Fields are
 * only whitelisted here; RerankService checks their values and names the `param` at fault.
 */
export class RerankRequestDto {
  /** An installed reranker (GET /v1/models); omitted = RERANK_DEFAULT_MODEL. @example "bge-reranker-base" */
  @ApiPropertyOptional({ example: 'bge-reranker-base' })
  @Allow()
  model?: string;

  /** The text the documents are ranked against. @example "What is the capital of China?" */
  @ApiProperty({ example: 'What is the capital of China?' })
  @Allow()
  query!: string;

  /** The documents to rank (at most RERANK_MAX_DOCUMENTS), as strings or { text } objects. */
  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ type: 'string' }, { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }] },
    example: ['Beijing is the capital of China.', 'The Yangtze is the longest river in China.'],
  })
  @Allow()
  documents!: (string | { text: string })[];

  /** Return only the n best (>= 1); all when omitted or larger than the list. @example 3 */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, example: 3 })
  @Allow()
  top_n?: number;

  /** Include each document's text in its result (default false, as Cohere v2 and TEI). */
  @ApiPropertyOptional({ type: Boolean, default: false })
  @Allow()
  return_documents?: boolean;
}

export class RerankDocumentDto {
  /** @example "Beijing is the capital of China." */
  text!: string;
}

export class RerankResultDto {
  /** Position of the document in the request. @example 0 */
  index!: number;
  /** sigmoid of the model's logit, in (0, 1); results are sorted by it, best first. @example 0.982 */
  relevance_score!: number;
  /** With return_documents: true. */
  document?: RerankDocumentDto;
}

export class RerankUsageDto {
  /** Tokens of all (query, document) pairs, special tokens included, after truncation. @example 42 */
  total_tokens!: number;
}

export class RerankResponseDto {
  /** @example "rerank-0b8f6a2e-1c7d-4d8e-9a51-3f0c2b7e6d10" */
  id!: string;
  /** @example "bge-reranker-base" */
  model!: string;
  results!: RerankResultDto[];
  usage!: RerankUsageDto;
}
