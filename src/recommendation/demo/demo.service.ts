import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DEFAULT_PROJECT } from '../../auth/principal';
import { CatalogService } from '../catalog.service';
import { EventsService } from '../events.service';
import { ItemsRepository } from '../items.repository';
import { REC_SETTINGS, RecSettings } from '../rec-settings';
import { TrainingService } from '../training.service';
import { DEMO_ITEMS, demoEvents } from './demo-data';

/**
 * REC_DEMO: on a start where the default project has no catalog, loads the demo catalog and
 * generated interactions and trains a first version in the background, so
 * GET /api/v1/recommendations/users/demo-user-0 answers out of the box. Off in tests.
 */
@Injectable()
export class DemoService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Recommendation');

  constructor(
    private readonly items: ItemsRepository,
    private readonly catalog: CatalogService,
    private readonly events: EventsService,
    private readonly training: TrainingService,
    @Inject(REC_SETTINGS) private readonly settings: RecSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.demo || (await this.items.count(DEFAULT_PROJECT)) > 0) return;
    try {
      await this.catalog.upsert(DEFAULT_PROJECT, DEMO_ITEMS);
      const ingested = await this.events.ingest(DEFAULT_PROJECT, demoEvents());
      await this.training.train(DEFAULT_PROJECT, {});
      this.logger.log(`Demo catalog loaded into the default project: ${DEMO_ITEMS.length} items, ${ingested.inserted} events; training a first model (REC_DEMO=false turns this off)`);
    } catch (err) {
      this.logger.error(`Could not load the demo catalog: ${(err as Error).message}`);
    }
  }
}
