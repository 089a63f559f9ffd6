import { Injectable, Logger, Optional } from '@nestjs/common';
import { RedisConnection } from '../cluster/redis-connection';
import { QuotaExceededError } from '../common/errors';
import { ProjectsService } from '../projects/projects.service';
import { CounterStore, LocalRequestWindow, RequestWindow, SharedRequestWindow } from './core/request-window';
import { DAY_MS, USAGE_METRICS, utcDayStart } from './core/usage-metrics';
import { UsageService } from './usage.service';

/**
 * The per-project quotas of ProjectsService.quotas (null or absent: unlimited), answered
 * with QuotaExceededError (429, Retry-After, a message naming the quota). requestsPerMinute
 * counts in Redis when REDIS_URL is set, so the replicas admit the quota once between them
 * (while Redis is unreachable each replica counts alone rather than refusing traffic);
 * without it, in this process. generatedTokensPerDay reads the usage counters in the database.
 */
@Injectable()
export class QuotaService {
  private readonly logger = new Logger('Usage');
  private readonly local = new LocalRequestWindow();
  private readonly minute: RequestWindow;
  private sharedDown = false;

  constructor(
    private readonly projects: ProjectsService,
    private readonly usage: UsageService,
    @Optional() redis?: RedisConnection,
  ) {
    this.minute = redis?.client ? new SharedRequestWindow(redis.client as unknown as CounterStore) : this.local;
  }

  /** requestsPerMinute: admits the request in the current UTC minute, or throws. */
  async admitRequest(projectId: string, now = Date.now()): Promise<void> {
    const limit = (await this.projects.quotas(projectId)).requestsPerMinute;
    if (limit === undefined || limit === null) return;
    const answer = await this.hit(projectId, limit, now);
    if (answer.admitted) return;
    const seconds = Math.max(1, Math.ceil(answer.retryAfterMs / 1000));
    throw new QuotaExceededError(`Project ${projectId} exceeded its quota of ${limit} requests per minute; retry in ${seconds} s`, seconds, { quota: 'requestsPerMinute', limit });
  }

  private async hit(projectId: string, limit: number, now: number) {
    try {
      const answer = await this.minute.hit(projectId, limit, now);
      if (this.sharedDown) this.logger.log('requestsPerMinute quotas are counted in Redis again');
      this.sharedDown = false;
      return answer;
    } catch (err) {
      if (!this.sharedDown) this.logger.warn(`requestsPerMinute quotas fall back to per-replica counting: Redis failed (${(err as Error).message})`);
      this.sharedDown = true;
      return this.local.hit(projectId, limit, now);
    }
  }

  /**
   * generatedTokensPerDay: refuses a generation once the tokens generated today (UTC; stored
   * and pending) reach the quota. Generations already running finish, so a day may end a
   * little over it.
   */
  async admitGeneration(projectId: string, now = Date.now()): Promise<void> {
    const limit = (await this.projects.quotas(projectId)).generatedTokensPerDay;
    if (limit === undefined || limit === null) return;
    const day = utcDayStart(now);
    const used = await this.usage.total(projectId, USAGE_METRICS.generatedTokens, day);
    if (used < limit) return;
    const seconds = Math.max(1, Math.ceil((day + DAY_MS - now) / 1000));
    throw new QuotaExceededError(
      `Project ${projectId} exceeded its quota of ${limit} generated tokens per day (${used} generated today, UTC); retry in ${seconds} s, after 00:00 UTC`,
      seconds,
      { quota: 'generatedTokensPerDay', limit, used },
    );
  }
}
