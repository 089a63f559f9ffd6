import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { BulkEventsDto, EventDto, IngestResultDto } from './events.dto';
import { EventsService } from './events.service';
import { EvaluateQueryDto, ModelVersionDto, RecommendationsDto, RecommendQueryDto, TrainRequestDto, TrainStartedDto } from './recommend.dto';
import { RecommendService } from './recommend.service';
import { QueryRecommendationsDto, RecommendationQueryDto } from './query.dto';
import { QueryService } from './query.service';
import { TrainingService } from './training.service';

@ApiTags('recommendation')
@ApiBearerAuth()
@Controller('api/v1/recommendations')
export class RecommendationsController {
  constructor(
    private readonly recommend: RecommendService,
    private readonly events: EventsService,
    private readonly training: TrainingService,
    private readonly queries: QueryService,
  ) {}

  /** Recommendations for a user from their current history (events a second old count, no retraining needed); a new user gets popular items, in the requested categories. */
  @Get('users/:id')
  @ApiErrors(400, 401)
  recommendForUser(@CurrentProject() project: string, @Param('id') id: string, @Query() q: RecommendQueryDto): Promise<RecommendationsDto> {
    return this.recommend.forUser(project, id, q);
  }

  /** Recommendations for a text ("我正在浏览T恤衫，请推荐一些", "recommend some books like 斗破苍穹"): category and product words from the project's NLU entities and catalog names, content similarity, and the user's profile when userId is given; each item says which words matched. */
  @Post('query')
  @HttpCode(200)
  @ApiBody({
    type: RecommendationQueryDto,
    examples: {
      zh: { summary: '浏览T恤衫的顾客', value: { text: '我正在浏览T恤衫，请推荐一些', userId: 'u1', k: 3 } },
      en: { summary: 'Books like one the shopper names', value: { text: 'recommend some books like 斗破苍穹', k: 5 } },
    },
  })
  @ApiErrors(400, 401)
  queryRecommendations(@CurrentProject() project: string, @Body() body: RecommendationQueryDto): Promise<QueryRecommendationsDto> {
    return this.queries.query(project, body);
  }

  /** Records one event (idempotent by id); the answer means it is committed. */
  @Post('events')
  @ApiBody({
    type: EventDto,
    examples: {
      zh: { summary: '顾客购买了《斗破苍穹》', value: { id: 'evt-20250601-0001', userId: '张三', itemId: 'book-doupo', type: 'purchase', timestamp: '2025-06-01T08:30:00+08:00' } },
      en: { summary: 'A shopper rates a T-shirt 4 of 5', value: { id: 'evt-20250601-0002', userId: 'alice', itemId: 'tshirt-a', type: 'rating', value: 4 } },
    },
  })
  @ApiErrors(400, 401)
  postRecEvent(@CurrentProject() project: string, @Body() body: EventDto): Promise<IngestResultDto> {
    return this.events.ingest(project, [body]);
  }

  /** Records many events: the whole request is checked first (an unknown item or bad entry is a 400 listing the entries at fault, and nothing is written), then written in transactions of REC_EVENT_BATCH_SIZE; duplicates by event id are ignored and counted. */
  @Post('events/bulk')
  @ApiBody({
    type: BulkEventsDto,
    examples: {
      zh: {
        summary: '一位顾客浏览、加购并购买T恤衫',
        value: {
          events: [
            { id: 'zh-1', userId: '李四', itemId: 'tshirt-a', type: 'view', timestamp: '2025-06-01T10:00:00+08:00' },
            { id: 'zh-2', userId: '李四', itemId: 'tshirt-a', type: 'add_to_cart', timestamp: '2025-06-01T10:01:00+08:00' },
            { id: 'zh-3', userId: '李四', itemId: 'tshirt-a', type: 'purchase', timestamp: '2025-06-01T10:05:00+08:00' },
            { id: 'zh-4', userId: '李四', itemId: 'tshirt-c', type: 'dislike' },
          ],
        },
      },
      en: {
        summary: 'Ratings imported from another system (MovieLens style)',
        value: {
          events: [
            { id: 'ml-196-242', userId: '196', itemId: '242', type: 'rating', value: 3, timestamp: '1997-12-04T15:55:49Z' },
            { id: 'ml-186-302', userId: '186', itemId: '302', type: 'rating', value: 3, timestamp: '1998-04-04T19:22:22Z' },
            { id: 'ml-22-377', userId: '22', itemId: '377', type: 'rating', value: 1, timestamp: '1997-11-07T07:18:36Z' },
          ],
        },
      },
    },
  })
  @ApiErrors(400, 401, 413)
  postRecEvents(@CurrentProject() project: string, @Body() body: BulkEventsDto): Promise<IngestResultDto> {
    return this.events.ingest(project, body.events);
  }

  /** Trains a new model version as a background job (evaluated on a holdout first); when it is ready it becomes the active one. 409 while a version trains. */
  @Post('train')
  @HttpCode(202)
  @AdminOnly()
  @ApiBody({
    type: TrainRequestDto,
    examples: {
      zh: { summary: '训练全部模型并按时间留出评估', value: { evaluate: true, holdout: 'time', holdoutFraction: 0.2, k: 10 } },
      en: { summary: 'Retrain EASE only, without evaluation (fast)', value: { models: ['ease'], evaluate: false } },
    },
  })
  @ApiErrors(400, 401, 403, 409)
  async trainRecModel(@CurrentProject() project: string, @Body() body: TrainRequestDto): Promise<TrainStartedDto> {
    const { version, jobId } = await this.training.train(project, body);
    return { jobId, model: version };
  }

  /** Model versions, newest first. */
  @Get('models')
  @AdminOnly()
  @ApiErrors(401, 403)
  listRecModels(@CurrentProject() project: string): Promise<ModelVersionDto[]> {
    return this.training.list(project);
  }

  @Get('models/:version')
  @AdminOnly()
  @ApiErrors(400, 401, 403, 404)
  getRecModel(@CurrentProject() project: string, @Param('version', ParseIntPipe) version: number): Promise<ModelVersionDto> {
    return this.training.version(project, version);
  }

  /** Offline evaluation of a version (default: the active one): precision, recall, NDCG, MAP at k and coverage of each model, their blend and the popularity baseline on the same holdout. */
  @Get('evaluate')
  @AdminOnly()
  @ApiErrors(400, 401, 403, 404)
  evaluateRecModels(@CurrentProject() project: string, @Query() q: EvaluateQueryDto): Promise<ModelVersionDto> {
    return this.training.evaluation(project, q.version);
  }
}
