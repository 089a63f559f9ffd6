import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scale-out (docs/scaling.md): a project trains at most one NLU version and one
 * recommendation version at a time, enforced by the database so that replicas cannot both
 * start one (the second insert fails and the request gets 409). Runs left open by earlier
 * processes beyond the newest one per project are failed first, so the indexes can be built.
 * A claim index serves the replicas' queue polling (oldest claimable job first).
 */
export class ScaleOut1764979200000 implements MigrationInterface {
  name = 'ScaleOut1764979200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE nlu_models m SET status = 'failed', error = 'interrupted: superseded by a newer run of the project', finished_at = now()
      WHERE status = 'training' AND EXISTS (SELECT 1 FROM nlu_models n WHERE n.project_id = m.project_id AND n.status = 'training' AND n.version > m.version)`);
    await q.query(`CREATE UNIQUE INDEX nlu_models_one_training ON nlu_models (project_id) WHERE status = 'training'`);
    await q.query(`
      UPDATE rec_models m SET status = 'failed', error = 'interrupted: superseded by a newer run of the project', finished_at = now()
      WHERE status IN ('queued', 'training') AND EXISTS (SELECT 1 FROM rec_models n WHERE n.project_id = m.project_id AND n.status IN ('queued', 'training') AND n.version > m.version)`);
    await q.query(`CREATE UNIQUE INDEX rec_models_one_training ON rec_models (project_id) WHERE status IN ('queued', 'training')`);
    await q.query(`CREATE INDEX jobs_claim_idx ON jobs (created_at) WHERE status = 'queued'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX jobs_claim_idx`);
    await q.query(`DROP INDEX rec_models_one_training`);
    await q.query(`DROP INDEX nlu_models_one_training`);
  }
}
