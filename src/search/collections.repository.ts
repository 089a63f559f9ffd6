import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Collection, CollectionStats } from './search.types';

const COLUMNS = `id, project_id AS "projectId", name, description, model, dim, requested_dim AS "requestedDim", chunk_tokens AS "chunkTokens", chunk_overlap AS "chunkOverlap", status, job_id AS "jobId", created_at AS "createdAt", updated_at AS "updatedAt"`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const INDEX_PREFIX = 'search_chunks_hnsw_';

/** The per-collection HNSW index: DDL takes no parameters, so its only inputs are a uuid from the database and an integer, both checked. */
export function vectorIndexDdl(id: string, dim: number): { name: string; create: string; drop: string } {
  if (!UUID.test(id) || !Number.isInteger(dim) || dim < 1 || dim > 16000) throw new Error(`bad collection id or dimension: ${id}, ${dim}`);
  const name = INDEX_PREFIX + id.replace(/-/g, '');
  return {
    name,
    create: `CREATE INDEX IF NOT EXISTS ${name} ON search_chunks USING hnsw ((embedding::vector(${dim})) vector_cosine_ops) WHERE collection_id = '${id}'`,
    drop: `DROP INDEX IF EXISTS ${name}`,
  };
}

export type NewCollection = Pick<Collection, 'name' | 'description' | 'model' | 'dim' | 'requestedDim' | 'chunkTokens' | 'chunkOverlap'>;

/** search_collections, every query scoped to one project; creating or deleting a collection creates or drops its vector index in the same transaction. */
@Injectable()
export class CollectionsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** null when the name is taken in the project. */
  insert(project: string, c: NewCollection): Promise<Collection | null> {
    return this.ds.transaction(async (m) => {
      const rows: Collection[] = await m.query(
        `INSERT INTO search_collections (project_id, name, description, model, dim, requested_dim, chunk_tokens, chunk_overlap)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (project_id, name) DO NOTHING RETURNING ${COLUMNS}`,
        [project, c.name, c.description, c.model, c.dim, c.requestedDim, c.chunkTokens, c.chunkOverlap],
      );
      if (!rows.length) return null;
      await m.query(vectorIndexDdl(rows[0].id, c.dim).create);
      return rows[0];
    });
  }

  list(project: string): Promise<(Collection & CollectionStats)[]> {
    return this.ds
      .query(
        `SELECT ${COLUMNS},
           (SELECT count(*) FROM search_documents d WHERE d.collection_id = c.id) AS documents,
           (SELECT count(*) FROM search_chunks k WHERE k.collection_id = c.id) AS chunks
         FROM search_collections c WHERE project_id = $1 ORDER BY name`,
        [project],
      )
      .then((rows: (Collection & Record<'documents' | 'chunks', string>)[]) => rows.map((r) => ({ ...r, documents: Number(r.documents), chunks: Number(r.chunks) })));
  }

  async get(project: string, name: string): Promise<Collection | null> {
    const rows: Collection[] = await this.ds.query(`SELECT ${COLUMNS} FROM search_collections WHERE project_id = $1 AND name = $2`, [project, name]);
    return rows[0] ?? null;
  }

  async stats(c: Collection): Promise<CollectionStats> {
    const [r]: Record<'documents' | 'chunks', string>[] = await this.ds.query(
      `SELECT (SELECT count(*) FROM search_documents WHERE project_id = $1 AND collection_id = $2) AS documents, (SELECT count(*) FROM search_chunks WHERE collection_id = $2) AS chunks`,
      [c.projectId, c.id],
    );
    return { documents: Number(r.documents), chunks: Number(r.chunks) };
  }

  /** Deletes the collection (documents and chunks cascade) and its index. */
  remove(project: string, name: string): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const rows: { id: string; dim: number }[] = await m.query(`WITH d AS (DELETE FROM search_collections WHERE project_id = $1 AND name = $2 RETURNING id, dim) SELECT id, dim FROM d`, [project, name]);
      if (!rows.length) return false;
      await m.query(vectorIndexDdl(rows[0].id, rows[0].dim).drop);
      return true;
    });
  }

  /**
   * Marks the collection as re-indexing by `jobId` and drops its vector index (vectors of
   * two dimensions cannot share it). Only from ready, or from the re-index `c.jobId` that the
   * caller found ended (failed); false otherwise (another one runs).
   */
  beginReindex(c: Collection, jobId: string): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const rows: unknown[] = await m.query(`WITH u AS (UPDATE search_collections SET status = 'reindexing', job_id = $3, updated_at = now() WHERE project_id = $1 AND id = $2 AND (status = 'ready' OR job_id = $4) RETURNING id) SELECT id FROM u`, [
        c.projectId,
        c.id,
        jobId,
        c.jobId,
      ]);
      if (!rows.length) return false;
      await m.query(vectorIndexDdl(c.id, c.dim).drop);
      return true;
    });
  }

  /** Ends a re-index: the new model and dimension, the index rebuilt over the new vectors. */
  finishReindex(c: Collection, model: string, dim: number, requestedDim: number | null): Promise<void> {
    return this.ds.transaction(async (m) => {
      await m.query(`UPDATE search_collections SET status = 'ready', model = $3, dim = $4, requested_dim = $5, updated_at = now() WHERE project_id = $1 AND id = $2`, [c.projectId, c.id, model, dim, requestedDim]);
      await m.query(vectorIndexDdl(c.id, dim).create);
    });
  }

  /** Vector indexes whose collection is gone (a deleted project cascades rows, not indexes): dropped. */
  async dropOrphanIndexes(): Promise<string[]> {
    const rows: { name: string }[] = await this.ds.query(
      `SELECT i.indexname AS name FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename = 'search_chunks' AND i.indexname LIKE '${INDEX_PREFIX}%'
         AND NOT EXISTS (SELECT 1 FROM search_collections c WHERE replace(c.id::text, '-', '') = substr(i.indexname, ${INDEX_PREFIX.length + 1}))`,
    );
    for (const r of rows) if (/^search_chunks_hnsw_[0-9a-f]{32}$/.test(r.name)) await this.ds.query(`DROP INDEX IF EXISTS ${r.name}`);
    return rows.map((r) => r.name);
  }
}
