import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotent dialogue messages (docs/dialogue.md): a client may name each message it sends
 * (`id`); the user message keeps that name, unique per session, so a message sent again after
 * a lost response (a replica that died, a timeout) is answered with the stored reply instead
 * of running a second turn. Messages sent without an id are not constrained.
 */
export class DialogueIdempotency1765152000000 implements MigrationInterface {
  name = 'DialogueIdempotency1765152000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE dialogue_messages ADD COLUMN client_id varchar(128)`);
    await q.query(`CREATE UNIQUE INDEX dialogue_messages_client_idx ON dialogue_messages (session_id, client_id) WHERE client_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX dialogue_messages_client_idx`);
    await q.query(`ALTER TABLE dialogue_messages DROP COLUMN client_id`);
  }
}
