import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { GroupBatcher } from './engine/group-batcher';
import type { DialogueState } from './engine/tracker';

export interface SessionRow {
  id: string;
  projectId: string;
  assistant: string;
  userId: string;
  state: DialogueState;
  profile: Record<string, unknown>;
  status: 'bot' | 'handoff';
  served: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface MessageRow {
  id: number;
  role: 'user' | 'bot' | 'agent';
  text: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

export interface OrderRow {
  id: number;
  itemId: string;
  title: string;
  quantity: number;
  unitPrice: number;
  total: number;
  memberTotal: number | null;
  status: string;
  createdAt: Date;
}

interface NewSession {
  id: string;
  project: string;
  assistant: string;
  user_id: string;
  state: DialogueState;
  profile: Record<string, unknown>;
  bundled: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A session id is a UUID: anything else names no session (a 404, not a database error). */
export const isSessionId = (id: string): boolean => UUID.test(id);
const SESSION = `id, project_id AS "projectId", assistant, user_id AS "userId", state, profile, status, served::int AS served, created_at AS "createdAt", updated_at AS "updatedAt"`;
const ORDER = `id::int AS id, item_id AS "itemId", title, quantity, unit_price::float8 AS "unitPrice", total::float8 AS total, member_total::float8 AS "memberTotal", status, created_at AS "createdAt"`;

/** dialogue_* tables; every query names the project (and the end user where a session is read). */
@Injectable()
export class DialogueRepository {
  private readonly opens = new GroupBatcher<NewSession, SessionRow | null>((sessions) => this.insertSessions(sessions));

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async assistant(project: string, name: string): Promise<{ source: string; domain: unknown; updatedAt: Date } | null> {
    const rows: { source: string; domain: unknown; updatedAt: Date }[] = await this.ds.query(`SELECT source, domain, updated_at AS "updatedAt" FROM dialogue_assistants WHERE project_id = $1 AND name = $2`, [project, name]);
    return rows[0] ?? null;
  }

  async assistants(project: string): Promise<{ name: string; updatedAt: Date }[]> {
    return this.ds.query(`SELECT name, updated_at AS "updatedAt" FROM dialogue_assistants WHERE project_id = $1 ORDER BY name`, [project]);
  }

  async putAssistant(project: string, name: string, source: string, domain: unknown): Promise<void> {
    await this.ds.query(
      `INSERT INTO dialogue_assistants (project_id, name, source, domain) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (project_id, name) DO UPDATE SET source = EXCLUDED.source, domain = EXCLUDED.domain, updated_at = now()`,
      [project, name, source, JSON.stringify(domain)],
    );
  }

  /**
   * A new session, when the project has the assistant (uploaded, or `bundled` when it may use
   * the bundled one); null when not. Sessions opened at once are inserted by one statement
   * (group commit, as turns: docs/decisions/0019), each answered once it is stored.
   */
  createSession(project: string, assistant: string, userId: string, state: DialogueState, profile: Record<string, unknown>, bundled: boolean): Promise<SessionRow | null> {
    const id = randomUUID();
    return this.opens.submit(id, { id, project, assistant, user_id: userId, state, profile, bundled });
  }

  /** One statement for the batch; a lone session by the plain single-row INSERT (cheaper for one row). */
  private async insertSessions(sessions: NewSession[]): Promise<(SessionRow | null)[]> {
    const [one] = sessions;
    const rows: SessionRow[] =
      sessions.length === 1
        ? await this.ds.query(
            `INSERT INTO dialogue_sessions (id, project_id, assistant, user_id, state, profile)
             SELECT $1::uuid, $2::varchar, $3::varchar, $4::varchar, $5::jsonb, $6::jsonb WHERE $7::boolean OR EXISTS (SELECT 1 FROM dialogue_assistants WHERE project_id = $2::varchar AND name = $3::varchar) RETURNING ${SESSION}`,
            [one.id, one.project, one.assistant, one.user_id, JSON.stringify(one.state), JSON.stringify(one.profile), one.bundled],
          )
        : await this.ds.query(
            `INSERT INTO dialogue_sessions (id, project_id, assistant, user_id, state, profile)
             SELECT v.id, v.project, v.assistant, v.user_id, v.state, v.profile
             FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id uuid, project varchar, assistant varchar, user_id varchar, state jsonb, profile jsonb, bundled boolean)) WITH ORDINALITY AS v(id, project, assistant, user_id, state, profile, bundled, n)
             WHERE v.bundled OR EXISTS (SELECT 1 FROM dialogue_assistants a WHERE a.project_id = v.project AND a.name = v.assistant)
             ORDER BY v.n
             RETURNING ${SESSION}`,
            [JSON.stringify(sessions)],
          );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return sessions.map((s) => byId.get(s.id) ?? null);
  }

  /** A session of this project and end user (null for anyone else's). */
  async session(project: string, userId: string | null, id: string): Promise<SessionRow | null> {
    if (!UUID.test(id)) return null;
    const rows: SessionRow[] = await this.ds.query(`SELECT ${SESSION} FROM dialogue_sessions WHERE id = $1 AND project_id = $2 AND ($3::text IS NULL OR user_id = $3)`, [id, project, userId]);
    return rows[0] ?? null;
  }

  /** The end user's most recent session with an assistant (the REST channel keeps one per sender). */
  async latestSession(project: string, assistant: string, userId: string): Promise<SessionRow | null> {
    const rows: SessionRow[] = await this.ds.query(`SELECT ${SESSION} FROM dialogue_sessions WHERE project_id = $1 AND assistant = $2 AND user_id = $3 ORDER BY updated_at DESC LIMIT 1`, [project, assistant, userId]);
    return rows[0] ?? null;
  }

  async deleteSession(project: string, userId: string, id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const rows: unknown[] = await this.ds.query(`WITH d AS (DELETE FROM dialogue_sessions WHERE id = $1 AND project_id = $2 AND user_id = $3 RETURNING id) SELECT id FROM d`, [id, project, userId]);
    return rows.length > 0;
  }

  /**
   * The stored turn of a message the client named `clientId` (null when there is none, or the
   * session is not this project's and user's): the user message and the bot message that
   * answered it (null while a person has the conversation: the turn had no bot reply).
   */
  async answered(project: string, userId: string | null, id: string, clientId: string): Promise<{ user: MessageRow; bot: MessageRow | null; slots: Record<string, string | number> } | null> {
    if (!UUID.test(id)) return null;
    const rows: { user: MessageRow; next: MessageRow | null; slots: Record<string, string | number> | null }[] = await this.ds.query(
      `SELECT s.state -> 'slots' AS slots, json_build_object('id', u.id, 'role', u.role, 'text', u.text, 'data', u.data, 'createdAt', u.created_at) AS "user",
              CASE WHEN n.id IS NULL THEN NULL ELSE json_build_object('id', n.id, 'role', n.role, 'text', n.text, 'data', n.data, 'createdAt', n.created_at) END AS "next"
       FROM dialogue_messages u
       JOIN dialogue_sessions s ON s.id = u.session_id AND s.project_id = $2 AND ($3::text IS NULL OR s.user_id = $3)
       LEFT JOIN LATERAL (SELECT id, role, text, data, created_at FROM dialogue_messages x WHERE x.session_id = u.session_id AND x.id > u.id AND x.role <> 'agent' ORDER BY x.id LIMIT 1) n ON true
       WHERE u.session_id = $1 AND u.client_id = $4 AND u.role = 'user'`,
      [id, project, userId, clientId],
    );
    if (!rows.length) return null;
    const { user, next, slots } = rows[0];
    return { user, bot: next?.role === 'bot' ? next : null, slots: slots ?? {} };
  }

  async messages(id: string, limit: number, offset: number): Promise<{ messages: MessageRow[]; total: number }> {
    const messages: MessageRow[] = await this.ds.query(`SELECT id::int AS id, role, text, data, created_at AS "createdAt" FROM dialogue_messages WHERE session_id = $1 ORDER BY id LIMIT $2 OFFSET $3`, [id, limit, offset]);
    const [{ n }]: { n: string }[] = await this.ds.query(`SELECT count(*) AS n FROM dialogue_messages WHERE session_id = $1`, [id]);
    return { messages, total: Number(n) };
  }

  async recentMessages(id: string, n: number): Promise<MessageRow[]> {
    const rows: MessageRow[] = await this.ds.query(`SELECT id::int AS id, role, text, data, created_at AS "createdAt" FROM dialogue_messages WHERE session_id = $1 ORDER BY id DESC LIMIT $2`, [id, n]);
    return rows.reverse();
  }

  async handoffs(project: string, limit: number, offset: number): Promise<{ sessions: SessionRow[]; total: number }> {
    const sessions: SessionRow[] = await this.ds.query(`SELECT ${SESSION} FROM dialogue_sessions WHERE project_id = $1 AND status = 'handoff' ORDER BY updated_at LIMIT $2 OFFSET $3`, [project, limit, offset]);
    const [{ n }]: { n: string }[] = await this.ds.query(`SELECT count(*) AS n FROM dialogue_sessions WHERE project_id = $1 AND status = 'handoff'`, [project]);
    return { sessions, total: Number(n) };
  }

  /** An agent's reply (and optionally the conversation handed back to the bot). */
  async agentReply(project: string, id: string, text: string, release: boolean): Promise<MessageRow | null> {
    return this.ds.transaction(async (m) => {
      const found: unknown[] = await m.query(`SELECT id FROM dialogue_sessions WHERE id = $1 AND project_id = $2 FOR UPDATE`, [id, project]);
      if (!found.length) return null;
      const rows: MessageRow[] = await m.query(
        `INSERT INTO dialogue_messages (session_id, project_id, role, text, data) VALUES ($1, $2, 'agent', $3, '{}') RETURNING id::int AS id, role, text, data, created_at AS "createdAt"`,
        [id, project, text],
      );
      await m.query(`UPDATE dialogue_sessions SET status = $2, updated_at = now() WHERE id = $1`, [id, release ? 'bot' : 'handoff']);
      return rows[0];
    });
  }

  async createOrder(project: string, o: { sessionId: string; userId: string; itemId: string; title: string; quantity: number; unitPrice: number; total: number; memberTotal: number | null }): Promise<OrderRow> {
    const rows: OrderRow[] = await this.ds.query(
      `INSERT INTO dialogue_orders (project_id, session_id, user_id, item_id, title, quantity, unit_price, total, member_total) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${ORDER}`,
      [project, o.sessionId, o.userId, o.itemId, o.title, o.quantity, o.unitPrice, o.total, o.memberTotal],
    );
    return rows[0];
  }

  async latestOrder(project: string, userId: string): Promise<OrderRow | null> {
    const rows: OrderRow[] = await this.ds.query(`SELECT ${ORDER} FROM dialogue_orders WHERE project_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT 1`, [project, userId]);
    return rows[0] ?? null;
  }
}
