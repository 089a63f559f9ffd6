import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig, settingNumber } from '../config/app-config';

/**
 * The shared Redis of the replicas (REDIS_URL), or null without one: rate limits and
 * requestsPerMinute quotas count there, so N replicas admit a limit once, not N times.
 * At start-up, more than one declared replica (REPLICAS) without it is warned about.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  private readonly logger = new Logger('Cluster');
  readonly client: Redis | null;

  constructor(config: AppConfig) {
    const url = config.raw.REDIS_URL;
    const replicas = settingNumber(config, 'REPLICAS');
    if (!url) {
      this.client = null;
      if (replicas > 1) this.logger.warn(`REPLICAS=${replicas} without REDIS_URL: rate limits and requestsPerMinute quotas are counted per process, so together the replicas admit up to ${replicas} times each limit; set REDIS_URL to share them`);
      return;
    }
    // no offline queue: while disconnected a command fails at once and callers count locally, rather than requests waiting
    this.client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000, enableOfflineQueue: false });
    let down = false;
    this.client.on('error', (err: Error) => {
      if (!down) this.logger.warn(`Redis (${new URL(url).host}) unavailable: ${err.message}`);
      down = true;
    });
    this.client.on('ready', () => {
      if (down) this.logger.log('Redis reachable again');
      down = false;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.quit().catch(() => this.client?.disconnect());
  }
}
