import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dialogue (docs/dialogue.md): assistants (a project's domain files), conversations with their
 * tracker state, messages, and the orders the ordering skill records.
 *
 * A session belongs to a project and an end-user id; its `state` (slots, active form, last
 * intent) is JSONB written in the same transaction as the turn's messages, so a restart
 * resumes a form. `ticket` / `served` order the turns of one session across replicas: a turn
 * takes the next ticket with one UPDATE and runs when `served` reaches the ticket before it
 * (docs/decisions/0011). `status` is `bot`, or `handoff` while a person is wanted.
 */
export class Dialogue1764892800000 implements MigrationInterface {
  name = 'Dialogue1764892800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dialogue_assistants (
        project_id varchar(64) NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        name varchar(64) NOT NULL,
        source text NOT NULL,
        domain jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, name)
      )`);
    await q.query(`
      CREATE TABLE dialogue_sessions (
        id uuid PRIMARY KEY,
        project_id varchar(64) NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        assistant varchar(64) NOT NULL,
        user_id varchar(200) NOT NULL,
        state jsonb NOT NULL DEFAULT '{}',
        profile jsonb NOT NULL DEFAULT '{}',
        status varchar(16) NOT NULL DEFAULT 'bot' CHECK (status IN ('bot', 'handoff')),
        ticket bigint NOT NULL DEFAULT 0,
        served bigint NOT NULL DEFAULT 0,
        turn_started_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX dialogue_sessions_user_idx ON dialogue_sessions (project_id, user_id, updated_at)`);
    await q.query(`CREATE INDEX dialogue_sessions_handoff_idx ON dialogue_sessions (project_id, updated_at) WHERE status = 'handoff'`);
    await q.query(`
      CREATE TABLE dialogue_messages (
        id bigserial PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES dialogue_sessions (id) ON DELETE CASCADE,
        project_id varchar(64) NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        role varchar(8) NOT NULL CHECK (role IN ('user', 'bot', 'agent')),
        text text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX dialogue_messages_session_idx ON dialogue_messages (session_id, id)`);
    await q.query(`
      CREATE TABLE dialogue_orders (
        id bigserial PRIMARY KEY,
        project_id varchar(64) NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        session_id uuid REFERENCES dialogue_sessions (id) ON DELETE SET NULL,
        user_id varchar(200) NOT NULL,
        item_id varchar(200) NOT NULL,
        title text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        unit_price numeric(14, 2) NOT NULL,
        total numeric(14, 2) NOT NULL,
        member_total numeric(14, 2),
        status varchar(16) NOT NULL DEFAULT 'placed',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX dialogue_orders_user_idx ON dialogue_orders (project_id, user_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dialogue_orders`);
    await q.query(`DROP TABLE dialogue_messages`);
    await q.query(`DROP TABLE dialogue_sessions`);
    await q.query(`DROP TABLE dialogue_assistants`);
  }
}
