import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { JobDto } from '../jobs/jobs.dto';
import { CollectionDto, CreateCollectionDto, ReindexRequestDto } from './collections.dto';
import { CollectionsService } from './collections.service';

@ApiTags('search')
@ApiBearerAuth()
@Controller('api/v1/collections')
export class CollectionsController {
  constructor(private readonly collections: CollectionsService) {}

  /** Creates a collection; its embedding model and dimension stay fixed (reindex changes them). */
  @Post()
  @AdminOnly()
  @ApiErrors(400, 401, 403, 404, 409)
  @ApiBody({
    type: CreateCollectionDto,
    examples: {
      zh: { summary: '中文常见问题库', value: { name: 'faq-zh', description: '商城常见问题：退货、物流、会员', chunkTokens: 128, chunkOverlap: 16 } },
      en: { summary: 'English manuals', value: { name: 'manuals', description: 'Product manuals in English', model: 'llmos-lexical', dimensions: 128 } },
    },
  })
  createCollection(@CurrentProject() project: string, @Body() body: CreateCollectionDto): Promise<CollectionDto> {
    return this.collections.create(project, body);
  }

  /** The project's collections with document and chunk counts. */
  @Get()
  @ApiErrors(401)
  listCollections(@CurrentProject() project: string): Promise<CollectionDto[]> {
    return this.collections.list(project);
  }

  @Get(':name')
  @ApiErrors(401, 404)
  getCollection(@CurrentProject() project: string, @Param('name') name: string): Promise<CollectionDto> {
    return this.collections.describe(project, name);
  }

  /** Deletes a collection with its documents, chunks and index. */
  @Delete(':name')
  @HttpCode(204)
  @AdminOnly()
  @ApiErrors(401, 403, 404, 409)
  async deleteCollection(@CurrentProject() project: string, @Param('name') name: string): Promise<void> {
    await this.collections.remove(project, name);
  }

  /** Re-embeds every chunk (optionally with another model) as a background job; GET /api/v1/jobs/{id} follows it. Searches and writes get 409 meanwhile. */
  @Post(':name/reindex')
  @HttpCode(202)
  @AdminOnly()
  @ApiErrors(400, 401, 403, 404, 409)
  @ApiBody({
    type: ReindexRequestDto,
    examples: {
      zh: { summary: '用集合原来的模型重新嵌入', value: {} },
      en: { summary: 'Move to another model and dimension', value: { model: 'llmos-lexical', dimensions: 128 } },
    },
  })
  reindexCollection(@CurrentProject() project: string, @Param('name') name: string, @Body() body: ReindexRequestDto): Promise<JobDto> {
    return this.collections.reindex(project, name, body);
  }
}
