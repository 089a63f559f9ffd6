import { Inject, Injectable, Optional } from '@nestjs/common';
import { ProjectLifecycle } from '../projects/project-lifecycle';
import { decodeArtifact, ModelArtifact } from './algorithms/artifact';
import { decayedPopularity } from './algorithms/popularity';
import { eventWeight } from './algorithms/weights';
import { EventsRepository } from './events.repository';
import { CatalogEntry, ItemsRepository } from './items.repository';
import { ModelsRepository } from './models.repository';
import { REC_SETTINGS, RecSettings } from './rec-settings';

export interface Catalog {
  entries: CatalogEntry[];
  byId: Map<string, CatalogEntry>;
}

export interface ServedModel {
  version: number;
  artifact: ModelArtifact;
  index: Map<string, number>;
}

interface Cached<T> {
  value: T;
  at: number;
}

/**
 * What serving reuses between requests, per project: the catalog snapshot and popularity
 * (for REC_CACHE_TTL_MS, refreshed at once by writes through this replica) and the decoded
 * active model. Which version is active is asked of the database on every request, so a
 * version trained by any replica is served from the next request on.
 */
@Injectable()
export class RecCacheService {
  private readonly catalogs = new Map<string, Cached<Catalog>>();
  private readonly popular = new Map<string, Cached<Map<string, number>>>();
  private readonly models = new Map<string, ServedModel>();
  /** loads in flight, so that concurrent requests on a cold or expired entry share one query (no stampede) */
  private readonly loading = new Map<string, Promise<unknown>>();

  constructor(
    private readonly items: ItemsRepository,
    private readonly events: EventsRepository,
    private readonly versions: ModelsRepository,
    @Inject(REC_SETTINGS) private readonly settings: RecSettings,
    @Optional() lifecycle?: ProjectLifecycle,
  ) {
    lifecycle?.onDeleted('recommendation', (project) => this.forget(project));
  }

  async catalog(project: string): Promise<Catalog> {
    const hit = this.fresh(this.catalogs.get(project));
    if (hit) return hit;
    return this.once(`catalog:${project}`, this.catalogs, project, async () => {
      const entries = await this.items.catalog(project);
      return { entries, byId: new Map(entries.map((e) => [e.id, e])) };
    });
  }

  /** Decayed popularity of every item (events weighted by type). */
  async popularity(project: string): Promise<Map<string, number>> {
    const hit = this.fresh(this.popular.get(project));
    if (hit) return hit;
    return this.once(`popular:${project}`, this.popular, project, async () => {
      const rows = await this.events.popularityBuckets(project);
      const w = this.settings.weights;
      return decayedPopularity(
        rows.map((r) => ({ item: r.itemId, weight: eventWeight(r.type, r.count, r.valueSum, w), ts: r.ts })),
        Date.now(),
        this.settings.popularityHalfLifeMs,
      );
    });
  }

  /** The active version, decoded once per version; null before the first training. */
  async model(project: string): Promise<ServedModel | null> {
    const version = await this.versions.activeVersion(project);
    if (version === null) return null;
    const cached = this.models.get(project);
    if (cached?.version === version) return cached;
    const bytes = await this.versions.artifact(project, version);
    if (!bytes) return null;
    const artifact = decodeArtifact(bytes);
    const served = { version, artifact, index: new Map(artifact.items.map((id, i) => [id, i])) };
    this.models.set(project, served);
    return served;
  }

  catalogChanged(project: string): void {
    this.catalogs.delete(project);
    this.loading.delete(`catalog:${project}`);
  }

  eventsChanged(project: string): void {
    this.popular.delete(project);
    this.loading.delete(`popular:${project}`);
  }

  forget(project: string): void {
    this.catalogChanged(project);
    this.eventsChanged(project);
    this.models.delete(project);
  }

  /**
   * Loads an entry once however many requests ask for it meanwhile. A load started before a
   * write (catalogChanged, eventsChanged) is not stored: the next request loads afresh.
   */
  private once<T>(key: string, map: Map<string, Cached<T>>, project: string, load: () => Promise<T>): Promise<T> {
    const inflight = this.loading.get(key) as Promise<T> | undefined;
    if (inflight) return inflight;
    const started = Date.now();
    const p = load().then(
      (value) => {
        if (this.loading.get(key) === p) {
          map.set(project, { value, at: started });
          this.loading.delete(key);
        }
        return value;
      },
      (err: unknown) => {
        if (this.loading.get(key) === p) this.loading.delete(key);
        throw err;
      },
    );
    this.loading.set(key, p);
    return p;
  }

  private fresh<T>(c: Cached<T> | undefined): T | undefined {
    return c && Date.now() - c.at < this.settings.cacheTtlMs ? c.value : undefined;
  }
}
