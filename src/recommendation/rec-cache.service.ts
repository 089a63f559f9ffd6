import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ProjectLifecycle } from '../projects/project-lifecycle';
import { itemGram } from './algorithms/als';
import { decodeArtifact, ModelArtifact } from './algorithms/artifact';
import { DecayedSums } from './algorithms/popularity';
import { eventWeight } from './algorithms/weights';
import { EventsRepository } from './events.repository';
import { CatalogEntry, ItemsRepository } from './items.repository';
import { ModelsRepository } from './models.repository';
import { REC_SETTINGS, RecSettings } from './rec-settings';
import type { EventInput, HistoryEvent } from './rec.types';

export interface Catalog {
  entries: CatalogEntry[];
  byId: Map<string, CatalogEntry>;
}

export interface ServedModel {
  version: number;
  artifact: ModelArtifact;
  index: Map<string, number>;
  /** Y^T Y of each factor model, what every user re-solve starts from */
  grams: Record<string, Float64Array>;
}

/** A version as served: the decoded artifact, its item index and the factor models' Gram matrices. */
export function servedModel(version: number, artifact: ModelArtifact): ServedModel {
  const grams = Object.fromEntries(Object.entries(artifact.factors ?? {}).map(([name, f]) => [name, itemGram(f)]));
  return { version, artifact, index: new Map(artifact.items.map((id, i) => [id, i])), grams };
}

interface Cached<T> {
  value: T;
  at: number;
}

/** A project's popularity: decayed sums kept up to date by ingestion, recomputed from all events now and then. */
interface Popularity {
  sums: DecayedSums;
  loadedAt: number;
  /** the positive scores served; rebuilt after a change */
  view: Map<string, number> | null;
  refreshing: boolean;
  /** events added while a recomputation was in flight: added again on top of its result */
  pending: EventInput[];
}

/**
 * What serving reuses between requests, per project, so that a request normally touches no
 * database at all:
 * - the catalog snapshot and the active version number, refreshed in the background after
 *   REC_CACHE_TTL_MS (requests get the cached value meanwhile) and at once by this replica's
 *   writes and trainings; the decoded artifact of the active version;
 * - popularity: decayed sums computed from all events once, then kept up to date by this
 *   replica's ingestion (each new event added with its weight and time) and recomputed in the
 *   background every REC_POPULARITY_REFRESH_MS (other replicas' events);
 * - users' histories (REC_HISTORY_CACHE_MS, REC_HISTORY_CACHE_USERS, least recently served
 *   dropped first); an event ingested through this replica drops its user's entry, so the
 *   next request reads the history again and sees it (real time).
 * Concurrent requests on a cold entry share one load (no stampede); a load started before a
 * write is not stored.
 */
