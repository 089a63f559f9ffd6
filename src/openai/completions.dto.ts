import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

export class JsonSchemaFormatDto {
  /** @example "weather" */
  @ApiProperty({ example: 'weather' })
  name!: string;
  /** A JSON Schema (supported keywords: docs/generation.md). @example {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]} */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } })
  schema?: Record<string, unknown>;
  /** Accepted; the output always follows the schema here. @example true */
  strict?: boolean | null;
}

export class ResponseFormatDto {
  @ApiProperty({ enum: ['text', 'json_object', 'json_schema'], example: 'json_schema' })
  type!: 'text' | 'json_object' | 'json_schema';
  json_schema?: JsonSchemaFormatDto;
}

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
  /**
   * Structured output by constrained decoding: {"type":"text"} (default), {"type":"json_object"} (any JSON object) or
   * {"type":"json_schema","json_schema":{"name","schema","strict"}}; the output then always parses and validates against the
   * schema unless max_tokens ends it first (finish_reason "length"). Unsupported schema keywords are a 400 naming them.
   */
  @ApiPropertyOptional({ type: () => ResponseFormatDto })
  @Allow()
  response_format?: ResponseFormatDto | null;
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

export class ToolCallFunctionDto {
  /** @example "get_weather" */
  name!: string;
  /** The arguments as a JSON string. @example "{\"city\": \"北京\"}" */
  arguments!: string;
}

export class ToolCallDto {
  /** @example "call_8f3a0c5e2b7d4e1f9a6c3b2d" */
  id!: string;
  @ApiProperty({ enum: ['function'] })
  type!: 'function';
  function!: ToolCallFunctionDto;
}

export class ChatMessageDto {
  /** @example "user" */
  @ApiProperty({ enum: ['system', 'developer', 'user', 'assistant', 'tool'] })
  role!: string;
  /** Text, or a list of {type: "text", text} parts; null for an assistant message that only calls tools. @example "今天的天气怎么样？" */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }], nullable: true })
  content!: string | { type: 'text'; text: string }[] | null;
  name?: string;
  /** An assistant's earlier tool calls (sent back with the tool results). */
  tool_calls?: ToolCallDto[];
  /** On role "tool": the id of the call this message answers. @example "call_8f3a0c5e2b7d4e1f9a6c3b2d" */
  tool_call_id?: string;
}

export class FunctionDefinitionDto {
  /** @example "get_weather" */
  name!: string;
  /** @example "查询城市天气 / Current weather of a city" */
  description?: string;
  /** JSON Schema of the arguments (same keywords as response_format). @example {"type":"object","properties":{"city":{"type":"string"}},"required":["city"]} */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  parameters?: Record<string, unknown>;
}

export class ToolDto {
  @ApiProperty({ enum: ['function'] })
  type!: 'function';
  function!: FunctionDefinitionDto;
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
  /** Functions the model may call; rendered through the model's chat template (or a Hermes-style system prompt) and parsed from `<tool_call>` blocks. */
  @ApiPropertyOptional({ type: [ToolDto] })
  @Allow()
  tools?: ToolDto[] | null;
  /** "auto" (default), "none" (tools neither shown nor parsed), "required" (at least one call, forced by constrained decoding) or {"type":"function","function":{"name"}}. */
  @ApiPropertyOptional({ oneOf: [{ type: 'string', enum: ['auto', 'none', 'required'] }, { type: 'object', properties: { type: { type: 'string', enum: ['function'] }, function: { type: 'object', properties: { name: { type: 'string' } } } } }], example: 'auto' })
  @Allow()
  tool_choice?: unknown;
  /** With "required": allow several calls in one answer (default true). */
  @Allow() parallel_tool_calls?: boolean | null;
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
  @ApiProperty({ type: String, nullable: true })
  content!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null })
  refusal!: string | null;
  /** The calls the model made (then finish_reason is "tool_calls" and content may be null). */
  tool_calls?: ToolCallDto[];
}

export class ChatChoiceDto {
  /** @example 0 */
  index!: number;
  message!: ChatResponseMessageDto;
  logprobs!: Record<string, unknown> | null;
  @ApiProperty({ enum: ['stop', 'length', 'tool_calls'], example: 'stop' })
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
