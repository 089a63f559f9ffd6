import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search (docs/search.md) and the shared jobs table.
 *
 * Collections belong to a project and fix their embedding model and dimension at creation.
 * Documents are keyed by the caller's id within a collection; `content_hash` makes re-sending
 * the same document a no-op. Chunks hold offsets into their document, the jieba-segmented
 * terms behind a generated tsvector (to_tsvector('simple', ...): the application segments,
 * so PGlite needs no zhparser), a copy of the document's metadata (filters apply in the
 * same index scan as the vector order) and an untyped `vector`: collections differ in
 * dimension, so each one gets its own partial HNSW index over `embedding::vector(D)`,
 * created with the collection (SearchRepository.createVectorIndex), not here.
 *
 * Jobs: long-running work of any module (search re-indexing first), with the lease and
 * heartbeat columns replicas will claim rows with.
 */
export class Search1764720000000 implements MigrationInterface {
  name = 'Search1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE search_collections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id varchar(64) NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        name varchar(64) NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
        description text NOT NULL DEFAULT '',
        model varchar(200) NOT NULL,
        dim integer NOT NULL CHECK (dim > 0 AND dim <= 16000),
        requested_dim integer,
        chunk_tokens integer NOT NULL,
        chunk_overlap integer NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'ready' CHECK (status IN ('ready', 'reindexing')),
        job_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (project_id, name)
      )`);
    await q.query(`
      CREATE TABLE search_documents (
        collection_id uuid NOT NULL REFERENCES search_collections (id) ON DELETE CASCADE,
        project_id varchar(64) NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        id varchar(200) NOT NULL,
        text text NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        content_hash char(64) NOT NULL,
        chunks integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (collection_id, id)
      )`);
    await q.query(`CREATE INDEX search_documents_project_idx ON search_documents (project_id)`);
    await q.query(`
      CREATE TABLE search_chunks (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        collection_id uuid NOT NULL REFERENCES search_collections (id) ON DELETE CASCADE,
        document_id varchar(200) NOT NULL,
        seq integer NOT NULL,
        start_offset integer NOT NULL,
        end_offset integer NOT NULL,
        text text NOT NULL,
        terms text NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED,
        metadata jsonb NOT NULL DEFAULT '{}',
        embedding vector,
        FOREIGN KEY (collection_id, document_id) REFERENCES search_documents (collection_id, id) ON DELETE CASCADE,
        UNIQUE (collection_id, document_id, seq)
      )`);
    await q.query(`CREATE INDEX search_chunks_tsv_idx ON search_chunks USING gin (tsv)`);
    await q.query(`CREATE INDEX search_chunks_metadata_idx ON search_chunks USING gin (metadata jsonb_path_ops)`);

    await q.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id varchar(64) NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        kind varchar(64) NOT NULL,
        subject varchar(200) NOT NULL DEFAULT '',
        status varchar(16) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        input jsonb NOT NULL DEFAULT '{}',
        progress jsonb NOT NULL DEFAULT '{}',
        result jsonb,
        error text,
        attempts integer NOT NULL DEFAULT 0,
        lease_owner varchar(200),
        lease_expires_at timestamptz,
        heartbeat_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX jobs_project_idx ON jobs (project_id, created_at DESC)`);
    await q.query(`CREATE INDEX jobs_open_idx ON jobs (status, lease_expires_at) WHERE status IN ('queued', 'running')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE jobs`);
    await q.query(`DROP TABLE search_chunks`);
    await q.query(`DROP TABLE search_documents`);
    await q.query(`DROP TABLE search_collections`);
  }
}
