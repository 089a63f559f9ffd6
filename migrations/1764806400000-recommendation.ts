import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recommendation (docs/recommendation.md): a catalog, users and interaction events per
 * project, and trained model versions.
 *
 * Items and users are keyed by the caller's string id within the project. Events are keyed
 * by (project, event id): re-sending an event is a no-op (ON CONFLICT DO NOTHING), which is
 * what makes bulk ingestion safe to retry. An event names an existing item and user (foreign
 * keys): the service creates unknown users and rejects unknown items before writing; deleting
 * an item or a user deletes its events. `ts` is when it happened (client-supplied allowed),
 * `received_at` when the server committed it. Model versions keep their metrics and their
 * artifact (item-item neighbour lists, popularity) as bytes; one is active per project, swapped
 * in one UPDATE. A version row doubles as the training job (status, progress).
 */
export class Recommendation1764806400000 implements MigrationInterface {
  name = 'Recommendation1764806400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rec_items (
        project_id varchar(64) NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        id varchar(200) NOT NULL,
        title text NOT NULL,
        category varchar(200),
        sub_categories text[] NOT NULL DEFAULT '{}',
        tags text[] NOT NULL DEFAULT '{}',
        price numeric(14, 2),
        currency varchar(8),
        attributes jsonb NOT NULL DEFAULT '{}',
        description text NOT NULL DEFAULT '',
        available boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, id)
      )`);
    await q.query(`CREATE INDEX rec_items_category_idx ON rec_items (project_id, category)`);
    await q.query(`
      CREATE TABLE rec_users (
        project_id varchar(64) NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        id varchar(200) NOT NULL,
        attributes jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, id)
      )`);
    await q.query(`
      CREATE TABLE rec_events (
        project_id varchar(64) NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        id varchar(200) NOT NULL,
        user_id varchar(200) NOT NULL,
        item_id varchar(200) NOT NULL,
        type varchar(16) NOT NULL CHECK (type IN ('view', 'click', 'add_to_cart', 'purchase', 'rating', 'dislike')),
        value double precision,
        ts timestamptz NOT NULL DEFAULT now(),
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, id),
        FOREIGN KEY (project_id, user_id) REFERENCES rec_users (project_id, id) ON DELETE CASCADE,
        FOREIGN KEY (project_id, item_id) REFERENCES rec_items (project_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX rec_events_user_idx ON rec_events (project_id, user_id, ts)`);
    await q.query(`CREATE INDEX rec_events_item_idx ON rec_events (project_id, item_id)`);
    await q.query(`
      CREATE TABLE rec_models (
        project_id varchar(64) NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        version integer NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'training', 'ready', 'failed')),
        active boolean NOT NULL DEFAULT false,
        params jsonb NOT NULL DEFAULT '{}',
        progress jsonb NOT NULL DEFAULT '{}',
        metrics jsonb,
        stats jsonb,
        error text,
        artifact bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        PRIMARY KEY (project_id, version)
      )`);
    await q.query(`CREATE UNIQUE INDEX rec_models_one_active ON rec_models (project_id) WHERE active`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rec_models`);
    await q.query(`DROP TABLE rec_events`);
    await q.query(`DROP TABLE rec_users`);
    await q.query(`DROP TABLE rec_items`);
  }
}
