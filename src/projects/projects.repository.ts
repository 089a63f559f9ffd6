import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ProjectEntity } from './project.entity';

/** Tables whose rows are a project's configuration or bookkeeping, not its data: they never block a deletion (they go with it). */
const NOT_DATA = new Set(['api_keys', 'usage_counters', 'nlu_settings', 'jobs']);

/** The projects table, and the project_id rows of every module (found in the schema, so modules added later are covered). */
@Injectable()
export class ProjectsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(ProjectEntity);
  }

  list(): Promise<ProjectEntity[]> {
    return this.repo.find({ order: { id: 'ASC' } });
  }

  get(id: string): Promise<ProjectEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Inserts unless the id is taken; null when it was. */
  async insert(p: Pick<ProjectEntity, 'id' | 'name' | 'settings' | 'quotas'>): Promise<ProjectEntity | null> {
    const rows: { id: string }[] = await this.ds.query(
      `INSERT INTO projects (id, name, settings, quotas) VALUES ($1, $2, $3::jsonb, $4::jsonb) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [p.id, p.name, JSON.stringify(p.settings), JSON.stringify(p.quotas)],
    );
    return rows.length ? this.get(p.id) : null;
  }

  async update(id: string, patch: Partial<Pick<ProjectEntity, 'name' | 'settings' | 'quotas'>>): Promise<ProjectEntity | null> {
    const current = await this.get(id);
    if (!current) return null;
    await this.repo.save({ ...current, ...patch });
    return this.get(id);
  }

  /**
   * Deletes the project and, through ON DELETE CASCADE, every row of it, in one transaction.
   * Counts its rows per table first (locking the project row, so nothing is added meanwhile by
   * a request that checks the project); `refuse` may stop it given those counts.
   */
  remove(id: string, refuse: (data: Record<string, number>) => string | undefined): Promise<{ outcome: 'missing' } | { outcome: 'refused'; reason: string } | { outcome: 'deleted'; rows: Record<string, number> }> {
    return this.ds.transaction(async (m) => {
      const found: unknown[] = await m.query(`SELECT id FROM projects WHERE id = $1 FOR UPDATE`, [id]);
      if (!found.length) return { outcome: 'missing' as const };
      const tables: { table_name: string }[] = await m.query(
        `SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'project_id' AND table_name <> 'projects' ORDER BY table_name`,
      );
      const rows: Record<string, number> = {};
      for (const { table_name: t } of tables) {
        const [{ n }]: { n: string | number }[] = await m.query(`SELECT count(*) AS n FROM "${t}" WHERE project_id = $1`, [id]);
        if (Number(n) > 0) rows[t] = Number(n);
      }
      const data = Object.fromEntries(Object.entries(rows).filter(([t]) => !NOT_DATA.has(t)));
      const reason = refuse(data);
      if (reason) return { outcome: 'refused' as const, reason };
      await m.query(`DELETE FROM projects WHERE id = $1`, [id]);
      return { outcome: 'deleted' as const, rows };
    });
  }
}
