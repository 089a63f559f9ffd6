import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { DeletedDto, EvaluateRequestDto, EvaluationReportDto, ParseBatchRequestDto, ParseRequestDto, ParseResultDto, TrainJobDto } from './nlu.dto';
import { NluTrainingService } from './nlu-training.service';
import { TrainOptionsDto } from './train-options.dto';
import { NluService } from './nlu.service';

@ApiTags('nlu')
@ApiBearerAuth()
@Controller('api/v1/nlu')
export class NluController {
  constructor(
    private readonly nlu: NluService,
    private readonly training: NluTrainingService,
  ) {}

  /** Intent (with confidence and top-5 ranking), entities with character offsets, language, out-of-scope flag, from the project's active model (409 when the project has none: import data, then train). */
  @Post('parse')
  @HttpCode(200)
  @ApiBody({ type: ParseRequestDto, examples: { zh: { summary: '中文', value: { text: '今天的天气怎么样？' } }, en: { summary: 'English', value: { text: "What's the weather like in Shanghai tomorrow?" } } } })
  @ApiErrors(400, 401, 409, 503)
  parse(@CurrentProject() project: string, @Body() body: ParseRequestDto): Promise<ParseResultDto> {
    return this.nlu.parse(body.text, body.lang, { minConfidence: body.minConfidence, project });
  }

  /** Parses up to 64 texts with one model run. */
  @Post('parse/batch')
  @HttpCode(200)
  @ApiBody({ type: ParseBatchRequestDto, examples: { zh: { summary: '中文', value: { texts: ['我要订购一本小说', '《斗破苍穹》', '今天的天气怎么样？'] } }, en: { summary: 'English', value: { texts: ['I want to order a novel', 'I am browsing t-shirts, any recommendations?'] } } } })
  @ApiErrors(400, 401, 409, 503)
  parseBatch(@CurrentProject() project: string, @Body() body: ParseBatchRequestDto): Promise<ParseResultDto[]> {
    return this.nlu.parseBatch(body.texts, body.lang, { minConfidence: body.minConfidence, project });
  }

  /** Trains a new model version from the stored data in a child process; it replaces the served one atomically when done, unless `activate` is false or a version was activated explicitly meanwhile (the job's `note` then says so). Poll GET train/{jobId}. */
  @Post('train')
  @HttpCode(202)
  @AdminOnly()
  @ApiBody({ type: TrainOptionsDto, required: false, examples: { zh: { summary: '默认设置（训练完即上线）', value: {} }, en: { summary: 'Train without serving', value: { activate: false, seed: 42 } } } })
  @ApiErrors(400, 401, 403, 409)
  train(@CurrentProject() project: string, @Body() body: TrainOptionsDto = {}): Promise<TrainJobDto> {
    return this.training.train(project, body ?? {});
  }

  /** Progress (phase, epoch, loss, validation accuracy) and, when done, metrics of a training job. */
  @Get('train/:jobId')
  @ApiErrors(400, 401, 404)
  trainingJob(@CurrentProject() project: string, @Param('jobId', ParseIntPipe) jobId: number): Promise<TrainJobDto> {
    return this.training.job(project, jobId);
  }

  /** Every trained version with its metrics; `active` marks the one serving. */
  @Get('models')
  @ApiErrors(401)
  nluModels(@CurrentProject() project: string): Promise<TrainJobDto[]> {
    return this.training.list(project);
  }

  /** Serves a stored version again (rollback), atomically. */
  @Post('models/:version/activate')
  @HttpCode(200)
  @AdminOnly()
  @ApiErrors(400, 401, 403, 404, 409)
  activateNluModel(@CurrentProject() project: string, @Param('version', ParseIntPipe) version: number): Promise<TrainJobDto> {
    return this.training.activate(project, version);
  }

  @Delete('models/:version')
  @AdminOnly()
  @ApiOperation({ summary: 'Deletes a trained NLU model version', description: 'Removes the version, its metrics and its artifact files. The active version is refused with 409 (activate another one first), so is one still training; an unknown version is a 404.' })
  @ApiErrors(400, 401, 403, 404, 409)
  deleteNluModel(@CurrentProject() project: string, @Param('version', ParseIntPipe) version: number): Promise<DeletedDto> {
    return this.training.deleteVersion(project, version);
  }

  /** Held-out or k-fold evaluation of the current data: accuracy, macro-F1, per-intent precision/recall, confusion matrix, out-of-scope recall, entity precision/recall/F1 per type. Trains temporary models (seconds to a minute). */
  @Post('evaluate')
  @HttpCode(200)
  @AdminOnly()
  @ApiErrors(400, 401, 403, 409)
  @ApiBody({
    type: EvaluateRequestDto,
    examples: {
      zh: { summary: '留出法：20% 作测试集', value: { mode: 'holdout', testFraction: 0.2, seed: 7 } },
      en: { summary: '5-fold cross-validation', value: { mode: 'kfold', folds: 5 } },
    },
  })
  evaluate(@CurrentProject() project: string, @Body() body: EvaluateRequestDto): Promise<EvaluationReportDto> {
    return this.training.evaluate(project, body.mode ?? 'holdout', body) as unknown as Promise<EvaluationReportDto>;
  }
}
