import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { JobsModule } from '../jobs/jobs.module';
import { NluModule } from '../nlu/nlu.module';
import { CatalogService } from './catalog.service';
import { DemoService } from './demo/demo.service';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';
import { ItemsController } from './items.controller';
import { ItemsRepository } from './items.repository';
import { ModelsRepository } from './models.repository';
import { ItemVectorsService } from './item-vectors.service';
import { RecCacheService } from './rec-cache.service';
import { RecGraphsService } from './rec-graphs.service';
import { REC_SETTINGS, recSettings } from './rec-settings';
import { QueryService } from './query.service';
import { RecommendService } from './recommend.service';
import { RecommendationsController } from './recommendations.controller';
import { TrainingService } from './training.service';

/** Catalog, users and events per project; item-item models trained as jobs; real-time serving and offline evaluation. */
@Module({
  imports: [EmbeddingsModule, NluModule, JobsModule],
  controllers: [ItemsController, RecommendationsController],
  providers: [
    { provide: REC_SETTINGS, useFactory: recSettings, inject: [AppConfig] },
    CatalogService,
    EventsService,
    RecommendService,
    QueryService,
    TrainingService,
    DemoService,
    RecCacheService,
    RecGraphsService,
    ItemVectorsService,
    ItemsRepository,
    EventsRepository,
    ModelsRepository,
  ],
  exports: [RecommendService, CatalogService, QueryService],
})
export class RecommendationModule {}
