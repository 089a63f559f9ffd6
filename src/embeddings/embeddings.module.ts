import { Module } from '@nestjs/common';
import { EmbeddingsController } from './embeddings.controller';
import { EmbeddingsService } from './embeddings.service';
import { OpenAiEmbeddingsService } from './openai-embeddings.service';

/** Text -> vectors: the built-in lexical encoder and installed feature-extraction models; POST /v1/embeddings. */
@Module({
  controllers: [EmbeddingsController],
  providers: [EmbeddingsService, OpenAiEmbeddingsService],
  exports: [EmbeddingsService],
})
export class EmbeddingsModule {}
