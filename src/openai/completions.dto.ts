import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

/**
 * Sampling fields shared by /v1/completions and /v1/chat/completions. Fields are only
 * whitelisted here: their values are checked by the generation core, which names the
 * OpenAI `param` at fault in its errors.
 */
export class SamplingFieldsDto {
  /** Most tokens to generate. Completions default to 16 (as OpenAI), chat to GENERATION_DEFAULT_MAX_TOKENS. @example 32 */
  @Allow() max_tokens?: number | null;
  /** 0..2; 0 is greedy. @example 0.7 */
  @Allow() temperature?: number | null;
  /** Nucleus sampling mass, (0, 1]. @example 0.9 */
  @Allow() top_p?: number | null;
  /** Keep the k most likely tokens (0 = off). Not in OpenAI's API; as in vLLM. @example 50 */
  @Allow() top_k?: number | null;
  /** Drop tokens below min_p x the best token's probability. vLLM extra. */
  @Allow() min_p?: number | null;
  /** Number of choices. @example 1 */
  @Allow() n?: number | null;
  /** Stream Server-Sent Events ending in `data: [DONE]`. */
  @Allow() stream?: boolean | null;
  /** `{ "include_usage": true }` adds a final chunk with usage. */
  @Allow() stream_options?: { include_usage?: boolean } | null;
  /** Up to 4 strings; the text stops before them (not included). */
  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], example: ['\n\n'] })
  @Allow()
  stop?: string | string[] | null;
  /** Token ids that end the text (EOS from generation_config.json is always one). vLLM extra. */
  @Allow() stop_token_ids?: number[] | null;
  /** Keep going past EOS. vLLM extra. */
  @Allow() ignore_eos?: boolean | null;
  /** -2..2, penalises tokens that appeared. */
  @Allow() presence_penalty?: number | null;
  /** -2..2, penalises tokens by how often they appeared. */
  @Allow() frequency_penalty?: number | null;
  /** > 0, Hugging Face's repetition penalty over prompt and output (1 = off). */
  @Allow() repetition_penalty?: number | null;
  /** Same seed, same sampled text. @example 42 */
  @Allow() seed?: number | null;
  /** Token id -> bias (-100..100). */
  @Allow() logit_bias?: Record<string, number> | null;
  /** End-user id (recorded nowhere; accepted for compatibility). */
  @Allow() user?: string | null;
  /** false forces greedy decoding (Hugging Face flag). */
  @Allow() do_sample?: boolean | null;
}

export class CompletionRequestDto extends SamplingFieldsDto {
  /** A generation model id (GET /v1/models). @example "gpt2" */
  @ApiProperty({ example: 'gpt2' })
  @Allow()
  model!: string;

  /** The text to continue (or token ids). @example "Hello, world!" */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'integer' } }], example: 'Hello, world!' })
  @Allow()
  prompt!: string | number[];

  /** Return this many alternatives' logprobs per token (0..20). */
  @Allow() logprobs?: number | null;
  /** Prepend the prompt to the text. */
  @Allow() echo?: boolean | null;
  /** Not supported (insertion); must be null. */
  @Allow() suffix?: string | null;
  /** Not supported beyond 1. */
  @Allow() best_of?: number | null;
}

export class ChatMessageDto {
  /** @example "user" */
  @ApiProperty({ enum: ['system', 'developer', 'user', 'assistant', 'tool'] })
  role!: string;
  /** Text, or a list of {type: "text", text} parts. @example "今天的天气怎么样？" */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }] })
  content!: string | { type: 'text'; text: string }[];
  name?: string;
}

export class ChatCompletionRequestDto extends SamplingFieldsDto {
  /** @example "gpt2" */
  @ApiProperty({ example: 'gpt2' })
  @Allow()
  model!: string;

  /** The conversation; rendered with the model's chat template (tokenizer_config.json) or the documented default. */
  @ApiProperty({ type: [ChatMessageDto], example: [{ role: 'user', content: 'Hello, world!' }] })
  @Allow()
  messages!: ChatMessageDto[];

  /** OpenAI's newer name for max_tokens. */
  @Allow() max_completion_tokens?: number | null;
  /** Return logprobs of the chosen tokens. */
  @Allow() logprobs?: boolean | null;
  /** Alternatives per token, 0..20 (needs logprobs). */
  @Allow() top_logprobs?: number | null;
  /** Not supported: tool calling. Requests with tools are refused with 400. */
  @Allow() tools?: unknown[] | null;
  @Allow() tool_choice?: unknown;
  /** Only {"type":"text"} is supported. */
  @Allow() response_format?: { type: string } | null;
}

export class UsageDto {
  /** @example 4 */
  prompt_tokens!: number;
  /** @example 16 */
  completion_tokens!: number;
  /** @example 20 */
  total_tokens!: number;
}

export class CompletionChoiceDto {
  /** @example " I am a language model" */
  text!: string;
  /** @example 0 */
  index!: number;
  /** Token logprobs when asked for. */
  logprobs!: Record<string, unknown> | null;
  @ApiProperty({ enum: ['stop', 'length'], example: 'length' })
  finish_reason!: string;
}

export class CompletionResponseDto {
  /** @example "cmpl-5f0c1d8e8a434c4e9a591f2b" */
  id!: string;
  @ApiProperty({ enum: ['text_completion'] })
  object!: 'text_completion';
  /** @example 1764288000 */
  created!: number;
  /** @example "gpt2" */
  model!: string;
  choices!: CompletionChoiceDto[];
  usage!: UsageDto;
}

export class ChatResponseMessageDto {
  @ApiProperty({ enum: ['assistant'] })
  role!: 'assistant';
  /** @example "Hello! How can I help you today?" */
  content!: string;
  @ApiProperty({ type: String, nullable: true, example: null })
  refusal!: string | null;
}

export class ChatChoiceDto {
  /** @example 0 */
  index!: number;
  message!: ChatResponseMessageDto;
  logprobs!: Record<string, unknown> | null;
  @ApiProperty({ enum: ['stop', 'length'], example: 'stop' })
  finish_reason!: string;
}

export class ChatCompletionResponseDto {
  /** @example "chatcmpl-5f0c1d8e8a434c4e9a591f2b" */
  id!: string;
  @ApiProperty({ enum: ['chat.completion'] })
  object!: 'chat.completion';
  /** @example 1764288000 */
  created!: number;
  /** @example "gpt2" */
  model!: string;
  choices!: ChatChoiceDto[];
  usage!: UsageDto;
}
