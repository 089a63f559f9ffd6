import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentProject } from '../auth/principal';
import { clientAbortSignal } from '../common/abort';
import { ChatCompletionRequestDto, ChatCompletionResponseDto, CompletionRequestDto, CompletionResponseDto } from './completions.dto';
import { ApiOpenAiErrors } from './openai-errors.decorator';
import { OpenAiService } from './openai.service';

const STREAM_NOTE = 'With "stream": true the answer is text/event-stream: one `data: {chunk}` per event, ending with `data: [DONE]`.';

@ApiTags('openai')
@ApiBearerAuth()
@ApiOpenAiErrors({
  400: 'Invalid request; error.param names the field',
  401: 'Missing or invalid API key',
  404: 'Unknown model',
  429: 'Rate limited',
  503: 'No generation model installed, or overloaded (Retry-After)',
})
@Controller('v1')
export class CompletionsController {
  constructor(private readonly openai: OpenAiService) {}

  /** OpenAI-compatible text completion. */
  @Post('completions')
  @HttpCode(200)
  @ApiBody({ type: CompletionRequestDto, examples: { en: { summary: 'English', value: { model: 'gpt2', prompt: 'Hello, world!', max_tokens: 16 } }, zh: { summary: '中文', value: { model: 'gpt2', prompt: '今天的天气', max_tokens: 16, stream: true } } } })
  @ApiOkResponse({ type: CompletionResponseDto, description: STREAM_NOTE })
  createCompletion(@Body() body: CompletionRequestDto, @CurrentProject() project: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<CompletionResponseDto | void> {
    return this.openai.completions(body, project, clientAbortSignal(req, res), res);
  }

  /** OpenAI-compatible chat completion (messages rendered with the model's chat template). */
  @Post('chat/completions')
  @HttpCode(200)
  @ApiBody({
    type: ChatCompletionRequestDto,
    examples: {
      en: { summary: 'English', value: { model: 'gpt2', messages: [{ role: 'user', content: 'Hello, world!' }] } },
      zh: { summary: '中文', value: { model: 'gpt2', messages: [{ role: 'system', content: '你是一个书店助手。' }, { role: 'user', content: '我正在浏览T恤衫，请推荐一些' }], stream: true } },
      en_json_schema: { summary: 'English, structured output (json_schema)', value: { model: 'gpt2', messages: [{ role: 'user', content: 'Extract the order: two novels, gift wrapped' }], response_format: { type: 'json_schema', json_schema: { name: 'order', strict: true, schema: { type: 'object', properties: { item: { type: 'string' }, count: { type: 'integer' }, gift: { type: 'boolean' } }, required: ['item', 'count', 'gift'], additionalProperties: false } } } } },
      zh_tools: { summary: '中文，工具调用', value: { model: 'gpt2', messages: [{ role: 'user', content: '北京今天天气怎么样？' }], tools: [{ type: 'function', function: { name: 'get_weather', description: '查询城市天气', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }], tool_choice: 'auto' } },
    },
  })
  @ApiOkResponse({ type: ChatCompletionResponseDto, description: STREAM_NOTE })
  createChatCompletion(@Body() body: ChatCompletionRequestDto, @CurrentProject() project: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<ChatCompletionResponseDto | void> {
    return this.openai.chat(body, project, clientAbortSignal(req, res), res);
  }
}
