import { Module } from '@nestjs/common';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { GenerationModule } from '../generation/generation.module';
import { JobsModule } from '../jobs/jobs.module';
import { RerankModule } from '../rerank/rerank.module';
import { AnswerService } from './answer.service';
import { ChunksRepository } from './chunks.repository';
import { CollectionsController } from './collections.controller';
import { CollectionsRepository } from './collections.repository';
import { CollectionsService } from './collections.service';
import { DocumentsController } from './documents.controller';
import { DocumentsRepository } from './documents.repository';
import { DocumentsService } from './documents.service';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';

/** Collections, documents and chunks per project; vector, keyword and hybrid search; grounded answers. */
@Module({
  imports: [EmbeddingsModule, RerankModule, GenerationModule, JobsModule],
  controllers: [CollectionsController, DocumentsController, SearchController],
  providers: [CollectionsService, DocumentsService, SearchService, AnswerService, CollectionsRepository, DocumentsRepository, ChunksRepository],
  exports: [SearchService, AnswerService, CollectionsService, DocumentsService],
})
export class SearchModule {}
