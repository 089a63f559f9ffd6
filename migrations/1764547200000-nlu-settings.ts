import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Store-level NLU settings: which built-in extractors and bundled gazetteers run and the
 * entity names they report (src/nlu/entities/entity-settings.ts). One row per project; until
 * projects exist there is the one implicit store, 'default'. `settings` holds only what an
 * operator set; the defaults fill in the rest when it is read, so new built-ins get theirs.
 */
export class NluSettings1764547200000 implements MigrationInterface {
  name = 'NluSettings1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE nlu_settings (
        project_id text NOT NULL DEFAULT 'default' PRIMARY KEY,
        settings jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE nlu_settings`);
  }
}
