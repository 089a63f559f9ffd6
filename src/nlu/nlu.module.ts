import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { JobsModule } from '../jobs/jobs.module';
import { NerService } from './ner.service';
import { NluDataController } from './nlu-data.controller';
import { NluDataRepository } from './nlu-data.repository';
import { NluDataService } from './nlu-data.service';
import { NluModelSource } from './nlu-model-source';
import { NluModelsRepository } from './nlu-models.repository';
import { NluTrainingService } from './nlu-training.service';
import { NluController } from './nlu.controller';
import { NluExampleEntity, NluLookupEntity, NluModelEntity, NluRegexEntity, NluSynonymEntity } from './nlu.entities';
import { NluService } from './nlu.service';
import { NluSettingsController } from './nlu-settings.controller';
import { NluSettingsEntity } from './nlu-settings.entity';
import { NluSettingsRepository } from './nlu-settings.repository';
import { NluSettingsService } from './nlu-settings.service';
import { NluMetrics } from './nlu-metrics';

/** NLU: intents, entities and language in Chinese and English, trained on each project's own data. */
@Module({
  imports: [EmbeddingsModule, JobsModule, TypeOrmModule.forFeature([NluExampleEntity, NluLookupEntity, NluSynonymEntity, NluRegexEntity, NluModelEntity, NluSettingsEntity])],
  controllers: [NluController, NluDataController, NluSettingsController],
  providers: [
    NerService,
    NluService,
    NluModelSource,
    NluTrainingService,
    NluDataService,
    NluDataRepository,
    NluModelsRepository,
    NluSettingsRepository,
    NluSettingsService,
    NluMetrics,
  ],
  exports: [NluService],
})
export class NluModule {}
