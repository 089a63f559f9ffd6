import { Module } from '@nestjs/common';
import { GenerationModule } from '../generation/generation.module';
import { CompletionsController } from './completions.controller';
import { OpenAiModelsController } from './openai-models.controller';
import { OpenAiService } from './openai.service';

/** The OpenAI-compatible /v1 surface (errors in OpenAI's shape, see ErrorFilter). */
@Module({
  imports: [GenerationModule],
  controllers: [OpenAiModelsController, CompletionsController],
  providers: [OpenAiService],
})
export class OpenAiModule {}
