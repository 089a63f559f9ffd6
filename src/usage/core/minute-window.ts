import { MINUTE_MS } from './usage-metrics';

export type WindowAnswer = { admitted: true } | { admitted: false; retryAfterMs: number };

/**
 * Requests per project in the current UTC minute (a fixed window: every project's window
 * starts at :00, so one rollover clears them all and the map never outgrows the projects
 * seen in one minute). A refused request does not use up the quota.
 */
export class MinuteWindow {
  private minute = -1;
  private readonly counts = new Map<string, number>();

  hit(project: string, limit: number, now: number): WindowAnswer {
    const minute = Math.floor(now / MINUTE_MS);
    if (minute !== this.minute) {
      this.minute = minute;
      this.counts.clear();
    }
    const used = this.counts.get(project) ?? 0;
    if (used >= limit) return { admitted: false, retryAfterMs: (minute + 1) * MINUTE_MS - now };
    this.counts.set(project, used + 1);
    return { admitted: true };
  }
}
