import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export type ModelStatus = 'queued' | 'training' | 'ready' | 'failed';

export interface ModelVersion {
  version: number;
  status: ModelStatus;
  active: boolean;
  params: Record<string, unknown>;
  progress: Record<string, unknown>;
  metrics: Record<string, unknown> | null;
  stats: Record<string, unknown> | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const COLUMNS = `version, status, active, params, progress, metrics, stats, error, created_at AS "createdAt", finished_at AS "finishedAt"`;

/** rec_models: trained versions per project, their metrics and artifact bytes; one active per project. */
@Injectable()
export class ModelsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * A new queued version numbered after the project's last (serialized per project); null
   * while another version of the project is queued or training (any replica's: a unique index).
   */
  create(project: string, params: Record<string, unknown>): Promise<ModelVersion | null> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`rec-models:${project}`]);
      const rows: ModelVersion[] = await m.query(
        `INSERT INTO rec_models (project_id, version, params) SELECT $1::varchar, COALESCE(max(version), 0) + 1, $2::jsonb FROM rec_models WHERE project_id = $1::varchar
         ON CONFLICT (project_id) WHERE status IN ('queued', 'training') DO NOTHING RETURNING ${COLUMNS}`,
        [project, JSON.stringify(params)],
      );
      return rows[0] ?? null;
    });
  }

  async running(project: string): Promise<ModelVersion | null> {
    const rows: ModelVersion[] = await this.ds.query(`SELECT ${COLUMNS} FROM rec_models WHERE project_id = $1 AND status IN ('queued', 'training') ORDER BY version DESC LIMIT 1`, [project]);
    return rows[0] ?? null;
  }

  async progress(project: string, version: number, progress: Record<string, unknown>): Promise<void> {
    await this.ds.query(`UPDATE rec_models SET status = 'training', progress = $3::jsonb WHERE project_id = $1 AND version = $2`, [project, version, JSON.stringify(progress)]);
  }

  /** Stores the trained version and makes it the active one, in one transaction (the swap readers see is atomic). */
  async finish(project: string, version: number, artifact: Uint8Array, metrics: Record<string, unknown> | null, stats: Record<string, unknown>): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(`UPDATE rec_models SET active = false WHERE project_id = $1 AND active`, [project]);
      await m.query(`UPDATE rec_models SET status = 'ready', active = true, artifact = $3, metrics = $4::jsonb, stats = $5::jsonb, progress = '{"phase":"done"}', finished_at = now() WHERE project_id = $1 AND version = $2`, [
        project,
        version,
        Buffer.from(artifact.buffer, artifact.byteOffset, artifact.byteLength),
        metrics === null ? null : JSON.stringify(metrics),
        JSON.stringify(stats),
      ]);
    });
  }

  async fail(project: string, version: number, error: string): Promise<void> {
    await this.ds.query(`UPDATE rec_models SET status = 'failed', error = $3, finished_at = now() WHERE project_id = $1 AND version = $2`, [project, version, error]);
  }

  /** Versions left queued or training by an earlier process. */
  async failInterrupted(): Promise<void> {
    await this.ds.query(`UPDATE rec_models SET status = 'failed', error = 'interrupted: the server stopped while the version trained', finished_at = now() WHERE status IN ('queued', 'training')`);
  }

  async activeVersion(project: string): Promise<number | null> {
    const rows: { version: number }[] = await this.ds.query(`SELECT version FROM rec_models WHERE project_id = $1 AND active`, [project]);
    return rows[0]?.version ?? null;
  }

  async artifact(project: string, version: number): Promise<Uint8Array | null> {
    const rows: { artifact: Buffer | Uint8Array | null }[] = await this.ds.query(`SELECT artifact FROM rec_models WHERE project_id = $1 AND version = $2`, [project, version]);
    return rows[0]?.artifact ? new Uint8Array(rows[0].artifact) : null;
  }

  async get(project: string, version: number): Promise<ModelVersion | null> {
    const rows: ModelVersion[] = await this.ds.query(`SELECT ${COLUMNS} FROM rec_models WHERE project_id = $1 AND version = $2`, [project, version]);
    return rows[0] ?? null;
  }

  async active(project: string): Promise<ModelVersion | null> {
    const rows: ModelVersion[] = await this.ds.query(`SELECT ${COLUMNS} FROM rec_models WHERE project_id = $1 AND active`, [project]);
    return rows[0] ?? null;
  }

  list(project: string): Promise<ModelVersion[]> {
    return this.ds.query(`SELECT ${COLUMNS} FROM rec_models WHERE project_id = $1 ORDER BY version DESC LIMIT 50`, [project]);
  }

  /** Projects with events received after their latest version (queued, training or ready) was created, or with events and no version. */
  async projectsWithNewEvents(): Promise<string[]> {
    const rows: { project: string }[] = await this.ds.query(
      `SELECT e.project_id AS project FROM (SELECT project_id, max(received_at) AS last FROM rec_events GROUP BY project_id) e
       WHERE e.last > coalesce((SELECT max(m.created_at) FROM rec_models m WHERE m.project_id = e.project_id AND m.status <> 'failed'), '-infinity'::timestamptz)
       ORDER BY e.project_id`,
    );
    return rows.map((r) => r.project);
  }
}
