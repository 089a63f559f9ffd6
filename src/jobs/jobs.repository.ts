import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobRow {
  id: string;
  projectId: string;
  kind: string;
  subject: string;
  status: JobStatus;
  input: Record<string, unknown>;
  progress: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const COLUMNS = `id, project_id AS "projectId", kind, subject, status, input, progress, result, error, created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt"`;

/** The jobs table. Reads a request can reach name the project; writes of a running job go by id (only its runner writes them). */
@Injectable()
export class JobsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(project: string, kind: string, subject: string, input: Record<string, unknown>): Promise<JobRow> {
    const [row]: JobRow[] = await this.ds.query(`INSERT INTO jobs (project_id, kind, subject, input) VALUES ($1, $2, $3, $4::jsonb) RETURNING ${COLUMNS}`, [project, kind, subject, JSON.stringify(input)]);
    return row;
  }

  async get(project: string, id: string): Promise<JobRow | null> {
    const rows: JobRow[] = await this.ds.query(`SELECT ${COLUMNS} FROM jobs WHERE project_id = $1 AND id = $2`, [project, id]);
    return rows[0] ?? null;
  }

  list(project: string, kind: string | undefined, limit: number): Promise<JobRow[]> {
    return this.ds.query(`SELECT ${COLUMNS} FROM jobs WHERE project_id = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY created_at DESC, id LIMIT $3`, [project, kind ?? null, limit]);
  }

  async start(id: string, owner: string, leaseMs: number): Promise<void> {
    await this.ds.query(
      `UPDATE jobs SET status = 'running', started_at = now(), attempts = attempts + 1, lease_owner = $2, heartbeat_at = now(), lease_expires_at = now() + $3 * interval '1 millisecond' WHERE id = $1`,
      [id, owner, leaseMs],
    );
  }

  /** Progress doubles as the heartbeat: it extends the lease. */
  async progress(id: string, progress: Record<string, unknown>, leaseMs: number): Promise<void> {
    await this.ds.query(`UPDATE jobs SET progress = $2::jsonb, heartbeat_at = now(), lease_expires_at = now() + $3 * interval '1 millisecond' WHERE id = $1`, [id, JSON.stringify(progress), leaseMs]);
  }

  async finish(id: string, status: 'succeeded' | 'failed' | 'cancelled', result: Record<string, unknown> | null, error: string | null): Promise<void> {
    await this.ds.query(`UPDATE jobs SET status = $2, result = $3::jsonb, error = $4, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL WHERE id = $1`, [
      id,
      status,
      result === null ? null : JSON.stringify(result),
      error,
    ]);
  }

  /** Open jobs of an earlier process: failed as interrupted. Returns their ids. */
  async failInterrupted(): Promise<string[]> {
    const rows: { id: string }[] = await this.ds.query(
      `WITH u AS (UPDATE jobs SET status = 'failed', error = 'interrupted: the server stopped while the job ran', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL WHERE status IN ('queued', 'running') RETURNING id) SELECT id FROM u`,
    );
    return rows.map((r) => r.id);
  }
}
