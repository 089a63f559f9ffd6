import { MigrationInterface, QueryRunner } from 'typeorm';

/** The vector extension, API keys and the model-load audit log. */
export class Init1764288000000 implements MigrationInterface {
  name = 'Init1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS vector`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        key_hash char(64) NOT NULL UNIQUE,
        key_prefix varchar(16) NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('admin', 'user')),
        owner_id varchar(100) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_owner_idx ON api_keys (owner_id)`);
    await q.query(`
      CREATE TABLE model_load_events (
        id bigserial PRIMARY KEY,
        model_id varchar(200) NOT NULL,
        action varchar(16) NOT NULL,
        ok boolean NOT NULL,
        provider varchar(32),
        duration_ms integer,
        error text,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX model_load_events_model_idx ON model_load_events (model_id, at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE model_load_events`);
    await q.query(`DROP TABLE api_keys`);
  }
}
