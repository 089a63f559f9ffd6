import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from '../auth/auth.module';
import { ClusterModule } from '../cluster/cluster.module';
import { ErrorFilter } from '../common/error.filter';
import { validationPipe } from '../common/validation';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { DataModule } from '../data/data.module';
import { DialogueModule } from '../dialogue/dialogue.module';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { HealthModule } from '../health/health.module';
import { GenerationModule } from '../generation/generation.module';
import { InferenceModule } from '../inference/inference.module';
import { OpenAiModule } from '../openai/openai.module';
import { MetricsModule } from '../metrics/metrics.module';
import { NluModule } from '../nlu/nlu.module';
import { ProjectsModule } from '../projects/projects.module';
import { RecommendationModule } from '../recommendation/recommendation.module';
import { RerankModule } from '../rerank/rerank.module';
import { SearchModule } from '../search/search.module';
import { UsageModule } from '../usage/usage.module';
import { loggerOptions } from './logging';

/** The whole application: shared capabilities first, then feature modules. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        DataModule,
        ClusterModule,
        MetricsModule,
        HealthModule,
        ProjectsModule,
        AuthModule,
        InferenceModule,
        EmbeddingsModule,
        NluModule,
        GenerationModule,
        OpenAiModule,
        RerankModule,
        SearchModule,
        RecommendationModule,
        DialogueModule,
        UsageModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_PIPE, useValue: validationPipe() },
      ],
    };
  }
}
