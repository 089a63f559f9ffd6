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
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const COLUMNS = `id, project_id AS "projectId", kind, subject, status, input, progress, result, error, attempts, created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt"`;
const LEASE = (param: string) => `now() + ${param} * interval '1 millisecond'`;
export const INTERRUPTED = 'interrupted: the server stopped while the job ran';
export const LEASE_EXPIRED = 'interrupted: the replica running it stopped (its lease expired)';

/**
 * The jobs table, and the claims replicas take on its rows (docs/scaling.md). A job is
 * `queued` until a replica moves it to `running` in one statement that only one replica can
 * win (FOR UPDATE SKIP LOCKED, or a row reserved by the replica that created it); the runner
 * holds a lease it renews, and every write of a running job names the runner, so a replica
 * whose lease was taken away cannot overwrite the job. Reads a request can reach name the project.
 * UPDATE ... RETURNING goes through a CTE: a bare one comes back from TypeORM as [rows, count].
 */
@Injectable()
export class JobsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** A queued job reserved by `owner` for `leaseMs` (it starts or releases it; nobody else claims it meanwhile). */
  async insert(project: string, kind: string, subject: string, input: Record<string, unknown>, owner: string, leaseMs: number): Promise<JobRow> {
    const [row]: JobRow[] = await this.ds.query(
      `INSERT INTO jobs (project_id, kind, subject, input, lease_owner, lease_expires_at) VALUES ($1, $2, $3, $4::jsonb, $5, ${LEASE('$6')}) RETURNING ${COLUMNS}`,
      [project, kind, subject, JSON.stringify(input), owner, leaseMs],
    );
    return row;
  }

  async get(project: string, id: string): Promise<JobRow | null> {
    const rows: JobRow[] = await this.ds.query(`SELECT ${COLUMNS} FROM jobs WHERE project_id = $1 AND id = $2`, [project, id]);
    return rows[0] ?? null;
  }

  list(project: string, kind: string | undefined, limit: number): Promise<JobRow[]> {
    return this.ds.query(`SELECT ${COLUMNS} FROM jobs WHERE project_id = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY created_at DESC, id LIMIT $3`, [project, kind ?? null, limit]);
  }

  /** Starts a job `owner` reserved; false when it no longer holds it. */
  async startReserved(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `WITH u AS (UPDATE jobs SET status = 'running', started_at = now(), attempts = attempts + 1, heartbeat_at = now(), lease_expires_at = ${LEASE('$3')}
                  WHERE id = $1 AND status = 'queued' AND lease_owner = $2 RETURNING id) SELECT id FROM u`,
      [id, owner, leaseMs],
    );
    return rows.length === 1;
  }

  /** Names what a reserved job works on, once the module knows it (the version it created after the job). */
  async describe(id: string, owner: string, subject: string, input: Record<string, unknown>): Promise<void> {
    await this.ds.query(`UPDATE jobs SET subject = $3, input = $4::jsonb WHERE id = $1 AND status = 'queued' AND lease_owner = $2`, [id, owner, subject, JSON.stringify(input)]);
  }

  /** Projects with a queued or running job of `kind` (on any replica). */
  async openProjects(kind: string): Promise<string[]> {
    const rows: { projectId: string }[] = await this.ds.query(`SELECT DISTINCT project_id AS "projectId" FROM jobs WHERE kind = $1 AND status IN ('queued', 'running')`, [kind]);
    return rows.map((r) => r.projectId);
  }

  /** Gives a reserved job to whichever replica claims it first. */
  async release(id: string, owner: string): Promise<void> {
    await this.ds.query(`UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND status = 'queued' AND lease_owner = $2`, [id, owner]);
  }

  /** Claims the oldest claimable queued job of `kinds` for `owner`; null when there is none. Replicas never claim the same row. */
  async claim(owner: string, kinds: string[], leaseMs: number): Promise<JobRow | null> {
    if (!kinds.length) return null;
    const rows: JobRow[] = await this.ds.query(
      `WITH next AS (
         SELECT id FROM jobs WHERE status = 'queued' AND kind = ANY($2::text[]) AND (lease_owner IS NULL OR lease_expires_at < now())
         ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED),
       u AS (UPDATE jobs j SET status = 'running', started_at = now(), attempts = attempts + 1, lease_owner = $1, heartbeat_at = now(), lease_expires_at = ${LEASE('$3')}
             FROM next WHERE j.id = next.id RETURNING j.*)
       SELECT ${COLUMNS} FROM u`,
      [owner, kinds, leaseMs],
    );
    return rows[0] ?? null;
  }

  /** Renews the leases `owner` holds on `ids`; returns those it still held. */
  async heartbeat(ids: string[], owner: string, leaseMs: number): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows: { id: string }[] = await this.ds.query(
      `WITH u AS (UPDATE jobs SET heartbeat_at = now(), lease_expires_at = ${LEASE('$3')} WHERE id = ANY($1::uuid[]) AND status = 'running' AND lease_owner = $2 RETURNING id) SELECT id FROM u`,
      [ids, owner, leaseMs],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** Progress doubles as the heartbeat; false when `owner` lost the job. */
  async progress(id: string, owner: string, progress: Record<string, unknown>, leaseMs: number): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `WITH u AS (UPDATE jobs SET progress = $3::jsonb, heartbeat_at = now(), lease_expires_at = ${LEASE('$4')} WHERE id = $1 AND status = 'running' AND lease_owner = $2 RETURNING id) SELECT id FROM u`,
      [id, owner, JSON.stringify(progress), leaseMs],
    );
    return rows.length === 1;
  }

  /** Ends a job `owner` holds (running, or reserved); false when it no longer held it. */
  async finish(id: string, owner: string, status: 'succeeded' | 'failed' | 'cancelled', result: Record<string, unknown> | null, error: string | null): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `WITH u AS (UPDATE jobs SET status = $3, result = $4::jsonb, error = $5, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
                  WHERE id = $1 AND lease_owner = $2 AND status IN ('queued', 'running') RETURNING id) SELECT id FROM u`,
      [id, owner, status, result === null ? null : JSON.stringify(result), error],
    );
    return rows.length === 1;
  }

  /**
   * Running jobs whose lease expired (their replica died): queued again while they have runs
   * left, failed otherwise. Each row is reaped by one replica (row locks); returns them with their new status.
   */
  reapExpired(maxAttempts: number): Promise<JobRow[]> {
    return this.ds.query(
      `WITH u AS (UPDATE jobs SET status = CASE WHEN attempts < $1 THEN 'queued' ELSE 'failed' END,
                    error = CASE WHEN attempts < $1 THEN NULL ELSE $2 END,
                    finished_at = CASE WHEN attempts < $1 THEN NULL ELSE now() END,
                    lease_owner = NULL, lease_expires_at = NULL
                  WHERE status = 'running' AND lease_expires_at < now() RETURNING *)
       SELECT ${COLUMNS} FROM u`,
      [maxAttempts, LEASE_EXPIRED],
    );
  }

  /** Single process (embedded database): every open job is an earlier process's, failed as interrupted. */
  failInterrupted(): Promise<JobRow[]> {
    return this.ds.query(
      `WITH u AS (UPDATE jobs SET status = 'failed', error = $1, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL WHERE status IN ('queued', 'running') RETURNING *) SELECT ${COLUMNS} FROM u`,
      [INTERRUPTED],
    );
  }
}
