import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

/**
 * OpenAI's embeddings request. Fields are only whitelisted here: their values are checked
 * by OpenAiEmbeddingsService, which names the OpenAI `param` at fault in its errors.
 */
export class EmbeddingRequestDto {
  /** An encoder id: llmos-lexical (built-in) or a feature-extraction model of the store (GET /api/v1/models). @example "llmos-lexical" */
  @ApiProperty({ example: 'llmos-lexical' })
  @Allow()
  model!: string;

  /** A text, an array of texts, an array of token ids, or an array of token-id arrays (token ids only for models with a tokenizer). */
  @ApiProperty({
    oneOf: [
      { type: 'string' },
      { type: 'array', items: { type: 'string' } },
      { type: 'array', items: { type: 'integer' } },
      { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
    ],
    example: ['今天北京天气怎么样？', 'What is the weather like in Beijing today?'],
  })
  @Allow()
  input!: string | string[] | number[] | number[][];

  /** float (default): arrays of numbers; base64: the float32 values little-endian, base64-encoded (what the openai client asks for). */
  @ApiPropertyOptional({ enum: ['float', 'base64'] })
  @Allow()
  encoding_format?: 'float' | 'base64' | null;

  /** Fewer dimensions (first k, renormalized) for models that allow it (Matryoshka; the built-in encoder does). @example 128 */
  @Allow() dimensions?: number | null;

  /** Not in OpenAI's API: apply the model's query or passage prefix (e5 "query: ", bge's instruction). */
  @ApiPropertyOptional({ enum: ['query', 'passage'] })
  @Allow()
  input_type?: 'query' | 'passage' | null;

  /** End-user id (recorded nowhere; accepted for compatibility). */
  @Allow() user?: string | null;
}

export class EmbeddingDto {
  @ApiProperty({ enum: ['embedding'] })
  object!: 'embedding';
  /** Position of the input. @example 0 */
  index!: number;
  /** The unit-length vector (or its base64 string with encoding_format base64). */
  @ApiProperty({ oneOf: [{ type: 'array', items: { type: 'number' } }, { type: 'string' }], example: [0.0123, -0.0456, 0.0789] })
  embedding!: number[] | string;
}

export class EmbeddingUsageDto {
  /** Tokens read (word tokens for the built-in encoder). @example 12 */
  prompt_tokens!: number;
  /** @example 12 */
  total_tokens!: number;
}

export class EmbeddingResponseDto {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';
  data!: EmbeddingDto[];
  /** @example "llmos-lexical" */
  model!: string;
  usage!: EmbeddingUsageDto;
  /** Not in OpenAI's API: indices of inputs cut to max_tokens (their tail was not read). @example [] */
  truncated!: number[];
  /** Not in OpenAI's API: the most tokens the model reads per input. @example 512 */
  max_tokens!: number;
}
