import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { AnswerService } from './answer.service';
import { AnswerRequestDto, AnswerResponseDto, SearchRequestDto, SearchResponseDto } from './search.dto';
import { SearchService } from './search.service';

@ApiTags('search')
@ApiBearerAuth()
@Controller('api/v1/collections/:name')
export class SearchController {
  constructor(
    private readonly search: SearchService,
    private readonly answers: AnswerService,
  ) {}

  /** Vector, keyword (Chinese and English full-text) or hybrid search, with metadata filters and optional reranking. */
  @Post('search')
  @HttpCode(200)
  @ApiErrors(400, 401, 404, 409, 503)
  @ApiBody({
    type: SearchRequestDto,
    examples: {
      zh: { summary: '中文混合检索，按元数据过滤', value: { query: '退款要多久才能到账', k: 5, mode: 'hybrid', filter: { lang: 'zh', category: 'shop' } } },
      en: { summary: 'English vector search, reranked', value: { query: 'How fast is express delivery?', k: 3, mode: 'vector', rerank: true, candidates: 20 } },
      keyword: { summary: 'Keyword only, a price range', value: { query: '斗破苍穹', k: 10, mode: 'keyword', filter: { price: { lte: 100 } } } },
    },
  })
  searchCollection(@CurrentProject() project: string, @Param('name') name: string, @Body() body: SearchRequestDto): Promise<SearchResponseDto> {
    return this.search.search(project, name, body);
  }

  /** A grounded answer citing numbered sources from the collection; "extractive" (the best passages) when no text-generation model is installed. */
  @Post('answer')
  @HttpCode(200)
  @ApiErrors(400, 401, 404, 409, 503)
  @ApiBody({
    type: AnswerRequestDto,
    examples: {
      zh: { summary: '中文问答', value: { question: '签收后几天内可以退货？', k: 4, filter: { lang: 'zh' } } },
      en: { summary: 'English question', value: { question: 'How long does express delivery take?', k: 3 } },
    },
  })
  answerQuestion(@CurrentProject() project: string, @Param('name') name: string, @Body() body: AnswerRequestDto): Promise<AnswerResponseDto> {
    return this.answers.answer(project, name, body);
  }
}
