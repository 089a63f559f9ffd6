import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { clientAbortSignal } from '../common/abort';
import { ApiOpenAiErrors } from '../openai/openai-errors.decorator';
import { RerankRequestDto, RerankResponseDto } from './rerank.dto';
import { RerankService } from './rerank.service';

@ApiTags('openai')
@ApiBearerAuth()
@ApiOpenAiErrors({
  400: 'Invalid request (empty query, no documents, too many documents, top_n < 1, a model that is not a reranker); error.param names the field',
  401: 'Missing or invalid API key',
  404: 'Unknown model; the message lists the installed rerankers',
  429: 'Rate limited',
  503: 'No reranker installed or loaded, or overloaded (Retry-After)',
})
@Controller('v1')
export class RerankController {
  constructor(private readonly rerank: RerankService) {}

  /** Ranks documents by relevance to a query with a cross-encoder (Jina / Cohere / TEI / vLLM rerank API). */
  @Post('rerank')
  @HttpCode(200)
  @ApiBody({
    type: RerankRequestDto,
    examples: {
      en: { summary: 'English', value: { model: 'bge-reranker-base', query: 'What is the capital of China?', documents: ['Beijing is the capital of China.', 'The Yangtze is the longest river in China.', 'Pizza is an Italian dish.'], top_n: 2 } },
      zh: { summary: '中文', value: { model: 'bge-reranker-base', query: '中国的首都是哪里？', documents: [{ text: '北京是中国的首都。' }, { text: '长江是中国最长的河流。' }, { text: '今天天气晴朗。' }], return_documents: true } },
    },
  })
  @ApiOkResponse({ type: RerankResponseDto })
  createRerank(@Body() body: RerankRequestDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<RerankResponseDto> {
    return this.rerank.respond(body, clientAbortSignal(req, res));
  }
}
