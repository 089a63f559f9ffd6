import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
