import { Logger } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';

type Record = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The rate limiter's counters in the replicas' shared store (Redis), falling back to this
 * process's memory while the store fails: an unreachable Redis loosens the limit to
 * per-replica counting (logged once per outage) instead of failing every request.
 */
export class SharedThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private fallback?: ThrottlerStorageService;
  private down = false;

  constructor(private readonly shared: ThrottlerStorage) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<Record> {
    try {
      const record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      if (this.down) this.logger.log('Rate limits are counted in Redis again');
      this.down = false;
      return record;
    } catch (err) {
      if (!this.down) this.logger.warn(`Rate limits fall back to per-replica counting: Redis failed (${(err as Error).message})`);
      this.down = true;
      this.fallback ??= new ThrottlerStorageService();
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }
}
