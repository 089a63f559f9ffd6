import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal, Principal } from '../auth/principal';
import { clientAbortSignal } from '../common/abort';
import { ApiErrors } from '../common/api-errors.decorator';
import { InferRequestDto, InferResponseDto } from './infer.dto';
import { InferService } from './infer.service';
import { ModelDetailDto, ModelListDto, ModelStatusDto } from './models.dto';
import { ModelsService } from './models.service';

@ApiTags('models')
@ApiBearerAuth()
@Controller('api/v1/models')
export class ModelsController {
  constructor(
    private readonly models: ModelsService,
    private readonly inference: InferService,
  ) {}

  /** Every model the server knows (the model store and built-in models), with state and live stats, plus store folders that could not be used. */
  @Get()
  @ApiErrors(401)
  listModels(@CurrentPrincipal() p: Principal): ModelListDto {
    return this.models.list(p);
  }

  /** One model: task, files, inputs/outputs with shapes, execution provider actually used, replicas, batching and live stats. */
  @Get(':id')
  @ApiErrors(401, 404)
  getModel(@Param('id') id: string, @CurrentPrincipal() p: Principal): ModelDetailDto {
    return this.models.detail(id, p);
  }

  /** Loads (or hot-reloads) a model; requests in flight keep being served. Rescans the model store first, so a newly copied folder can be loaded. */
  @Post(':id/load')
  @HttpCode(200)
  @AdminOnly()
  @ApiErrors(401, 403, 404, 503)
  loadModel(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<ModelStatusDto> {
    return this.models.load(id, p);
  }

  /** Unloads a model after the requests already queued for it have finished. */
  @Post(':id/unload')
  @HttpCode(200)
  @AdminOnly()
  @ApiErrors(401, 403, 404)
  unloadModel(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<ModelStatusDto> {
    return this.models.unload(id, p);
  }

  /** Runs a model on JSON tensors through the shared pool (queued and batched with other requests). For operators checking a model; modules use the pool directly. */
  @Post(':id/infer')
  @HttpCode(200)
  @ApiErrors(400, 401, 404, 499, 503, 504)
  @ApiBody({
    type: InferRequestDto,
    examples: {
      zh: { summary: '编码器：一句话的 token ids（中文文本先经分词器）', value: { inputs: { input_ids: { type: 'int64', dims: [1, 4], data: [101, 872, 1962, 102] }, attention_mask: { type: 'int64', dims: [1, 4], data: [1, 1, 1, 1] } }, outputs: ['last_hidden_state'] } },
      en: { summary: 'Encoder: token ids of one sentence, with a deadline', value: { inputs: { input_ids: { type: 'int64', dims: [1, 3], data: [101, 7592, 102] }, attention_mask: { type: 'int64', dims: [1, 3], data: [1, 1, 1] } }, timeoutMs: 2000 } },
    },
  })
  inferModel(@Param('id') id: string, @Body() body: InferRequestDto, @CurrentPrincipal() p: Principal, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<InferResponseDto> {
    return this.inference.infer(this.models.ensureKnown(id, p), body, clientAbortSignal(req, res));
  }
}
