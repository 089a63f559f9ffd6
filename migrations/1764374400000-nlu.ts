import { MigrationInterface, QueryRunner } from 'typeorm';

/** NLU training data (examples, lookups, synonyms, regexes) and trained model versions. */
export class Nlu1764374400000 implements MigrationInterface {
  name = 'Nlu1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE nlu_examples (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        text varchar(1000) NOT NULL UNIQUE,
        intent varchar(64) NOT NULL,
        entities jsonb NOT NULL DEFAULT '[]',
        lang varchar(8),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX nlu_examples_intent_idx ON nlu_examples (intent)`);
    await q.query(`CREATE TABLE nlu_lookups (name varchar(64) PRIMARY KEY, elements jsonb NOT NULL DEFAULT '[]', updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE nlu_synonyms (value varchar(200) PRIMARY KEY, synonyms jsonb NOT NULL DEFAULT '[]', updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE nlu_regexes (name varchar(64) PRIMARY KEY, patterns jsonb NOT NULL DEFAULT '[]', updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`
      CREATE TABLE nlu_models (
        version serial PRIMARY KEY,
        status varchar(16) NOT NULL CHECK (status IN ('training', 'ready', 'failed')),
        active boolean NOT NULL DEFAULT false,
        examples integer NOT NULL DEFAULT 0,
        labels jsonb NOT NULL DEFAULT '[]',
        threshold real,
        config jsonb,
        metrics jsonb,
        progress jsonb,
        onnx bytea,
        tagger text,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX nlu_models_one_active ON nlu_models (active) WHERE active`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE nlu_models`);
    await q.query(`DROP TABLE nlu_regexes`);
    await q.query(`DROP TABLE nlu_synonyms`);
    await q.query(`DROP TABLE nlu_lookups`);
    await q.query(`DROP TABLE nlu_examples`);
  }
}
