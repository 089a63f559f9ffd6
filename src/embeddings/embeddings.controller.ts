import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentProject } from '../auth/principal';
import { ApiOpenAiErrors } from '../openai/openai-errors.decorator';
import { EmbeddingRequestDto, EmbeddingResponseDto } from './embeddings.dto';
import { OpenAiEmbeddingsService } from './openai-embeddings.service';

@ApiTags('openai')
@ApiBearerAuth()
@ApiOpenAiErrors({
  400: 'Invalid request (empty input, too many inputs, token ids for a model without a tokenizer, dimensions not allowed); error.param names the field',
  401: 'Missing or invalid API key',
  404: 'Unknown embedding model',
  429: 'Rate limited',
  503: 'The model is not loaded (the message says how), or overloaded (Retry-After)',
})
@Controller('v1')
export class EmbeddingsController {
  constructor(private readonly embeddings: OpenAiEmbeddingsService) {}

  /** OpenAI-compatible embeddings: unit-length vectors from the built-in lexical encoder or an installed feature-extraction model. */
  @Post('embeddings')
  @HttpCode(200)
  @ApiBody({
    type: EmbeddingRequestDto,
    examples: {
      zh: { summary: '中文', value: { model: 'llmos-lexical', input: ['今天北京天气怎么样？', '明天上海会下雨吗'] } },
      en: { summary: 'English', value: { model: 'llmos-lexical', input: 'What is the weather like in Beijing today?', dimensions: 128 } },
      base64: { summary: 'base64 (as the openai client sends)', value: { model: 'llmos-lexical', input: ['你好', 'hello'], encoding_format: 'base64' } },
    },
  })
  @ApiOkResponse({ type: EmbeddingResponseDto })
  createEmbedding(@Body() body: EmbeddingRequestDto, @CurrentProject() project: string): Promise<EmbeddingResponseDto> {
    return this.embeddings.create(body, project);
  }
}
