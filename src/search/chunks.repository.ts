import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { compileFilter } from './filters/filter-compiler';
import { vectorLiteral } from './documents.repository';
import type { ChunkHit, Collection, VectorPlan } from './search.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HIT_COLUMNS = `c.id::text AS "chunkId", c.document_id AS "documentId", c.seq, c.start_offset AS start, c.end_offset AS "end", c.text, c.metadata`;

export interface VectorQuery {
  vector: Float32Array;
  k: number;
  filter?: Record<string, unknown>;
  /** a filter matching at most this many chunks is answered by an exact scan */
  exactMaxRows: number;
  /** hnsw.max_scan_tuples of filtered index scans */
  maxScanTuples: number;
  /** hnsw.ef_search (raised to k when smaller) */
  efSearch: number;
}

/**
 * The chunk queries of search. Vector queries name the collection id and dimension as
 * literals (a uuid from the database and an integer, checked): only then can the planner
 * match the collection's partial HNSW index, `embedding::vector(D)` WHERE collection_id = '<id>'.
 * Filters compile to bind parameters (filters/filter-compiler.ts).
 */
@Injectable()
export class ChunksRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * The k nearest chunks by cosine similarity, never fewer than k when k chunks match: a
   * selective filter (at most exactMaxRows matches) is an exact scan; otherwise the HNSW
   * index with iterative scans, and an exact scan after all when the index gave too few.
   */
  vector(c: Collection, q: VectorQuery): Promise<{ hits: ChunkHit[]; plan: VectorPlan }> {
    const { id, dim } = this.checked(c);
    const f = compileFilter(q.filter, 'c.metadata', 2);
    const params = [vectorLiteral(q.vector), ...f.params];
    const distance = `(c.embedding::vector(${dim}) <=> $1::vector(${dim}))`;
    const base = `FROM search_chunks c WHERE c.collection_id = '${id}' AND ${f.sql}`;
    return this.ds.transaction(async (m) => {
      let matching: number | undefined;
      // the same conditions numbered from $1, for the counts (which have no vector parameter)
      const only = compileFilter(q.filter, 'c.metadata', 1);
      const matches = (limit: number) => this.count(m, `SELECT 1 FROM search_chunks c WHERE c.collection_id = '${id}' AND ${only.sql} LIMIT ${limit}`, only.params);
      if (f.params.length) {
        matching = await matches(q.exactMaxRows + 1);
        if (matching <= q.exactMaxRows) return { hits: await this.exact(m, distance, base, params, q.k), plan: 'exact' as const };
      }
      // one round trip for the five settings of this transaction (set_config(..., true) is SET LOCAL)
      await m.query(
        `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true), set_config('hnsw.iterative_scan', 'relaxed_order', true),
                set_config('hnsw.ef_search', $1, true), set_config('hnsw.max_scan_tuples', $2, true)`,
        [String(Math.min(1000, Math.max(1, Math.floor(q.efSearch), q.k))), String(Math.max(1, Math.floor(q.maxScanTuples)))],
      );
      // relaxed_order may return neighbours slightly out of order: re-sorted outside the scan
      const hits: ChunkHit[] = await m.query(
        `WITH ann AS MATERIALIZED (SELECT ${HIT_COLUMNS}, ${distance} AS distance ${base} ORDER BY ${distance} LIMIT ${q.k})
         SELECT "chunkId", "documentId", seq, start, "end", text, metadata, 1 - distance AS score FROM ann ORDER BY distance, "chunkId"`,
        params,
      );
      const plan: VectorPlan = f.params.length ? 'hnsw-iterative' : 'hnsw';
      if (hits.length >= q.k) return { hits: this.numbers(hits), plan };
      const available = matching !== undefined && matching > q.exactMaxRows && q.exactMaxRows >= q.k ? Infinity : await matches(q.k);
      if (hits.length >= Math.min(q.k, available)) return { hits: this.numbers(hits), plan };
      await m.query(`SELECT set_config('enable_seqscan', 'on', true), set_config('enable_bitmapscan', 'on', true)`);
      return { hits: await this.exact(m, distance, base, params, q.k), plan: 'hnsw-iterative+exact' as const };
    });
  }

  /** Full-text search over the segmented terms: any query lexeme matches, ranked by ts_rank_cd (length-normalized). */
  async keyword(c: Collection, terms: string, k: number, filter?: Record<string, unknown>): Promise<ChunkHit[]> {
    const f = compileFilter(filter, 'c.metadata', 4);
    const hits: ChunkHit[] = await this.ds.query(
      `WITH q AS (SELECT string_agg(quote_literal(l), ' | ')::tsquery AS q FROM unnest(tsvector_to_array(to_tsvector('simple', $2))) AS l)
       SELECT ${HIT_COLUMNS}, ts_rank_cd(c.tsv, q.q, 1) AS score FROM search_chunks c, q
       WHERE c.collection_id = $1 AND q.q IS NOT NULL AND c.tsv @@ q.q AND ${f.sql}
       ORDER BY score DESC, c.id LIMIT $3`,
      [c.id, terms, k, ...f.params],
    );
    return this.numbers(hits);
  }

  /** A page of chunks to re-embed, by id. */
  page(c: Collection, afterId: string, limit: number): Promise<{ id: string; text: string }[]> {
    return this.ds.query(`SELECT id::text AS id, text FROM search_chunks WHERE collection_id = $1 AND id > $2::bigint ORDER BY id LIMIT $3`, [c.id, afterId, limit]);
  }

  async count(m: EntityManager | DataSource, sql: string, params: unknown[]): Promise<number> {
    const [{ n }]: { n: string }[] = await m.query(`SELECT count(*) AS n FROM (${sql}) AS x`, params);
    return Number(n);
  }

  countAll(c: Collection): Promise<number> {
    return this.count(this.ds, `SELECT 1 FROM search_chunks WHERE collection_id = $1`, [c.id]);
  }

  async setEmbeddings(c: Collection, rows: { id: string; embedding: Float32Array }[]): Promise<void> {
    if (!rows.length) return;
    const params: unknown[] = [c.id];
    const values = rows.map((r) => {
      params.push(r.id, vectorLiteral(r.embedding));
      return `($${params.length - 1}::bigint, $${params.length}::vector)`;
    });
    await this.ds.query(`UPDATE search_chunks c SET embedding = v.e FROM (VALUES ${values.join(', ')}) AS v(id, e) WHERE c.collection_id = $1 AND c.id = v.id`, params);
  }

  private async exact(m: EntityManager, distance: string, base: string, params: unknown[], k: number): Promise<ChunkHit[]> {
    // the HNSW index is approximate: an exact answer must not use it
    await m.query(`SET LOCAL enable_indexscan = off`);
    const hits: ChunkHit[] = await m.query(`SELECT ${HIT_COLUMNS}, 1 - ${distance} AS score ${base} ORDER BY ${distance}, c.id LIMIT ${k}`, params);
    return this.numbers(hits);
  }

  private numbers(hits: ChunkHit[]): ChunkHit[] {
    return hits.map((h) => ({ ...h, score: Number(h.score), seq: Number(h.seq), start: Number(h.start), end: Number(h.end) }));
  }

  private checked(c: Collection): { id: string; dim: number } {
    if (!UUID.test(c.id) || !Number.isInteger(c.dim) || c.dim < 1 || c.dim > 16000) throw new Error(`bad collection id or dimension: ${c.id}, ${c.dim}`);
    return { id: c.id, dim: c.dim };
  }
}
