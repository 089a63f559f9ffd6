import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { AppConfig, settingNumber } from '../config/app-config';
import { databaseKind } from '../data/data-source';
import { PgNotifications } from './pg-notifications';

export const CLUSTER_CHANNEL = 'llmos_cluster';

export type ClusterHandler = (data: Record<string, unknown>) => Promise<void> | void;

interface Envelope {
  topic: string;
  from: string;
  data: Record<string, unknown>;
}

/**
 * What replicas tell each other (docs/scaling.md): a topic and a small JSON payload, sent
 * with PostgreSQL NOTIFY and received on a dedicated LISTEN connection by every other
 * replica within milliseconds. Notifications are hints, not a log: one sent while a replica
 * was disconnected is lost, so subscribers also register a `resync` that re-reads the truth
 * from the database, run every CLUSTER_RESYNC_MS and after every reconnect. On the embedded
 * database (one process) nothing is sent and nothing needs to be.
 */
@Injectable()
export class ClusterEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Cluster');
  /** this process, as other replicas and the jobs table see it */
  readonly replicaId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** true when other processes may share the database (PostgreSQL) */
  readonly shared: boolean;
  private readonly handlers = new Map<string, ClusterHandler[]>();
  private readonly resyncs: (() => Promise<void>)[] = [];
  private listener?: PgNotifications;
  private timer?: NodeJS.Timeout;
  private connectedOnce = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly config: AppConfig,
  ) {
    this.shared = databaseKind(config) === 'postgres';
  }

  onApplicationBootstrap(): void {
    if (!this.shared) return;
    this.listener = new PgNotifications(this.config.databaseUrl!, CLUSTER_CHANNEL, {
      message: (payload) => this.receive(payload),
      connected: () => {
        if (this.connectedOnce) this.logger.log('Listening for cluster notifications again; re-reading what may have been missed');
        // every (re)connect may have missed notifications: re-read at once
        if (this.connectedOnce) void this.resync();
        this.connectedOnce = true;
      },
      disconnected: (err, retryMs) => this.logger.warn(`Cluster notification connection lost (${err.message}); reconnecting in ${retryMs} ms`),
    });
    this.listener.start();
    this.timer = setInterval(() => void this.resync(), settingNumber(this.config, 'CLUSTER_RESYNC_MS'));
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.listener?.close();
  }

  /** Calls `handler` with the payload of every `topic` notification another replica sends. */
  subscribe(topic: string, handler: ClusterHandler): void {
    this.handlers.set(topic, [...(this.handlers.get(topic) ?? []), handler]);
  }

  /** Runs `fn` periodically and after reconnects (shared databases only): re-reads what notifications would have said. */
  onResync(fn: () => Promise<void>): void {
    this.resyncs.push(fn);
  }

  /** Tells the other replicas (after the change is committed: NOTIFY outside a transaction is sent at once). */
  async publish(topic: string, data: Record<string, unknown>): Promise<void> {
    if (!this.shared) return;
    const envelope: Envelope = { topic, from: this.replicaId, data };
    try {
      await this.ds.query(`SELECT pg_notify($1, $2)`, [CLUSTER_CHANNEL, JSON.stringify(envelope)]);
    } catch (err) {
      // the other replicas still catch up at their next resync
      this.logger.warn(`Could not notify the other replicas of ${topic}: ${(err as Error).message}`);
    }
  }

  /** Runs every resync once (the periodic timer, reconnects, tests). */
  async resync(): Promise<void> {
    for (const fn of this.resyncs) await fn().catch((err: Error) => this.logger.warn(`Cluster resync failed: ${err.message}`));
  }

  private receive(payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      return;
    }
    if (envelope.from === this.replicaId) return;
    for (const handler of this.handlers.get(envelope.topic) ?? []) {
      void Promise.resolve()
        .then(() => handler(envelope.data ?? {}))
        .catch((err: Error) => this.logger.warn(`Handling ${envelope.topic} from ${envelope.from} failed: ${err.message}`));
    }
  }
}
