import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables of the NLU module whose rows belong to one project, with the key that was global before. */
const NLU_KEYED = [
  { table: 'nlu_lookups', key: 'name' },
  { table: 'nlu_synonyms', key: 'value' },
  { table: 'nlu_regexes', key: 'name' },
] as const;

/**
 * Projects (docs/projects.md): the one scope every module's data lives in. The `default`
 * project exists from the first start; every existing API key, NLU example, lookup,
 * synonym, regex and model version moves into it here, so an upgraded DATA_DIR serves
 * exactly what it served before. Keys gain the `platform` role. Each project_id references
 * projects with ON DELETE CASCADE: deleting a project is one DELETE in one transaction.
 * Model versions stay numbered by one sequence for the whole server (the pool id names the
 * project: nlu-intent-<project>-v<n>); artifacts belong to a version and go with it.
 * Usage counters are per project, per hour bucket and metric, added to in batches.
 */
export class Projects1764633600000 implements MigrationInterface {
  name = 'Projects1764633600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projects (
        id varchar(64) PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
        name varchar(200) NOT NULL,
        settings jsonb NOT NULL DEFAULT '{}',
        quotas jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO projects (id, name) VALUES ('default', 'Default project')`);
    // nlu_settings had a project_id before projects existed: any id it names becomes a project.
    await q.query(`INSERT INTO projects (id, name) SELECT DISTINCT project_id, project_id FROM nlu_settings ON CONFLICT (id) DO NOTHING`);
    await q.query(`ALTER TABLE nlu_settings ALTER COLUMN project_id TYPE varchar(64), ALTER COLUMN project_id DROP DEFAULT`);
    await q.query(`ALTER TABLE nlu_settings ADD CONSTRAINT nlu_settings_project_fk FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE`);

    await this.addProject(q, 'api_keys');
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check`);
    await q.query(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('platform', 'admin', 'user'))`);
    await q.query(`CREATE INDEX api_keys_project_idx ON api_keys (project_id)`);

    await this.addProject(q, 'nlu_examples');
    await q.query(`ALTER TABLE nlu_examples DROP CONSTRAINT nlu_examples_text_key`);
    await q.query(`ALTER TABLE nlu_examples ADD CONSTRAINT nlu_examples_project_text_key UNIQUE (project_id, text)`);
    await q.query(`DROP INDEX nlu_examples_intent_idx`);
    await q.query(`CREATE INDEX nlu_examples_project_intent_idx ON nlu_examples (project_id, intent)`);
    for (const { table, key } of NLU_KEYED) {
      await this.addProject(q, table);
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey, ADD PRIMARY KEY (project_id, ${key})`);
    }

    await this.addProject(q, 'nlu_models');
    await q.query(`DROP INDEX nlu_models_one_active`);
    await q.query(`CREATE UNIQUE INDEX nlu_models_one_active ON nlu_models (project_id) WHERE active`);
    await q.query(`CREATE INDEX nlu_models_project_idx ON nlu_models (project_id, version)`);

    await q.query(`
      CREATE TABLE usage_counters (
        project_id varchar(64) NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        bucket timestamptz NOT NULL,
        metric varchar(64) NOT NULL,
        value bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (project_id, bucket, metric)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Only the default project's data fits the single-scope schema; the other projects' rows go.
    await q.query(`DROP TABLE usage_counters`);
    for (const table of ['api_keys', 'nlu_examples', 'nlu_lookups', 'nlu_synonyms', 'nlu_regexes', 'nlu_models']) {
      await q.query(`DELETE FROM ${table} WHERE project_id <> 'default'`);
    }
    await q.query(`DROP INDEX nlu_models_project_idx`);
    await q.query(`DROP INDEX nlu_models_one_active`);
    await q.query(`CREATE UNIQUE INDEX nlu_models_one_active ON nlu_models (active) WHERE active`);
    for (const { table, key } of NLU_KEYED) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey, ADD PRIMARY KEY (${key})`);
    }
    await q.query(`DROP INDEX nlu_examples_project_intent_idx`);
    await q.query(`CREATE INDEX nlu_examples_intent_idx ON nlu_examples (intent)`);
    await q.query(`ALTER TABLE nlu_examples DROP CONSTRAINT nlu_examples_project_text_key`);
    await q.query(`ALTER TABLE nlu_examples ADD CONSTRAINT nlu_examples_text_key UNIQUE (text)`);
    await q.query(`DROP INDEX api_keys_project_idx`);
    await q.query(`UPDATE api_keys SET role = 'admin' WHERE role = 'platform'`);
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check`);
    await q.query(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'user'))`);
    for (const table of ['api_keys', 'nlu_examples', 'nlu_lookups', 'nlu_synonyms', 'nlu_regexes', 'nlu_models']) {
      await q.query(`ALTER TABLE ${table} DROP COLUMN project_id`);
    }
    await q.query(`ALTER TABLE nlu_settings DROP CONSTRAINT nlu_settings_project_fk`);
    await q.query(`DELETE FROM nlu_settings WHERE project_id <> 'default'`);
    await q.query(`ALTER TABLE nlu_settings ALTER COLUMN project_id TYPE text, ALTER COLUMN project_id SET DEFAULT 'default'`);
    await q.query(`DROP TABLE projects`);
  }

  /** Adds project_id (existing rows: 'default'), then drops the default so every new row must name its project. */
  private async addProject(q: QueryRunner, table: string): Promise<void> {
    await q.query(`ALTER TABLE ${table} ADD COLUMN project_id varchar(64) NOT NULL DEFAULT 'default' REFERENCES projects (id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE ${table} ALTER COLUMN project_id DROP DEFAULT`);
  }
}
