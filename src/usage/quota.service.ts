import { Injectable } from '@nestjs/common';
import { QuotaExceededError } from '../common/errors';
import { ProjectsService } from '../projects/projects.service';
import { MinuteWindow } from './core/minute-window';
import { DAY_MS, USAGE_METRICS, utcDayStart } from './core/usage-metrics';
import { UsageService } from './usage.service';

/**
 * The per-project quotas of ProjectsService.quotas (null or absent: unlimited), answered
 * with QuotaExceededError (429, Retry-After, a message naming the quota).
 */
@Injectable()
export class QuotaService {
  // In this process's memory: with several replicas each one admits the full quota.
  // Issue 15 moves this window to the shared store (Redis) so the replicas agree.
  private readonly minute = new MinuteWindow();

  constructor(
    private readonly projects: ProjectsService,
    private readonly usage: UsageService,
  ) {}

  /** requestsPerMinute: admits the request in the current UTC minute, or throws. */
  async admitRequest(projectId: string, now = Date.now()): Promise<void> {
    const limit = (await this.projects.quotas(projectId)).requestsPerMinute;
    if (limit === undefined || limit === null) return;
    const answer = this.minute.hit(projectId, limit, now);
    if (answer.admitted) return;
    const seconds = Math.max(1, Math.ceil(answer.retryAfterMs / 1000));
    throw new QuotaExceededError(`Project ${projectId} exceeded its quota of ${limit} requests per minute; retry in ${seconds} s`, seconds, { quota: 'requestsPerMinute', limit });
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
