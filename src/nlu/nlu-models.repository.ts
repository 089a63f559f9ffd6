import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NluModelEntity } from './nlu.entities';
import type { ArtifactDb, ArtifactRow } from './runtime/artifact-cache';
import type { ArtifactFile } from './runtime/artifact-files';

export interface StoredModel {
  /** the project the version belongs to (`default` when left out) */
  projectId?: string;
  version: number;
  labels: string[];
  threshold: number;
  config: Record<string, unknown>;
  /** path of the ONNX file (the inference worker reads it), or its bytes */
  onnx: string | Uint8Array;
  tagger: string | null;
}

/**
 * Trained NLU model versions: metrics, which one is active, and the checksum rows and
 * chunks of their artifacts (the files themselves: runtime/artifact-cache.ts). Versions
 * are numbered by one sequence for the whole server; reads and state changes that a
 * request can reach name the project, so another project's version is never found.
 * Writes of a run in progress (progress, results, artifacts) go by the version alone:
 * only the service that started the run writes them.
 */
@Injectable()
export class NluModelsRepository implements ArtifactDb {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(NluModelEntity);
  }

  /** A new version in training; null while another version of the project trains (on any replica: a unique index). */
  async startTraining(project: string, examples: number): Promise<{ version: number; createdAt: Date } | null> {
    const rows: { version: number; createdAt: Date }[] = await this.ds.query(
      `INSERT INTO nlu_models (project_id, status, examples, progress) VALUES ($1, 'training', $2, '{"phase":"queued"}'::jsonb)
       ON CONFLICT (project_id) WHERE status = 'training' DO NOTHING RETURNING version, created_at AS "createdAt"`,
      [project, examples],
    );
    return rows[0] ?? null;
  }

  /** The version a project trains now (any replica), if any. */
  async training(project: string): Promise<number | null> {
    const rows: { version: number }[] = await this.ds.query(`SELECT version FROM nlu_models WHERE project_id = $1 AND status = 'training'`, [project]);
    return rows[0]?.version ?? null;
  }

  async progress(version: number, progress: Record<string, unknown>): Promise<void> {
    await this.ds.query(`UPDATE nlu_models SET progress = $2::jsonb WHERE version = $1`, [version, JSON.stringify(progress)]);
  }

  /** A finished run's results (small: labels, threshold, settings, metrics); the artifacts are recorded separately. */
  async saveResult(version: number, m: { labels: string[]; threshold: number; config: Record<string, unknown>; metrics: Record<string, unknown> }): Promise<void> {
    await this.ds.query(
      `UPDATE nlu_models SET labels = $2::jsonb, threshold = $3, config = $4::jsonb, metrics = $5::jsonb, finished_at = now(), progress = '{"phase":"activating"}'::jsonb WHERE version = $1`,
      [version, JSON.stringify(m.labels), m.threshold, JSON.stringify(m.config), JSON.stringify(m.metrics)],
    );
  }

  async fail(version: number, error: string): Promise<void> {
    await this.repo.update({ version }, { status: 'failed', error, finishedAt: new Date() });
  }

  /** A finished run that does not serve: ready, with the reason in `note`. */
  async markReady(version: number, note: string): Promise<void> {
    await this.ds.query(`UPDATE nlu_models SET status = 'ready', note = $2, progress = '{"phase":"done"}'::jsonb WHERE version = $1`, [version, note]);
  }

  /** Makes `version` the active one (exactly one active, enforced by a unique partial index); a just-trained version becomes ready at the same moment. */
  async activate(project: string, version: number, by: 'training' | 'user'): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(`UPDATE nlu_models SET active = false WHERE project_id = $1 AND active AND version <> $2`, [project, version]);
      await m.query(
        `UPDATE nlu_models SET active = true, status = 'ready', note = NULL, activated_at = now(), activated_by = $3, progress = '{"phase":"done"}'::jsonb WHERE project_id = $1 AND version = $2`,
        [project, version, by],
      );
    });
  }

  /** The project's active version when someone activated it explicitly after `since` (so a run started at `since` must not replace it). */
  async explicitActivationSince(project: string, since: Date): Promise<number | null> {
    const rows: { version: number }[] = await this.ds.query(`SELECT version FROM nlu_models WHERE project_id = $1 AND active AND activated_by = 'user' AND activated_at >= $2`, [project, since]);
    return rows[0]?.version ?? null;
  }

  list(project: string): Promise<NluModelEntity[]> {
    return this.repo.find({ where: { projectId: project }, order: { version: 'DESC' } });
  }

  get(project: string, version: number): Promise<NluModelEntity | null> {
    return this.repo.findOneBy({ projectId: project, version });
  }

  /** What a project serves: its active version, else whether a first run is training. */
  async serving(project: string): Promise<{ active: number | null; training: boolean }> {
    const rows: { active: number | null; training: boolean }[] = await this.ds.query(
      `SELECT (SELECT version FROM nlu_models WHERE project_id = $1 AND active) AS active,
              EXISTS (SELECT 1 FROM nlu_models WHERE project_id = $1 AND status = 'training') AS training`,
      [project],
    );
    return { active: rows[0]?.active ?? null, training: rows[0]?.training === true };
  }

  /** Those of `versions` that still have a row (any project). */
  async existing(versions: number[]): Promise<Set<number>> {
    if (!versions.length) return new Set();
    const rows: { version: number }[] = await this.ds.query(`SELECT version FROM nlu_models WHERE version = ANY($1::int[])`, [versions]);
    return new Set(rows.map((r) => r.version));
  }

  /** Marks runs (of every project but `running`'s) that were training when their process stopped as failed; returns their versions. */
  async failInterrupted(running: string[] = []): Promise<number[]> {
    // Through a CTE: a bare UPDATE ... RETURNING comes back from TypeORM as [rows, count].
    const rows: { version: number }[] = await this.ds.query(
      `WITH failed AS (UPDATE nlu_models SET status = 'failed', error = 'interrupted: the server stopped during training', finished_at = now() WHERE status = 'training' AND NOT (project_id = ANY($1::varchar[])) RETURNING version)
       SELECT version FROM failed`,
      [running],
    );
    return rows.map((r) => r.version);
  }

  async activeVersion(project: string): Promise<number | null> {
    const row = await this.repo.findOne({ where: { projectId: project, active: true }, select: { version: true } });
    return row?.version ?? null;
  }

  /** Deletes a version's row, its artifact rows and chunks (cascade). */
  async delete(project: string, version: number): Promise<void> {
    await this.repo.delete({ projectId: project, version });
  }

  /**
   * A project's versions beyond its newest `keep` ready ones: older ready versions and
   * finished runs older than the oldest kept one. Never the active version, never a run in training.
   */
  async prunable(project: string, keep: number): Promise<number[]> {
    const rows: { version: number }[] = await this.ds.query(
      `WITH mine AS (SELECT * FROM nlu_models WHERE project_id = $2),
            kept AS (SELECT version FROM mine WHERE status = 'ready' ORDER BY version DESC LIMIT $1)
       SELECT version FROM mine
       WHERE NOT active AND status <> 'training' AND version NOT IN (SELECT version FROM kept)
         AND (status = 'ready' OR version < COALESCE((SELECT min(version) FROM kept), 0))
       ORDER BY version`,
      [keep, project],
    );
    return rows.map((r) => r.version);
  }

  // ArtifactDb
  async artifacts(version: number): Promise<ArtifactRow[]> {
    const rows: { name: string; sha256: string; bytes: string | number; chunks: number }[] = await this.ds.query(`SELECT name, sha256, bytes, chunks FROM nlu_artifacts WHERE version = $1 ORDER BY name`, [version]);
    return rows.map((r) => ({ name: r.name, sha256: r.sha256.trim(), bytes: Number(r.bytes), chunks: r.chunks }));
  }

  async saveArtifact(version: number, f: ArtifactFile): Promise<void> {
    await this.ds.query(
      `INSERT INTO nlu_artifacts (version, name, sha256, bytes, chunks) VALUES ($1, $2, $3, $4, 0)
       ON CONFLICT (version, name) DO UPDATE SET sha256 = EXCLUDED.sha256, bytes = EXCLUDED.bytes, chunks = 0`,
      [version, f.name, f.sha256, f.bytes],
    );
    await this.ds.query(`DELETE FROM nlu_artifact_chunks WHERE version = $1 AND name = $2`, [version, f.name]);
  }

  async writeChunk(version: number, name: string, seq: number, data: Buffer): Promise<void> {
    await this.ds.query(`INSERT INTO nlu_artifact_chunks (version, name, seq, data) VALUES ($1, $2, $3, $4)`, [version, name, seq, data]);
  }

  async setChunks(version: number, name: string, chunks: number): Promise<void> {
    await this.ds.query(`UPDATE nlu_artifacts SET chunks = $3 WHERE version = $1 AND name = $2`, [version, name, chunks]);
  }

  async readChunk(version: number, name: string, seq: number): Promise<Buffer | null> {
    const rows: { data: Buffer | Uint8Array }[] = await this.ds.query(`SELECT data FROM nlu_artifact_chunks WHERE version = $1 AND name = $2 AND seq = $3`, [version, name, seq]);
    return rows[0] ? Buffer.from(rows[0].data) : null;
  }
}
