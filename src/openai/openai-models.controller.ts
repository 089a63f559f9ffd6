import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '../common/errors';
import { InferencePool, ModelStatus } from '../inference/inference-pool.service';
import { OpenAiModelDto, OpenAiModelListDto } from './openai.dto';
import { ApiOpenAiErrors } from './openai-errors.decorator';

/** Tasks served by the /v1 surface: completions and chat, embeddings (store encoders and the built-in one), rerank. */
const OPENAI_TASKS = new Set(['text-generation', 'feature-extraction', 'hashing-encoder', 'rerank']);

const toModel = (m: ModelStatus): OpenAiModelDto => ({
  id: m.id,
  object: 'model',
  created: Math.floor((m.loadedAt?.getTime() ?? Date.now()) / 1000),
  owned_by: m.source === 'builtin' ? 'llm-os' : 'model-store',
});

@ApiTags('openai')
@ApiBearerAuth()
@ApiOpenAiErrors({ 401: 'Missing or invalid API key', 429: 'Rate limited' })
@Controller('v1/models')
export class OpenAiModelsController {
  constructor(private readonly pool: InferencePool) {}

  /** OpenAI-compatible list of the models usable on /v1 (text generation, embeddings, rerank). */
  @Get()
  listOpenAiModels(): OpenAiModelListDto {
    this.pool.rescan();
    return { object: 'list', data: this.pool.list().filter((m) => OPENAI_TASKS.has(m.task)).map(toModel) };
  }

  /** OpenAI-compatible model lookup. */
  @Get(':model')
  @ApiOpenAiErrors({ 404: 'Unknown model' })
  getOpenAiModel(@Param('model') model: string): OpenAiModelDto {
    const m = this.pool.has(model) ? this.pool.status(model) : undefined;
    if (!m || !OPENAI_TASKS.has(m.task)) throw new NotFoundError(`The model \`${model}\` does not exist`, { param: 'model' });
    return toModel(m);
  }
}
