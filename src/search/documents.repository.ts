import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Collection, NewChunk, StoredDocument } from './search.types';

const DOC_COLUMNS = `id, text, metadata, content_hash AS "contentHash", chunks, created_at AS "createdAt", updated_at AS "updatedAt"`;
/** Rows per multi-row INSERT: 9 parameters a chunk stays far below Postgres's 65535. */
const INSERT_ROWS = 200;

export const vectorLiteral = (v: Float32Array | number[]) => `[${Array.from(v).join(',')}]`;

export interface DocumentWrite {
  id: string;
  text: string;
  metadata: Record<string, unknown>;
  contentHash: string;
  /** new chunks replacing the old ones; undefined: the text is unchanged, only metadata is rewritten */
  chunks?: NewChunk[];
}

/** search_documents and the chunk rows written with them; every query names the collection's project. */
@Injectable()
export class DocumentsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The stored hashes (and texts, to tell a metadata-only change) of the given ids. */
  async existing(c: Collection, ids: string[]): Promise<Map<string, { contentHash: string; text: string }>> {
    const rows: { id: string; contentHash: string; text: string }[] = await this.ds.query(
      `SELECT id, content_hash AS "contentHash", text FROM search_documents WHERE project_id = $1 AND collection_id = $2 AND id IN (SELECT jsonb_array_elements_text($3::jsonb))`,
      [c.projectId, c.id, JSON.stringify(ids)],
    );
    return new Map(rows.map((r) => [r.id, { contentHash: r.contentHash, text: r.text }]));
  }

  async list(c: Collection, limit: number, offset: number): Promise<{ items: StoredDocument[]; total: number }> {
    const items: StoredDocument[] = await this.ds.query(`SELECT ${DOC_COLUMNS} FROM search_documents WHERE project_id = $1 AND collection_id = $2 ORDER BY id LIMIT $3 OFFSET $4`, [c.projectId, c.id, limit, offset]);
    const [{ n }]: { n: string }[] = await this.ds.query(`SELECT count(*) AS n FROM search_documents WHERE project_id = $1 AND collection_id = $2`, [c.projectId, c.id]);
    return { items, total: Number(n) };
  }

  async get(c: Collection, id: string): Promise<StoredDocument | null> {
    const rows: StoredDocument[] = await this.ds.query(`SELECT ${DOC_COLUMNS} FROM search_documents WHERE project_id = $1 AND collection_id = $2 AND id = $3`, [c.projectId, c.id, id]);
    return rows[0] ?? null;
  }

  /** Chunks of a document, in order (without vectors). */
  chunksOf(c: Collection, id: string): Promise<{ seq: number; start: number; end: number; text: string }[]> {
    return this.ds.query(`SELECT seq, start_offset AS start, end_offset AS "end", text FROM search_chunks WHERE collection_id = $1 AND document_id = $2 ORDER BY seq`, [c.id, id]);
  }

  /** Deletes a document; its chunks cascade. */
  async remove(c: Collection, id: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(`WITH d AS (DELETE FROM search_documents WHERE project_id = $1 AND collection_id = $2 AND id = $3 RETURNING id) SELECT id FROM d`, [c.projectId, c.id, id]);
    return rows.length > 0;
  }

  /**
   * Writes a batch in the caller's transaction: documents upserted, the chunks of changed
   * texts replaced, metadata copied onto the chunks of metadata-only changes. Returns the
   * ids that existed before.
   */
  private async write(m: EntityManager, c: Collection, docs: DocumentWrite[]): Promise<Set<string>> {
    const before = new Set<string>();
    for (let i = 0; i < docs.length; i += INSERT_ROWS) {
      const part = docs.slice(i, i + INSERT_ROWS);
      const params: unknown[] = [c.projectId, c.id];
      const values = part.map((d) => {
        params.push(d.id, d.text, JSON.stringify(d.metadata), d.contentHash, d.chunks?.length ?? null);
        const p = params.length;
        return `($1, $2, $${p - 4}, $${p - 3}, $${p - 2}::jsonb, $${p - 1}, COALESCE($${p}::int, 0))`;
      });
      // xmax = 0 tells an inserted row from an updated one
      const rows: { id: string; inserted: boolean }[] = await m.query(
        `INSERT INTO search_documents AS d (project_id, collection_id, id, text, metadata, content_hash, chunks) VALUES ${values.join(', ')}
         ON CONFLICT (collection_id, id) DO UPDATE SET text = EXCLUDED.text, metadata = EXCLUDED.metadata, content_hash = EXCLUDED.content_hash,
           chunks = CASE WHEN EXCLUDED.text = d.text THEN d.chunks ELSE EXCLUDED.chunks END, updated_at = now()
         RETURNING id, (xmax = 0) AS inserted`,
        params,
      );
      for (const r of rows) if (!r.inserted) before.add(r.id);
    }
    const rechunked = docs.filter((d) => d.chunks);
    const metadataOnly = docs.filter((d) => !d.chunks);
    if (rechunked.length) await m.query(`DELETE FROM search_chunks WHERE collection_id = $1 AND document_id IN (SELECT jsonb_array_elements_text($2::jsonb))`, [c.id, JSON.stringify(rechunked.map((d) => d.id))]);
    for (const d of metadataOnly) await m.query(`UPDATE search_chunks SET metadata = $3::jsonb WHERE collection_id = $1 AND document_id = $2`, [c.id, d.id, JSON.stringify(d.metadata)]);
    const chunks = rechunked.flatMap((d) => d.chunks!);
    for (let i = 0; i < chunks.length; i += INSERT_ROWS) await this.insertChunks(m, c, chunks.slice(i, i + INSERT_ROWS));
    return before;
  }

  private async insertChunks(m: EntityManager, c: Collection, chunks: NewChunk[]): Promise<void> {
    const params: unknown[] = [c.id];
    const values = chunks.map((k) => {
      params.push(k.documentId, k.seq, k.start, k.end, k.text, k.terms, JSON.stringify(k.metadata), vectorLiteral(k.embedding));
      const p = params.length - 7;
      return `($1, $${p}, $${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::jsonb, $${p + 7}::vector)`;
    });
    await m.query(`INSERT INTO search_chunks (collection_id, document_id, seq, start_offset, end_offset, text, terms, metadata, embedding) VALUES ${values.join(', ')}`, params);
  }

  /**
   * One batch in one transaction, holding the collection's write lock (one writer per
   * collection at a time) and a share lock on its row, so a re-index cannot start (nor the
   * collection vanish) before the commit. 'gone' / 'changed' (re-indexing, another model)
   * write nothing; otherwise the ids that existed before.
   */
  writeBatch(c: Collection, docs: DocumentWrite[]): Promise<{ outcome: 'gone' | 'changed' } | { outcome: 'written'; before: Set<string> }> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`search:${c.id}`]);
      const rows: Pick<Collection, 'model' | 'dim' | 'status'>[] = await m.query(`SELECT model, dim, status FROM search_collections WHERE project_id = $1 AND id = $2 FOR SHARE`, [c.projectId, c.id]);
      if (!rows.length) return { outcome: 'gone' as const };
      if (rows[0].status !== 'ready' || rows[0].model !== c.model || rows[0].dim !== c.dim) return { outcome: 'changed' as const };
      return { outcome: 'written' as const, before: await this.write(m, c, docs) };
    });
  }
}
