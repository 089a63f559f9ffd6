import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
  searchCollection(@CurrentProject() project: string, @Param('name') name: string, @Body() body: SearchRequestDto): Promise<SearchResponseDto> {
    return this.search.search(project, name, body);
  }

  /** A grounded answer citing numbered sources from the collection; "extractive" (the best passages) when no text-generation model is installed. */
  @Post('answer')
  @HttpCode(200)
  @ApiErrors(400, 401, 404, 409, 503)
  answerQuestion(@CurrentProject() project: string, @Param('name') name: string, @Body() body: AnswerRequestDto): Promise<AnswerResponseDto> {
    return this.answers.answer(project, name, body);
  }
}
