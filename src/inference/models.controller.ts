import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { ModelDetailDto, ModelListDto, ModelStatusDto } from './models.dto';
import { ModelsService } from './models.service';

@ApiTags('models')
@ApiBearerAuth()
@Controller('api/v1/models')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  /** Every model the server knows (the model store and built-in models), with state and live stats, plus store folders that could not be used. */
  @Get()
  @ApiErrors(401)
  listModels(): ModelListDto {
    return this.models.list();
  }

  /** One model: task, files, inputs/outputs with shapes, execution provider actually used, replicas, batching and live stats. */
  @Get(':id')
  @ApiErrors(401, 404)
  getModel(@Param('id') id: string): ModelDetailDto {
    return this.models.detail(id);
  }

  /** Loads (or hot-reloads) a model; requests in flight keep being served. Rescans the model store first, so a newly copied folder can be loaded. */
  @Post(':id/load')
  @HttpCode(200)
  @AdminOnly()
  @ApiErrors(401, 403, 404, 503)
  loadModel(@Param('id') id: string): Promise<ModelStatusDto> {
    return this.models.load(id);
  }

  /** Unloads a model after the requests already queued for it have finished. */
  @Post(':id/unload')
  @HttpCode(200)
  @AdminOnly()
  @ApiErrors(401, 403, 404)
  unloadModel(@Param('id') id: string): Promise<ModelStatusDto> {
    return this.models.unload(id);
  }
}
