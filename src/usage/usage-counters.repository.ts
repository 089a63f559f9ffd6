import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CounterDelta } from './core/pending-counters';
import { Granularity } from './core/usage-metrics';

/** One stored (or summed) counter row as the report reads it. */
export interface CounterRow {
  /** bucket start, ms since the epoch */
  start: number;
  metric: string;
  value: number;
}

/** The usage_counters table (migrations/1764633600000-projects.ts): per project, UTC hour and metric. */
@Injectable()
export class UsageCountersRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Adds every delta in one statement. The join with projects drops the counts of a project
   * deleted meanwhile instead of failing the whole batch on its foreign key.
   */
  async add(deltas: readonly CounterDelta[]): Promise<void> {
    if (!deltas.length) return;
    const rows = deltas.map((d) => ({ project_id: d.project, bucket: new Date(d.bucket).toISOString(), metric: d.metric, value: d.value }));
    await this.ds.query(
      `INSERT INTO usage_counters (project_id, bucket, metric, value)
       SELECT r.project_id, r.bucket, r.metric, r.value
       FROM jsonb_to_recordset($1::jsonb) AS r (project_id varchar, bucket timestamptz, metric varchar, value bigint)
       JOIN projects p ON p.id = r.project_id
       ON CONFLICT (project_id, bucket, metric) DO UPDATE SET value = usage_counters.value + EXCLUDED.value`,
      [JSON.stringify(rows)],
    );
  }

  /** A project's counters in [from, to), summed per bucket of `granularity` (UTC) and metric. */
  async series(project: string, from: number, to: number, granularity: Granularity): Promise<CounterRow[]> {
    const rows: { start: Date | string; metric: string; value: string | number }[] = await this.ds.query(
      `SELECT date_trunc($4, bucket, 'UTC') AS start, metric, sum(value)::text AS value
       FROM usage_counters
       WHERE project_id = $1 AND bucket >= $2 AND bucket < $3
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [project, new Date(from).toISOString(), new Date(to).toISOString(), granularity],
    );
    return rows.map((r) => ({ start: new Date(r.start).getTime(), metric: r.metric, value: Number(r.value) }));
  }

  /** A project's stored total of one metric in buckets starting at or after `since`. */
  async total(project: string, metric: string, since: number): Promise<number> {
    const [row]: { total: string | number | null }[] = await this.ds.query(
      `SELECT coalesce(sum(value), 0)::text AS total FROM usage_counters WHERE project_id = $1 AND metric = $2 AND bucket >= $3`,
      [project, metric, new Date(since).toISOString()],
    );
    return Number(row?.total ?? 0);
  }
}
