import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '../common/errors';
import { InferencePool, ModelStatus } from '../inference/inference-pool.service';
import { OpenAiErrorDto, OpenAiModelDto, OpenAiModelListDto } from './openai.dto';

/** Tasks served by the /v1 surface. */
const OPENAI_TASKS = new Set(['text-generation']);

const toModel = (m: ModelStatus): OpenAiModelDto => ({
  id: m.id,
  object: 'model',
  created: Math.floor((m.loadedAt?.getTime() ?? Date.now()) / 1000),
  owned_by: m.source === 'builtin' ? 'llm-os' : 'model-store',
});

@ApiTags('openai')
@ApiBearerAuth()
@ApiResponse({ status: 401, type: OpenAiErrorDto, description: 'Missing or invalid API key' })
@ApiResponse({ status: 429, type: OpenAiErrorDto, description: 'Rate limited' })
@Controller('v1/models')
export class OpenAiModelsController {
  constructor(private readonly pool: InferencePool) {}

  /** OpenAI-compatible list of the models usable on /v1 (text generation). */
  @Get()
  listOpenAiModels(): OpenAiModelListDto {
    this.pool.rescan();
    return { object: 'list', data: this.pool.list().filter((m) => OPENAI_TASKS.has(m.task)).map(toModel) };
  }

  /** OpenAI-compatible model lookup. */
  @Get(':model')
  @ApiResponse({ status: 404, type: OpenAiErrorDto })
  getOpenAiModel(@Param('model') model: string): OpenAiModelDto {
    const m = this.pool.has(model) ? this.pool.status(model) : undefined;
    if (!m || !OPENAI_TASKS.has(m.task)) throw new NotFoundError(`The model \`${model}\` does not exist`, { param: 'model' });
    return toModel(m);
  }
}
