import { EventEmitter } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';

/**
 * A `pg`-compatible pool over one embedded PGlite database, for TypeORM's postgres driver.
 *
 * PGlite is a single Postgres session. TypeORM hands each query runner (and so each
 * transaction) its own "connection" from the pool; if they all shared the one session,
 * two concurrent transactions would interleave their BEGIN/COMMIT and one request's
 * ROLLBACK would undo another's writes. So this pool has exactly one client and lends
 * it to one query runner at a time; the others wait their turn. (typeorm-pglite, which
 * this replaces, shares the session and keeps a process-wide singleton; see
 * docs/decisions/0003-pglite-driver.md.)
 *
 * Rule for code using the data layer: never call the DataSource (a second connection)
 * from inside a transaction callback; use the callback's EntityManager, or it waits
 * for itself.
 */

type Callback = (err: Error | null, client?: PGliteClient, release?: (err?: unknown) => void) => void;

interface PgResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: { name: string; dataTypeID: number }[];
}

const commandOf = (sql: string) => /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';

class PGliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  async query(sql: string, params?: unknown[] | ((err: Error | null, res?: PgResult) => void), cb?: (err: Error | null, res?: PgResult) => void): Promise<PgResult> {
    if (typeof params === 'function') {
      cb = params;
      params = undefined;
    }
    try {
      const res = await this.run(sql, params as unknown[] | undefined);
      cb?.(null, res);
      return res;
    } catch (err) {
      cb?.(err as Error);
      throw err;
    }
  }

  private async run(sql: string, params?: unknown[]): Promise<PgResult> {
    if (params && params.length > 0) {
      const r = await this.db.query(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, command: commandOf(sql), fields: r.fields };
    }
    // exec runs multi-statement strings (migrations); TypeORM wants the last result.
    const results = await this.db.exec(sql);
    const last = results[results.length - 1];
    return {
      rows: last?.rows ?? [],
      rowCount: last?.affectedRows ?? last?.rows.length ?? 0,
      command: commandOf(sql),
      fields: last?.fields ?? [],
    };
  }

  release(): void {
    /* the pool's release callback does the work */
  }
}

export class PGlitePool extends EventEmitter {
  private readonly client: PGliteClient;
  private busy = false;
  private readonly waiting: Array<() => void> = [];
  private ended = false;

  constructor(
    private readonly db: PGlite,
    private readonly onClosed: () => void = () => undefined,
  ) {
    super();
    this.client = new PGliteClient(db);
  }

  connect(cb?: Callback): Promise<PGliteClient> | void {
    const acquire = new Promise<PGliteClient>((resolve, reject) => {
      if (this.ended) return reject(new Error('The embedded database is closed'));
      const grant = () => {
        this.busy = true;
        resolve(this.client);
      };
      if (!this.busy) grant();
      else this.waiting.push(grant);
    });
    if (!cb) return acquire;
    acquire.then(
      (client) => cb(null, client, () => this.releaseClient()),
      (err: Error) => cb(err),
    );
  }

  /** Pool-level query (pg's pool.query): borrows the client for one statement. */
  async query(sql: string, params?: unknown[]): Promise<PgResult> {
    const client = (await this.connect()) as PGliteClient;
    try {
      return await client.query(sql, params);
    } finally {
      this.releaseClient();
    }
  }

  private releaseClient(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }

  end(cb?: (err?: Error | null) => void): Promise<void> | void {
    this.ended = true;
    const done = this.db.close().finally(this.onClosed);
    if (!cb) return done;
    done.then(() => cb(null), (err: Error) => cb(err));
  }
}

/** The object TypeORM's postgres driver expects in its `driver` option (the `pg` module shape). */
export function pgliteDriver(db: PGlite, onClosed?: () => void): { Pool: new () => PGlitePool } {
  return {
    Pool: class extends PGlitePool {
      constructor() {
        super(db, onClosed);
      }
    },
  };
}
