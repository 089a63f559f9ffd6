import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * NLU model artifacts leave the nlu_models row (docs/decisions/0008-nlu-artifacts.md): one
 * checksum row per artifact file, and its bytes in 1 MiB chunks where the database is the
 * shared copy. Bytes stored by earlier versions (nlu_models.onnx / .tagger) are moved into
 * chunks here, in SQL, so an existing DATA_DIR starts and serves its versions unchanged; the
 * server then caches them as files. Also: who activated a version and when, and why a
 * finished run is not serving (explicit activations win over runs that finish later).
 */
export class NluArtifacts1764460800000 implements MigrationInterface {
  name = 'NluArtifacts1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE nlu_artifacts (
        version integer NOT NULL REFERENCES nlu_models (version) ON DELETE CASCADE,
        name varchar(64) NOT NULL,
        sha256 char(64) NOT NULL,
        bytes bigint NOT NULL,
        chunks integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (version, name)
      )`);
    await q.query(`
      CREATE TABLE nlu_artifact_chunks (
        version integer NOT NULL,
        name varchar(64) NOT NULL,
        seq integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (version, name, seq),
        FOREIGN KEY (version, name) REFERENCES nlu_artifacts (version, name) ON DELETE CASCADE
      )`);
    await q.query(`ALTER TABLE nlu_models ADD COLUMN activated_at timestamptz, ADD COLUMN activated_by varchar(16), ADD COLUMN note text`);
    await q.query(`UPDATE nlu_models SET activated_at = finished_at, activated_by = 'training' WHERE active`);
    // Legacy bytes -> checksum rows + 1 MiB chunks (the same layout new versions use on Postgres).
    for (const [column, name, bytes] of [['onnx', 'intent.onnx', 'm.onnx'], ['tagger', 'tagger.json', `convert_to(m.tagger, 'UTF8')`]] as const) {
      await q.query(`
        INSERT INTO nlu_artifacts (version, name, sha256, bytes, chunks)
        SELECT m.version, '${name}', encode(sha256(${bytes}), 'hex'), length(${bytes}), GREATEST(1, (length(${bytes}) + 1048575) / 1048576)
        FROM nlu_models m WHERE m.${column} IS NOT NULL`);
      await q.query(`
        INSERT INTO nlu_artifact_chunks (version, name, seq, data)
        SELECT m.version, '${name}', s, substring(${bytes} FROM s * 1048576 + 1 FOR 1048576)
        FROM nlu_models m, generate_series(0, GREATEST(0, (length(${bytes}) - 1) / 1048576)) s
        WHERE m.${column} IS NOT NULL`);
    }
    await q.query(`UPDATE nlu_models SET onnx = NULL, tagger = NULL WHERE onnx IS NOT NULL OR tagger IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Bytes that only live as files (new versions on PGlite) cannot come back; those in chunks do.
    await q.query(`
      UPDATE nlu_models m SET onnx = c.data FROM (
        SELECT version, string_agg(data, ''::bytea ORDER BY seq) AS data FROM nlu_artifact_chunks WHERE name = 'intent.onnx' GROUP BY version
      ) c WHERE c.version = m.version`);
    await q.query(`
      UPDATE nlu_models m SET tagger = convert_from(c.data, 'UTF8') FROM (
        SELECT version, string_agg(data, ''::bytea ORDER BY seq) AS data FROM nlu_artifact_chunks WHERE name = 'tagger.json' GROUP BY version
      ) c WHERE c.version = m.version`);
    await q.query(`DROP TABLE nlu_artifact_chunks`);
    await q.query(`DROP TABLE nlu_artifacts`);
    await q.query(`ALTER TABLE nlu_models DROP COLUMN activated_at, DROP COLUMN activated_by, DROP COLUMN note`);
  }
}
