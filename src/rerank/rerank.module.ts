import { Module } from '@nestjs/common';
import { RerankController } from './rerank.controller';
import { RerankService } from './rerank.service';

/** Cross-encoder reranking: RerankService for other modules (search), POST /v1/rerank. */
@Module({
  controllers: [RerankController],
  providers: [RerankService],
  exports: [RerankService],
})
export class RerankModule {}
