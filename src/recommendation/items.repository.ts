import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Item, ItemInput } from './rec.types';

const COLUMNS = `id, title, category, sub_categories AS "subCategories", tags, price::float8 AS price, currency, attributes, description, available, created_at AS "createdAt", updated_at AS "updatedAt"`;
/** Rows per multi-row INSERT: 11 parameters an item stays far below Postgres's 65535. */
const INSERT_ROWS = 500;

/** What serving needs of every item, held in memory per project. */
export type CatalogEntry = Pick<Item, 'id' | 'title' | 'category' | 'subCategories' | 'price' | 'available'>;

/** rec_items; every query names the project. */
@Injectable()
export class ItemsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Inserts or replaces items in one transaction; returns the ids that existed before. */
  upsert(project: string, items: ItemInput[]): Promise<Set<string>> {
    return this.ds.transaction(async (m) => {
      const before = new Set<string>();
      for (let i = 0; i < items.length; i += INSERT_ROWS) {
        const params: unknown[] = [project];
        const values = items.slice(i, i + INSERT_ROWS).map((it) => {
          params.push(it.id, it.title, it.category ?? null, it.subCategories ?? [], it.tags ?? [], it.price ?? null, it.currency ?? null, JSON.stringify(it.attributes ?? {}), it.description ?? '', it.available ?? true);
          const p = params.length - 9;
          return `($1, $${p}, $${p + 1}, $${p + 2}, $${p + 3}::text[], $${p + 4}::text[], $${p + 5}::numeric, $${p + 6}, $${p + 7}::jsonb, $${p + 8}, $${p + 9})`;
        });
        const rows: { id: string; inserted: boolean }[] = await m.query(
          `INSERT INTO rec_items AS t (project_id, id, title, category, sub_categories, tags, price, currency, attributes, description, available) VALUES ${values.join(', ')}
           ON CONFLICT (project_id, id) DO UPDATE SET title = EXCLUDED.title, category = EXCLUDED.category, sub_categories = EXCLUDED.sub_categories, tags = EXCLUDED.tags,
             price = EXCLUDED.price, currency = EXCLUDED.currency, attributes = EXCLUDED.attributes, description = EXCLUDED.description, available = EXCLUDED.available, updated_at = now()
           RETURNING id, (xmax = 0) AS inserted`,
          params,
        );
        for (const r of rows) if (!r.inserted) before.add(r.id);
      }
      return before;
    });
  }

  async get(project: string, id: string): Promise<Item | null> {
    const rows: Item[] = await this.ds.query(`SELECT ${COLUMNS} FROM rec_items WHERE project_id = $1 AND id = $2`, [project, id]);
    return rows[0] ?? null;
  }

  async list(project: string, category: string | undefined, limit: number, offset: number): Promise<{ items: Item[]; total: number }> {
    const where = `project_id = $1 AND ($2::text IS NULL OR category = $2 OR $2 = ANY (sub_categories))`;
    const items: Item[] = await this.ds.query(`SELECT ${COLUMNS} FROM rec_items WHERE ${where} ORDER BY id LIMIT $3 OFFSET $4`, [project, category ?? null, limit, offset]);
    const [{ n }]: { n: string }[] = await this.ds.query(`SELECT count(*) AS n FROM rec_items WHERE ${where}`, [project, category ?? null]);
    return { items, total: Number(n) };
  }

  /** Deletes an item; its events go with it (foreign key cascade). */
  async remove(project: string, id: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(`WITH d AS (DELETE FROM rec_items WHERE project_id = $1 AND id = $2 RETURNING id) SELECT id FROM d`, [project, id]);
    return rows.length > 0;
  }

  /** Which of `ids` are in the project's catalog. */
  async existing(project: string, ids: string[]): Promise<Set<string>> {
    const rows: { id: string }[] = await this.ds.query(`SELECT id FROM rec_items WHERE project_id = $1 AND id = ANY ($2::text[])`, [project, ids]);
    return new Set(rows.map((r) => r.id));
  }

  catalog(project: string): Promise<CatalogEntry[]> {
    return this.ds.query(`SELECT id, title, category, sub_categories AS "subCategories", price::float8 AS price, available FROM rec_items WHERE project_id = $1 ORDER BY id`, [project]);
  }

  /** Titles and texts of items, for content embeddings. */
  texts(project: string, ids: string[]): Promise<{ id: string; text: string }[]> {
    return this.ds.query(
      `SELECT id, concat_ws(' ', title, category, array_to_string(sub_categories, ' '), array_to_string(tags, ' '), description) AS text FROM rec_items WHERE project_id = $1 AND id = ANY ($2::text[])`,
      [project, ids],
    );
  }

  async count(project: string): Promise<number> {
    const [{ n }]: { n: string }[] = await this.ds.query(`SELECT count(*) AS n FROM rec_items WHERE project_id = $1`, [project]);
    return Number(n);
  }
}
