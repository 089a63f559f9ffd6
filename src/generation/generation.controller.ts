import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentProject } from '../auth/principal';
import { clientAbortSignal } from '../common/abort';
import { ApiErrors } from '../common/api-errors.decorator';
import { GenerateRequestDto, GenerateResponseDto, GenerationStatsDto } from './generation.dto';
import { NativeGenerationService } from './native-generation.service';

@ApiTags('generation')
@ApiBearerAuth()
@Controller('api/v1/generation')
export class GenerationController {
  constructor(private readonly native: NativeGenerationService) {}

  /** Generates text (continuous batching with other requests). With "stream": true the answer is text/event-stream, one JSON delta per event, ending with `data: [DONE]`. */
  @Post('generate')
  @HttpCode(200)
  @ApiOkResponse({ type: GenerateResponseDto })
  @ApiBody({ type: GenerateRequestDto, examples: { en: { summary: 'English prompt', value: { prompt: 'Hello, world!', max_tokens: 32, temperature: 0.7 } }, zh: { summary: '中文对话', value: { messages: [{ role: 'user', content: '我要订购一本小说，有什么推荐？' }], max_tokens: 64 } } } })
  @ApiErrors(400, 401, 404, 503)
  generate(@Body() body: GenerateRequestDto, @CurrentProject() project: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<GenerateResponseDto | void> {
    return this.native.generate(body, project, clientAbortSignal(req, res), res);
  }

  /** Live engine stats of a generation model: active and waiting sequences, KV cache use, finished sequences by reason. */
  @Get('stats')
  @ApiQuery({ name: 'model', required: false, example: 'gpt2' })
  @ApiErrors(401, 404, 503)
  generationStats(@Query('model') model?: string): Promise<GenerationStatsDto> {
    return this.native.stats(model);
  }
}
