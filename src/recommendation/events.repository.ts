import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EventAggregate, EventType } from './algorithms/types';
import type { EventInput, HistoryEvent } from './rec.types';

/** Rows per multi-row INSERT (6 parameters an event). */
const INSERT_ROWS = 2000;

/** rec_users and rec_events; every query names the project. */
@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Writes one batch in one transaction: unknown users created, events inserted unless their
   * id is already there (or repeated earlier in the batch). Returns the events that were new
   * (an id repeated within the batch: its first occurrence). Committed when it resolves: that
   * is when a batch is acknowledged.
   */
  writeBatch(project: string, events: EventInput[]): Promise<EventInput[]> {
    return this.ds.transaction(async (m) => {
      const users = [...new Set(events.map((e) => e.userId))];
      await m.query(`INSERT INTO rec_users (project_id, id) SELECT $1, u FROM unnest($2::text[]) AS u ON CONFLICT DO NOTHING`, [project, users]);
      const inserted: EventInput[] = [];
      for (let i = 0; i < events.length; i += INSERT_ROWS) {
        const part = events.slice(i, i + INSERT_ROWS);
        const rows: { id: string }[] = await m.query(
          `INSERT INTO rec_events (project_id, id, user_id, item_id, type, value, ts)
           SELECT $1, e.id, e.u, e.i, e.t, e.v, to_timestamp(e.ts / 1000.0)
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[]) AS e (id, u, i, t, v, ts)
           ON CONFLICT (project_id, id) DO NOTHING RETURNING id`,
          [project, part.map((e) => e.id), part.map((e) => e.userId), part.map((e) => e.itemId), part.map((e) => e.type), part.map((e) => e.value), part.map((e) => e.ts)],
        );
        const ids = new Set(rows.map((r) => r.id));
        for (const e of part) {
          if (ids.delete(e.id)) inserted.push(e);
        }
      }
      return inserted;
    });
  }

  /** A user's latest events, newest first. */
  history(project: string, userId: string, limit: number): Promise<HistoryEvent[]> {
    return this.ds
      .query(`SELECT item_id AS "itemId", type, value, (extract(epoch FROM ts) * 1000)::float8 AS ts FROM rec_events WHERE project_id = $1 AND user_id = $2 ORDER BY ts DESC, id LIMIT $3`, [project, userId, limit])
      .then((rows: HistoryEvent[]) => rows.map((r) => ({ ...r, ts: Number(r.ts) })));
  }

  /**
   * The latest `limit` events of each of the `users` most recently active users, newest first
   * per user: one query to fill a serving cache.
   */
  async recentHistories(project: string, limit: number, users: number): Promise<Map<string, HistoryEvent[]>> {
    const rows: (HistoryEvent & { userId: string })[] = await this.ds.query(
      `WITH active AS (SELECT user_id FROM rec_events WHERE project_id = $1 GROUP BY user_id ORDER BY max(ts) DESC LIMIT $3),
       ranked AS (SELECT e.user_id, e.item_id, e.type, e.value, e.ts, row_number() OVER (PARTITION BY e.user_id ORDER BY e.ts DESC, e.id) AS n
                  FROM rec_events e JOIN active a ON a.user_id = e.user_id WHERE e.project_id = $1)
       SELECT user_id AS "userId", item_id AS "itemId", type, value, (extract(epoch FROM ts) * 1000)::float8 AS ts FROM ranked WHERE n <= $2 ORDER BY user_id, n`,
      [project, limit, users],
    );
    const out = new Map<string, HistoryEvent[]>();
    for (const r of rows) {
      let list = out.get(r.userId);
      if (!list) out.set(r.userId, (list = []));
      list.push({ itemId: r.itemId, type: r.type, value: r.value, ts: Number(r.ts) });
    }
    return out;
  }

  /** Events summed per user, item and type: what training reads. */
  async aggregates(project: string): Promise<EventAggregate[]> {
    const rows: (Omit<EventAggregate, 'count' | 'valueSum' | 'lastTs'> & { count: string; valueSum: number | null; lastTs: number })[] = await this.ds.query(
      `SELECT user_id AS "userId", item_id AS "itemId", type, count(*) AS count, sum(value)::float8 AS "valueSum", (extract(epoch FROM max(ts)) * 1000)::float8 AS "lastTs"
       FROM rec_events WHERE project_id = $1 GROUP BY user_id, item_id, type`,
      [project],
    );
    return rows.map((r) => ({ ...r, count: Number(r.count), valueSum: r.valueSum ?? 0, lastTs: Number(r.lastTs) }));
  }

  /** Events per item, type and hour: what the decayed popularity is computed from. */
  async popularityBuckets(project: string): Promise<{ itemId: string; type: EventType; count: number; valueSum: number; ts: number }[]> {
    const rows: { itemId: string; type: EventType; count: string; valueSum: number | null; ts: number }[] = await this.ds.query(
      `SELECT item_id AS "itemId", type, count(*) AS count, sum(value)::float8 AS "valueSum", (extract(epoch FROM date_trunc('hour', ts)) * 1000)::float8 AS ts
       FROM rec_events WHERE project_id = $1 GROUP BY item_id, type, date_trunc('hour', ts)`,
      [project],
    );
    return rows.map((r) => ({ ...r, count: Number(r.count), valueSum: r.valueSum ?? 0, ts: Number(r.ts) }));
  }

  async counts(project: string): Promise<{ events: number; users: number }> {
    const [r]: { events: string; users: string }[] = await this.ds.query(
      `SELECT (SELECT count(*) FROM rec_events WHERE project_id = $1) AS events, (SELECT count(*) FROM rec_users WHERE project_id = $1) AS users`,
      [project],
    );
    return { events: Number(r.events), users: Number(r.users) };
  }

  async userExists(project: string, userId: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(`SELECT 1 FROM rec_users WHERE project_id = $1 AND id = $2`, [project, userId]);
    return rows.length > 0;
  }
}