@Injectable()
export class RecCacheService {
  private readonly logger = new Logger('Recommendation');
  private readonly catalogs = new Map<string, Cached<Catalog>>();
  private readonly activeVersions = new Map<string, Cached<number | null>>();
  private readonly models = new Map<string, ServedModel>();
  private readonly decoding = new Map<string, Promise<ServedModel | null>>();
  private readonly popular = new Map<string, Popularity>();
  private readonly popularLoads = new Map<string, { promise: Promise<Popularity>; pending: EventInput[] }>();
  /** project \0 user -> history; Map order is the LRU order (a hit moves the entry to the end) */
  private readonly histories = new Map<string, Cached<HistoryEvent[]>>();
  /** per warm-up in flight, the users whose events arrived meanwhile (it does not store them) */
  private readonly warming = new Set<Set<string>>();
  /** loads in flight, so that concurrent requests on a cold or expired entry share one query */
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
    return this.staleWhileRefresh(`catalog:${project}`, this.catalogs, project, async () => {
      const entries = await this.items.catalog(project);
      return { entries, byId: new Map(entries.map((e) => [e.id, e])) };
    });
  }

  /** The active version, decoded once per version; null before the first training. */
  async model(project: string): Promise<ServedModel | null> {
    const version = await this.staleWhileRefresh(`active:${project}`, this.activeVersions, project, () => this.versions.activeVersion(project));
    if (version === null) return null;
    const cached = this.models.get(project);
    if (cached?.version === version) return cached;
    const key = `${project}\u0000${version}`;
    const inflight = this.decoding.get(key);
    if (inflight) return inflight;
    const p = this.versions
      .artifact(project, version)
      .then((bytes) => {
        if (!bytes) return null;
        const model = servedModel(version, decodeArtifact(bytes));
        if (this.decoding.get(key) === p) this.models.set(project, model);
        return model;
      })
      .finally(() => {
        if (this.decoding.get(key) === p) this.decoding.delete(key);
      });
    this.decoding.set(key, p);
    return p;
  }

  /**
   * Decayed popularity of every item with a positive score (events weighted by type). Only the
   * first request of a project waits for the computation; later ones get the current sums.
   */
  async popularity(project: string): Promise<Map<string, number>> {
    const state = this.popular.get(project) ?? (await this.loadPopularity(project));
    const refresh = this.settings.popularityRefreshMs;
    if (refresh > 0 && !state.refreshing && Date.now() - state.loadedAt >= refresh) this.refreshPopularity(project, state);
    state.view ??= state.sums.positive(Date.now());
    return state.view;
  }

  /** A user's latest REC_HISTORY_LIMIT events, newest first (shared: not to be modified). */
  async history(project: string, userId: string): Promise<HistoryEvent[]> {
    const limit = this.settings.historyLimit;
    if (this.settings.historyCacheMs === 0) return this.events.history(project, userId, limit);
    const key = `${project}\u0000${userId}`;
    const hit = this.histories.get(key);
    if (hit && Date.now() - hit.at < this.settings.historyCacheMs) {
      this.histories.delete(key);
      this.histories.set(key, hit);
      return hit.value;
    }
    const loadKey = `history:${key}`;
    const inflight = this.loading.get(loadKey) as Promise<HistoryEvent[]> | undefined;
    if (inflight) return inflight;
    const started = Date.now();
    // stored unless an event of the user was ingested meanwhile (eventsAdded drops the load)
    const p: Promise<HistoryEvent[]> = this.events.history(project, userId, limit).then(
      (value) => {
        if (this.loading.get(loadKey) === p) {
          this.loading.delete(loadKey);
          this.storeHistory(key, value, started);
        }
        return value;
      },
      (err: unknown) => {
        if (this.loading.get(loadKey) === p) this.loading.delete(loadKey);
        throw err;
      },
    );
    this.loading.set(loadKey, p);
    return p;
  }

  /**
   * Fills the history cache with the latest histories of the project's most recently active
   * users (at most REC_HISTORY_CACHE_USERS), in one query: run after a training, so that the
   * first request of each user after it reads nothing. A user whose events arrive meanwhile is
   * left to the next request.
   */
  async warmHistories(project: string): Promise<number> {
    if (this.settings.historyCacheMs === 0) return 0;
    const started = Date.now();
    const touched = new Set<string>();
    this.warming.add(touched);
    try {
      const loaded = await this.events.recentHistories(project, this.settings.historyLimit, this.settings.historyCacheUsers);
      let stored = 0;
      for (const [user, events] of loaded) {
        const key = `${project}\u0000${user}`;
        if (touched.has(key)) continue;
        this.storeHistory(key, events, started);
        stored++;
      }
      return stored;
    } finally {
      this.warming.delete(touched);
    }
  }

  catalogChanged(project: string): void {
    this.catalogs.delete(project);
    this.loading.delete(`catalog:${project}`);
  }

  /**
   * Fills what serving reads for a project (catalog, popularity, the latest histories), so that
   * the requests after a training find everything in memory.
   */
  async warm(project: string): Promise<void> {
    await Promise.all([this.catalog(project), this.popularity(project), this.warmHistories(project)]);
  }

  /** A version this replica just activated: served from the next request on. */
  adopt(project: string, model: ServedModel): void {
    this.modelChanged(project);
    this.models.set(project, model);
    this.activeVersions.set(project, { value: model.version, at: Date.now() });
  }

  /** The active version may have changed: the next request asks which. */
  modelChanged(project: string): void {
    this.activeVersions.delete(project);
    this.loading.delete(`active:${project}`);
  }

  /** Newly written events (committed; duplicates left out): added to popularity, their users' histories dropped. */
  eventsAdded(project: string, events: EventInput[]): void {
    if (events.length === 0) return;
    const users = new Set<string>();
    for (const e of events) users.add(e.userId);
    for (const u of users) {
      const key = `${project}\u0000${u}`;
      this.histories.delete(key);
      for (const touched of this.warming) touched.add(key);
      this.loading.delete(`history:${key}`);
    }
    const loading = this.popularLoads.get(project);
    if (loading) loading.pending.push(...events);
    const state = this.popular.get(project);
    if (!state) return;
    this.addEvents(state.sums, events);
    state.view = null;
    if (state.refreshing) state.pending.push(...events);
  }

  forget(project: string): void {
    this.catalogChanged(project);
    this.modelChanged(project);
    this.models.delete(project);
    this.popular.delete(project);
    this.popularLoads.delete(project);
    const prefix = `${project}\u0000`;
    for (const key of [...this.histories.keys()]) if (key.startsWith(prefix)) this.histories.delete(key);
    for (const key of [...this.loading.keys()]) if (key.startsWith(`history:${prefix}`)) this.loading.delete(key);
  }

  private storeHistory(key: string, value: HistoryEvent[], at: number): void {
    this.histories.delete(key);
    this.histories.set(key, { value, at });
    const max = this.settings.historyCacheUsers;
    while (this.histories.size > max) this.histories.delete(this.histories.keys().next().value as string);
  }

  private addEvents(sums: DecayedSums, events: EventInput[]): void {
    const now = Date.now();
    for (const e of events) sums.add(e.itemId, eventWeight(e.type, 1, e.value ?? 0, this.settings.weights), Math.min(e.ts, now));
  }

  private async computePopularity(project: string): Promise<DecayedSums> {
    const rows = await this.events.popularityBuckets(project);
    const now = Date.now();
    const sums = new DecayedSums(this.settings.popularityHalfLifeMs, now);
    const w = this.settings.weights;
    for (const r of rows) sums.add(r.itemId, eventWeight(r.type, r.count, r.valueSum, w), Math.min(r.ts, now));
    return sums;
  }

  private loadPopularity(project: string): Promise<Popularity> {
    const inflight = this.popularLoads.get(project);
    if (inflight) return inflight.promise;
    const entry = {
      pending: [] as EventInput[],
      promise: this.computePopularity(project)
        .then((sums) => {
          if (this.popularLoads.get(project) !== entry) return { sums, loadedAt: Date.now(), view: null, refreshing: false, pending: [] };
          this.popularLoads.delete(project);
          this.addEvents(sums, entry.pending);
          const state: Popularity = { sums, loadedAt: Date.now(), view: null, refreshing: false, pending: [] };
          this.popular.set(project, state);
          return state;
        })
        .catch((err: unknown) => {
          if (this.popularLoads.get(project) === entry) this.popularLoads.delete(project);
          throw err;
        }),
    };
    this.popularLoads.set(project, entry);
    return entry.promise;
  }

  /**
   * Recomputes popularity from all events without making any request wait for it. Events this
   * replica added meanwhile are added again on top; one that the recomputation already read
   * then counts twice until the next one (popularity is a weak, blended source).
   */
  private refreshPopularity(project: string, state: Popularity): void {
    state.refreshing = true;
    state.pending = [];
    this.computePopularity(project).then(
      (sums) => {
        state.refreshing = false;
        if (this.popular.get(project) !== state) return;
        this.addEvents(sums, state.pending);
        this.popular.set(project, { sums, loadedAt: Date.now(), view: null, refreshing: false, pending: [] });
      },
      (err: unknown) => {
        state.refreshing = false;
        state.loadedAt = Date.now();
        this.logger.warn(`Popularity of project ${project} not recomputed: ${(err as Error).message}`);
      },
    );
  }

  /**
   * The cached value, refreshed in the background once older than REC_CACHE_TTL_MS; only a cold
   * entry (first request, or after a write through this replica) waits for the load.
   */
  private async staleWhileRefresh<T>(key: string, map: Map<string, Cached<T>>, project: string, load: () => Promise<T>): Promise<T> {
    const hit = map.get(project);
    if (!hit) return this.once(key, map, project, load);
    if (Date.now() - hit.at >= this.settings.cacheTtlMs && !this.loading.has(key)) {
      this.once(key, map, project, load).catch((err: unknown) => this.logger.warn(`Recommendation cache refresh ${key} failed: ${(err as Error).message}`));
    }
    return hit.value;
  }

  /** Loads an entry once however many requests ask for it meanwhile. A load started before a write is not stored. */
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
}
