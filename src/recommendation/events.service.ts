import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BadInputError } from '../common/errors';
import { EventType } from './algorithms/types';
import { EventsRepository } from './events.repository';
import { ItemsRepository } from './items.repository';
import { RecCacheService } from './rec-cache.service';
import { REC_SETTINGS, RecSettings } from './rec-settings';
import type { EventInput } from './rec.types';

export interface IncomingEvent {
  id?: string;
  userId: string;
  itemId: string;
  type: EventType;
  value?: number;
  /** ISO 8601; default: now */
  timestamp?: string;
}

export interface IngestResult {
  /** events sent */
  received: number;
  /** newly written (committed) */
  inserted: number;
  /** already there (same event id): ignored */
  duplicates: number;
  /** transactions committed */
  batches: number;
}

/** Most entries at fault listed in a 400 (the count says how many there were). */
const MAX_LISTED = 100;

/**
 * Ingestion. The whole request is checked first (ratings need a value, timestamps parse,
 * every item is in the catalog); any entry at fault makes it a 400 listing them, and nothing
 * of it is written. Then batches of REC_EVENT_BATCH_SIZE, one transaction each: unknown users
 * are created, repeated event ids are skipped and counted. The answer comes after the last
 * commit. Should the database fail midway, the batches before it stay committed: sending the
 * request again is safe, since event ids make it idempotent.
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly events: EventsRepository,
    private readonly items: ItemsRepository,
    private readonly cache: RecCacheService,
    @Inject(REC_SETTINGS) private readonly settings: RecSettings,
  ) {}

  async ingest(project: string, incoming: IncomingEvent[]): Promise<IngestResult> {
    const max = this.settings.maxEventsPerRequest;
    if (incoming.length > max) throw new BadInputError(`${incoming.length} events in one request; the limit is ${max} (REC_MAX_EVENTS_PER_REQUEST): split the batch`, { limit: max });
    const now = Date.now();
    const problems: { index: number; field: string; message: string; itemId?: string }[] = [];
    const events: EventInput[] = incoming.map((e, index) => {
      const ts = e.timestamp === undefined ? now : Date.parse(e.timestamp);
      if (!Number.isFinite(ts)) problems.push({ index, field: 'timestamp', message: `timestamp ${e.timestamp} is not an ISO 8601 date` });
      if (e.type === 'rating' && (e.value === undefined || e.value === null)) problems.push({ index, field: 'value', message: 'a rating needs a value' });
      return { id: e.id ?? randomUUID(), userId: e.userId, itemId: e.itemId, type: e.type, value: e.value ?? null, ts };
    });
    const known = await this.items.existing(project, [...new Set(events.map((e) => e.itemId))]);
    events.forEach((e, index) => {
      if (!known.has(e.itemId)) problems.push({ index, field: 'itemId', itemId: e.itemId, message: `no item ${e.itemId} in this project's catalog` });
    });
    if (problems.length) {
      problems.sort((a, b) => a.index - b.index);
      const unknown = new Set(problems.filter((p) => p.itemId).map((p) => p.itemId));
      const first = problems[0];
      throw new BadInputError(
        `${problems.length} event(s) at fault, nothing was written; first: events[${first.index}].${first.field}: ${first.message}` +
          (unknown.size ? `. Unknown items (${unknown.size}): ${[...unknown].slice(0, 10).join(', ')}; upsert them first (PUT /api/v1/recommendations/items/{id})` : ''),
        { count: problems.length, entries: problems.slice(0, MAX_LISTED).map((p) => ({ field: `events.${p.index}.${p.field}`, index: p.index, message: p.message })) },
      );
    }
    let inserted = 0;
    let batches = 0;
    const size = this.settings.eventBatchSize;
    for (let i = 0; i < events.length; i += size) {
      const written = await this.events.writeBatch(project, events.slice(i, i + size));
      this.cache.eventsAdded(project, written);
      inserted += written.length;
      batches++;
    }
    return { received: events.length, inserted, duplicates: events.length - inserted, batches };
  }
}
