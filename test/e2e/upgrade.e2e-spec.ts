/**
 * Upgrading a database of the previous release (before projects): its migrations, data
 * written the way that release wrote it, then this release's migrations. Nothing may be lost:
 * every row comes back unchanged, now in the `default` project, and the new per-project keys
 * behave (the same text may exist in two projects, not twice in one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { buildDataSourceOptions } from '../../src/data/data-source';
import { createPostgresDatabase, testDatabases } from './support/databases';

const PREVIOUS_RELEASE = MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name === 'Projects1764633600000'));

/** Rows as the previous release wrote them (its own SQL shapes: no project anywhere). */
async function writePreviousReleaseData(ds: DataSource): Promise<void> {
  await ds.query(`INSERT INTO api_keys (name, key_hash, key_prefix, role, owner_id) VALUES ('ops', repeat('a', 64), 'llmos_aaaa', 'admin', 'ops'), ('app', repeat('b', 64), 'llmos_bbbb', 'user', 'alice')`);
  await ds.query(
    `INSERT INTO nlu_examples (text, intent, entities, lang) VALUES
     ('今天北京天气怎么样', 'weather', '[{"start":2,"end":4,"value":"北京","entity":"city"}]', 'zh'),
     ('play some jazz', 'play_music', '[]', 'en'),
     ('我要订购一本小说', 'order_book', '[]', 'zh')`,
  );
  await ds.query(`INSERT INTO nlu_lookups (name, elements) VALUES ('city', '["北京","上海"]')`);
  await ds.query(`INSERT INTO nlu_synonyms (value, synonyms) VALUES ('北京', '["帝都","Beijing"]')`);
  await ds.query(`INSERT INTO nlu_regexes (name, patterns) VALUES ('order_id', '["ORD-[0-9]{6}"]')`);
  await ds.query(`INSERT INTO nlu_models (status, active, examples, labels, threshold, config) VALUES ('ready', false, 3, '["a","b"]', 0.2, '{}'), ('ready', true, 3, '["order_book","play_music","weather"]', 0.31, '{"featurizer":{}}')`);
  await ds.query(`INSERT INTO nlu_artifacts (version, name, sha256, bytes, chunks) VALUES (2, 'intent.onnx', repeat('c', 64), 3, 1)`);
  await ds.query(`INSERT INTO nlu_artifact_chunks (version, name, seq, data) VALUES (2, 'intent.onnx', 0, '\\x010203'::bytea)`);
  await ds.query(`INSERT INTO nlu_settings (settings) VALUES ('{"builtins":{"number":{"entity":"party_size"}}}')`);
}

const TABLES: Record<string, string> = {
  api_keys: 'id, name, key_hash, key_prefix, role, owner_id, created_at',
  nlu_examples: 'id, text, intent, entities, lang, created_at, updated_at',
  nlu_lookups: 'name, elements',
  nlu_synonyms: 'value, synonyms',
  nlu_regexes: 'name, patterns',
  nlu_models: 'version, status, active, examples, labels, threshold, config, activated_at, activated_by',
  nlu_artifacts: 'version, name, sha256, bytes, chunks',
  nlu_artifact_chunks: 'version, name, seq, data',
  nlu_settings: 'project_id, settings',
};

async function snapshot(ds: DataSource): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [t, cols] of Object.entries(TABLES)) out[t] = await ds.query(`SELECT ${cols} FROM ${t} ORDER BY 1, 2`);
  return out;
}

describe.each(testDatabases())('upgrade from the release before projects (%s)', (kind) => {
  let dataDir: string;
  let postgres: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined;
  const open = async (migrations: typeof MIGRATIONS) => {
    const ds = new DataSource(await buildDataSourceOptions({ databaseUrl: postgres?.url, dataDir, migrationsRun: false }, { migrations }));
    await ds.initialize();
    return ds;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'llmos-upgrade-'));
    if (kind === 'postgres') postgres = await createPostgresDatabase();
  });
  afterAll(async () => {
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every row, moves it into the default project, and scopes the keys per project', async () => {
    const old = await open(PREVIOUS_RELEASE);
    await old.runMigrations();
    await writePreviousReleaseData(old);
    const before = await snapshot(old);
    await old.destroy();

    const ds = await open(MIGRATIONS);
    const applied = await ds.runMigrations();
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.slice(PREVIOUS_RELEASE.length).map((m) => new m().name));
    try {
      expect(await snapshot(ds)).toEqual(before);
      expect(await ds.query(`SELECT id FROM projects`)).toEqual([{ id: 'default' }]);
      for (const t of ['api_keys', 'nlu_examples', 'nlu_lookups', 'nlu_synonyms', 'nlu_regexes', 'nlu_models']) {
        expect(await ds.query(`SELECT DISTINCT project_id FROM ${t}`)).toEqual([{ project_id: 'default' }]);
      }

      // The same text, lookup name and an active model may now exist in another project, once each.
      await ds.query(`INSERT INTO projects (id, name) VALUES ('shop', 'Shop')`);
      await ds.query(`INSERT INTO nlu_examples (project_id, text, intent) VALUES ('shop', 'play some jazz', 'music')`);
      await expect(ds.query(`INSERT INTO nlu_examples (project_id, text, intent) VALUES ('shop', 'play some jazz', 'other')`)).rejects.toThrow(/duplicate key/);
      await ds.query(`INSERT INTO nlu_lookups (project_id, name, elements) VALUES ('shop', 'city', '[]')`);
      await ds.query(`INSERT INTO nlu_models (project_id, status, active) VALUES ('shop', 'ready', true)`);
      await expect(ds.query(`INSERT INTO nlu_models (project_id, status, active) VALUES ('shop', 'ready', true)`)).rejects.toThrow(/duplicate key/);
      // Rows must name their project now.
      await expect(ds.query(`INSERT INTO nlu_examples (text, intent) VALUES ('x', 'y')`)).rejects.toThrow(/null value|not-null/);

      // Deleting a project takes every row of it, and only its rows.
      await ds.query(`DELETE FROM projects WHERE id = 'shop'`);
      expect(await snapshot(ds)).toEqual(before);
    } finally {
      await ds.destroy();
    }
  });

  it('migrates back down to the previous schema with the default project\'s rows', async () => {
    const ds = await open(MIGRATIONS);
    try {
      const before = await snapshot(ds);
      // back to the previous release: every migration from projects on, newest first
      for (let i = PREVIOUS_RELEASE.length; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
      expect(await snapshot(ds)).toEqual(before);
      await expect(ds.query(`SELECT 1 FROM projects`)).rejects.toThrow(/projects/);
      await ds.runMigrations();
      expect(await snapshot(ds)).toEqual(before);
    } finally {
      await ds.destroy();
    }
  });
});
