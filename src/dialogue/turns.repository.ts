import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isSessionId, MessageRow, SessionRow } from './dialogue.repository';
import type { DialogueState } from './engine/tracker';
import { GroupBatcher } from './engine/group-batcher';

export type TurnSession = SessionRow & { uploadedDomain: unknown };

/** What a turn writes when it ends: its messages, the new state and status (none: a turn that failed or only waited). */
export interface TurnWrite {
  project: string;
  state?: DialogueState;
  status?: 'bot' | 'handoff';
  messages: (Omit<MessageRow, 'id' | 'createdAt'> & { clientId?: string })[];
}

interface TicketAsk {
  id: string;
  project: string;
  userId: string | null;
}

/**
 * The batch's session rows locked in id order before they are updated: two replicas' batches
 * that share sessions then wait for each other instead of deadlocking (Postgres; a deadlock would
 * cost deadlock_timeout before the batches fell back to one statement per turn).
 */
const LOCK_IN_ORDER = `SELECT s.id FROM dialogue_sessions s JOIN v ON s.id = v.id ORDER BY s.id FOR UPDATE OF s`;

/** The session columns of a row `u` of dialogue_sessions joined with its uploaded domain `a`. */
const TURN_SESSION = `u.id, u.project_id AS "projectId", u.assistant, u.user_id AS "userId", u.state, u.profile, u.status, u.served::int AS served, u.created_at AS "createdAt", u.updated_at AS "updatedAt", a.domain AS "uploadedDomain"`;

/**
 * The turn queue of dialogue_sessions (docs/decisions/0011): tickets, the running turn, and the
 * commit of a turn's messages and state. Taking a ticket and committing a turn go through group
 * commit (GroupBatcher): concurrent turns of different sessions share one statement, each turn
 * answered once that statement has committed (docs/decisions/0019).
 */
@Injectable()
export class TurnsRepository {
  private readonly tickets = new GroupBatcher<TicketAsk, { ticket: number; session: TurnSession | null } | null>((asks) => this.takeTickets(asks));
  private readonly commits = new GroupBatcher<{ id: string; ticket: number; turn: TurnWrite }, void>((turns) => this.finishTurns(turns));

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Takes the session's next turn ticket (an atomic UPDATE: replicas agree on the order) and,
   * when no earlier turn is queued, begins the turn at once with the session and its uploaded
   * domain (`session`; else null: wait with beginTurn). Null when the session is not this
   * project's and user's.
   */
  async takeTicket(project: string, userId: string | null, id: string): Promise<{ ticket: number; session: TurnSession | null } | null> {
    if (!isSessionId(id)) return null;
    return this.tickets.submit(id, { id, project, userId });
  }

  /** How far the session's turns are served, and for how long the current turn has been running. */
  async progress(id: string): Promise<{ served: number; runningMs: number | null } | null> {
    const rows: { served: string; running: number | null }[] = await this.ds.query(
      `SELECT served, (EXTRACT(EPOCH FROM (clock_timestamp() - turn_started_at)) * 1000)::float8 AS running FROM dialogue_sessions WHERE id = $1`,
      [id],
    );
    return rows.length ? { served: Number(rows[0].served), runningMs: rows[0].running } : null;
  }

  /** Marks the turn after `served` as running if it is the next one, returning the session and its uploaded domain (one round trip). */
  async beginTurn(id: string, served: number): Promise<TurnSession | null> {
    const rows: TurnSession[] = await this.ds.query(
      `WITH u AS (UPDATE dialogue_sessions SET turn_started_at = clock_timestamp() WHERE id = $1 AND served = $2 RETURNING *)
       SELECT ${TURN_SESSION} FROM u LEFT JOIN dialogue_assistants a ON a.project_id = u.project_id AND a.name = u.assistant`,
      [id, served],
    );
    return rows[0] ?? null;
  }

  /** A predecessor that never finished (its replica died): its ticket is given up so the queue moves on. */
  async skipTurn(id: string, served: number): Promise<void> {
    await this.ds.query(`UPDATE dialogue_sessions SET served = served + 1, turn_started_at = NULL WHERE id = $1 AND served = $2`, [id, served]);
  }

  /** Commits one turn: its messages, the new state, and the ticket served; answered once it is durable. */
  finishTurn(id: string, ticket: number, turn: TurnWrite): Promise<void> {
    return this.commits.submit(id, { id, ticket, turn });
  }

