import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import { SamplingFieldsDto } from '../openai/completions.dto';

export class GenerateRequestDto extends SamplingFieldsDto {
  /** Model id; default GENERATION_DEFAULT_MODEL or the first loaded text-generation model. @example "gpt2" */
  @ApiPropertyOptional({ example: 'gpt2' })
  @Allow()
  model?: string;

  /** Text to continue (give prompt or messages). @example "Hello, world!" */
  @ApiPropertyOptional({ example: 'Hello, world!' })
  @Allow()
  prompt?: string;

  /** A conversation, rendered with the model's chat template. @example [{"role":"user","content":"我要订购一本小说"}] */
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, example: [{ role: 'user', content: '我要订购一本小说' }] })
  @Allow()
  messages?: { role: string; content: string }[];

  /** Include per-token ids and logprobs in the answer. */
  @Allow() logprobs?: boolean | null;
  /** Alternatives per token, 0..20. */
  @Allow() top_logprobs?: number | null;
}

export class GeneratedTokenDto {
  /** @example 995 */
  id!: number;
  /** @example " world" */
  text!: string;
  /** @example -1.23 */
  logprob?: number;
}

export class GenerateChoiceDto {
  /** @example 0 */
  index!: number;
  /** @example " I am a language model." */
  text!: string;
  @ApiProperty({ enum: ['stop', 'length'], example: 'length' })
  finishReason!: string;
  /** Present when logprobs was asked for. */
  tokens?: GeneratedTokenDto[];
}

export class GenerateUsageDto {
  /** @example 4 */
  promptTokens!: number;
  /** @example 16 */
  completionTokens!: number;
}

export class GenerateResponseDto {
  /** @example "gpt2" */
  model!: string;
  choices!: GenerateChoiceDto[];
  usage!: GenerateUsageDto;
}

export class PrefixCacheStatsDto {
  /** Sequences whose prompt started with cached blocks. @example 42 */
  hits!: number;
  /** Sequences that found none. @example 7 */
  misses!: number;
  /** Prompt tokens taken from the cache instead of computed. @example 21504 */
  reusedTokens!: number;
  /** Blocks held. @example 96 */
  blocks!: number;
  /** Bytes held. @example 113246208 */
  bytes!: number;
  /** The budget (0 = off). @example 268435456 */
  limitBytes!: number;
  /** Blocks evicted, least recently used first. @example 0 */
  evictions!: number;
  /** Tokens per block. @example 16 */
  blockTokens!: number;
}

export class GenerationStatsDto {
  /** @example "gpt2" */
  model!: string;
  /** Sequences decoding now. @example 3 */
  active!: number;
  /** Sequences waiting for room. @example 0 */
  waiting!: number;
  /** KV cache in use. @example 7340032 */
  cacheBytes!: number;
  /** @example 2147483648 */
  cacheLimitBytes!: number;
  /** Columns of the batch cache. @example 57 */
  cacheLength!: number;
  /** Decode steps run. @example 1200 */
  steps!: number;
  /** @example 40 */
  prefills!: number;
  /** @example 5120 */
  tokensGenerated!: number;
  /** Finished sequences by reason. @example {"stop":12,"length":25,"cancelled":3} */
  finished!: Record<string, number>;
  /** The prefix cache (GENERATION_PREFIX_CACHE_MB). */
  prefixCache!: PrefixCacheStatsDto;
}
