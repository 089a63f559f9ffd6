import { Module } from '@nestjs/common';
import { OpenAiModelsController } from './openai-models.controller';

/** The OpenAI-compatible /v1 surface (errors in OpenAI's shape, see ErrorFilter). */
@Module({ controllers: [OpenAiModelsController] })
export class OpenAiModule {}
