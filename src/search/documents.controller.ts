import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { CurrentProject } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { DocumentBodyDto, DocumentDetailDto, DocumentListQueryDto, DocumentPageDto, UpsertDocumentsDto, UpsertResultDto } from './documents.dto';
import { DocumentsService } from './documents.service';

@ApiTags('search')
@ApiBearerAuth()
@Controller('api/v1/collections/:name/documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  /** Upserts documents by id in one transaction: chunked, embedded, indexed; the same content again changes nothing. */
  @Post()
  @HttpCode(200)
  @ApiErrors(400, 401, 404, 409, 413)
  @ApiBody({
    type: UpsertDocumentsDto,
    examples: {
      zh: { summary: '中文文档', value: { documents: [{ id: 'returns', text: '退货政策：商品签收后七天内可以无理由退货。退款在三个工作日内原路返回。', metadata: { lang: 'zh', category: 'shop' } }] } },
      en: { summary: 'English documents', value: { documents: [{ id: 'shipping', text: 'Orders ship within 24 hours. Express delivery takes one to two days.', metadata: { lang: 'en', category: 'shop' } }, { id: 'warranty', text: 'Every device has a two-year warranty.', metadata: { lang: 'en', category: 'service' } }] } },
    },
  })
  upsertDocuments(@CurrentProject() project: string, @Param('name') name: string, @Body() body: UpsertDocumentsDto): Promise<UpsertResultDto> {
    return this.documents.upsert(project, name, body.documents.map((d) => ({ id: d.id, text: d.text, metadata: d.metadata ?? {} })));
  }

  /** Documents by id, paged. */
  @Get()
  @ApiErrors(400, 401, 404)
  listDocuments(@CurrentProject() project: string, @Param('name') name: string, @Query() query: DocumentListQueryDto): Promise<DocumentPageDto> {
    return this.documents.list(project, name, query.limit, query.offset);
  }

  /** A document with its chunks' offsets. */
  @Get(':id')
  @ApiErrors(401, 404)
  getDocument(@CurrentProject() project: string, @Param('name') name: string, @Param('id') id: string): Promise<DocumentDetailDto> {
    return this.documents.get(project, name, id);
  }

  /** Creates or replaces the document with this id. */
  @Put(':id')
  @ApiErrors(400, 401, 404, 409)
  @ApiBody({
    type: DocumentBodyDto,
    examples: {
      zh: { summary: '替换一篇中文文档', value: { text: '会员政策：包年会员购书一律八折。', metadata: { lang: 'zh', category: 'membership' } } },
      en: { summary: 'Replace an English document', value: { text: 'Annual members get 20% off every book.', metadata: { lang: 'en', category: 'membership' } } },
    },
  })
  putDocument(@CurrentProject() project: string, @Param('name') name: string, @Param('id') id: string, @Body() body: DocumentBodyDto): Promise<DocumentDetailDto> {
    return this.documents.put(project, name, id, body);
  }

  /** Deletes a document and its chunks. */
  @Delete(':id')
  @HttpCode(204)
  @ApiErrors(401, 404)
  async deleteDocument(@CurrentProject() project: string, @Param('name') name: string, @Param('id') id: string): Promise<void> {
    await this.documents.remove(project, name, id);
  }
}