  /** One statement for the batch; a lone ask by the plain single-row UPDATE (measured: a third of the batch statement's cost for one row). */
  private async takeTickets(asks: TicketAsk[]): Promise<({ ticket: number; session: TurnSession | null } | null)[]> {
    const returning = `SELECT ${TURN_SESSION}, u.ticket::int AS ticket, u.served = u.ticket - 1 AS began FROM u LEFT JOIN dialogue_assistants a ON a.project_id = u.project_id AND a.name = u.assistant`;
    const begin = `ticket = ticket + 1, turn_started_at = CASE WHEN served = ticket THEN clock_timestamp() ELSE turn_started_at END`;
    // (UPDATE ... RETURNING inside a CTE: TypeORM answers a bare UPDATE with [rows, count])
    const rows: (TurnSession & { ticket: number; began: boolean })[] =
      asks.length === 1
        ? await this.ds.query(`WITH u AS (UPDATE dialogue_sessions SET ${begin} WHERE id = $1 AND project_id = $2 AND ($3::text IS NULL OR user_id = $3) RETURNING *) ${returning}`, [asks[0].id, asks[0].project, asks[0].userId])
        : await this.ds.query(
            `WITH v AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, project text, user_id text)),
             l AS MATERIALIZED (${LOCK_IN_ORDER}),
             u AS (UPDATE dialogue_sessions s SET ${begin} FROM v, l WHERE s.id = v.id AND l.id = s.id AND s.project_id = v.project AND (v.user_id IS NULL OR s.user_id = v.user_id) RETURNING s.*)
             ${returning}`,
            [JSON.stringify(asks.map((a) => ({ id: a.id, project: a.project, user_id: a.userId })))],
          );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return asks.map((a) => {
      const r = byId.get(a.id);
      if (!r) return null;
      const { ticket, began, ...session } = r;
      return { ticket, session: began ? session : null };
    });
  }

  private async finishTurns(turns: { id: string; ticket: number; turn: TurnWrite }[]): Promise<void[]> {
    const rows = turns.map(({ id, ticket, turn }) => ({
      id,
      project: turn.project,
      ticket,
      state: turn.state ?? null,
      status: turn.status ?? null,
      messages: turn.messages.map((m) => ({ role: m.role, text: m.text, data: m.data, client_id: m.clientId ?? null })),
    }));
    // messages get their ids in turn order, then in their order within the turn; a lone turn by
    // the plain single-row statement (the batch statement costs three times as much for one row)
    if (rows.length === 1) {
      const [r] = rows;
      await this.ds.query(
        `WITH m AS (INSERT INTO dialogue_messages (session_id, project_id, role, text, data, client_id) SELECT $1, $2, r.role, r.text, r.data, r.client_id FROM ROWS FROM (jsonb_to_recordset($3::jsonb) AS (role text, text text, data jsonb, client_id text)) WITH ORDINALITY AS r(role, text, data, client_id, n) ORDER BY r.n)
         UPDATE dialogue_sessions SET state = COALESCE($4::jsonb, state), status = COALESCE($5, status), served = GREATEST(served, $6), turn_started_at = NULL, updated_at = now() WHERE id = $1`,
        [r.id, r.project, JSON.stringify(r.messages), r.state === null ? null : JSON.stringify(r.state), r.status, r.ticket],
      );
      return [undefined];
    }
    await this.ds.query(
      `WITH t AS (SELECT * FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id uuid, project text, ticket bigint, state jsonb, status text, messages jsonb)) WITH ORDINALITY AS t(id, project, ticket, state, status, messages, n)),
       l AS MATERIALIZED (${LOCK_IN_ORDER.replace('JOIN v ON s.id = v.id', 'JOIN t ON s.id = t.id')}),
       m AS (INSERT INTO dialogue_messages (session_id, project_id, role, text, data, client_id)
             SELECT t.id, t.project, r.role, r.text, r.data, r.client_id
             FROM t, ROWS FROM (jsonb_to_recordset(t.messages) AS (role text, text text, data jsonb, client_id text)) WITH ORDINALITY AS r(role, text, data, client_id, n)
             ORDER BY t.n, r.n)
       UPDATE dialogue_sessions s SET state = COALESCE(t.state, s.state), status = COALESCE(t.status, s.status), served = GREATEST(s.served, t.ticket), turn_started_at = NULL, updated_at = now()
       FROM t, l WHERE s.id = t.id AND l.id = s.id`,
      [JSON.stringify(rows)],
    );
    return turns.map(() => undefined);
  }
}
