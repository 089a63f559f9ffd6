import { ceilTo, DAY_MS, floorTo, Granularity, HOUR_MS } from './usage-metrics';

export interface UsageRange {
  granularity: Granularity;
  /** inclusive, on a bucket boundary (ms) */
  from: number;
  /** exclusive, on a bucket boundary (ms) */
  to: number;
}

/** The longest range one report covers, per granularity. */
export const MAX_RANGE_MS: Record<Granularity, number> = { hour: 31 * DAY_MS, day: 366 * DAY_MS };

/** Thrown for a range a person must fix; the message says how. */
export class UsageRangeError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * The range a report covers: `to` defaults to now, `from` to 24 hours before `to`;
 * `from` is rounded down and `to` up to the granularity's UTC boundaries, so every bucket
 * in the answer is whole.
 */
export function resolveRange(input: { from?: string; to?: string; granularity?: Granularity }, now: number): UsageRange {
  const granularity = input.granularity ?? 'hour';
  const toMs = input.to !== undefined ? parse(input.to, 'to') : now;
  const fromMs = input.from !== undefined ? parse(input.from, 'from') : toMs - 24 * HOUR_MS;
  if (fromMs >= toMs) throw new UsageRangeError(`from (${iso(fromMs)}) must be before to (${iso(toMs)})`, 'from');
  const from = floorTo(fromMs, granularity);
  const to = ceilTo(toMs, granularity);
  if (to - from > MAX_RANGE_MS[granularity]) {
    const days = MAX_RANGE_MS[granularity] / DAY_MS;
    throw new UsageRangeError(
      `The range ${iso(from)} .. ${iso(to)} is longer than ${days} days, the most one report covers at granularity ${granularity}${granularity === 'hour' ? '; use granularity=day or a shorter range' : '; ask for a shorter range'}`,
      'from',
    );
  }
  return { granularity, from, to };
}

/** A date-time without a zone is read as UTC (as a date alone is), not in the server's time zone. */
function parse(value: string, field: string): number {
  const ms = Date.parse(/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value}Z` : value);
  if (Number.isNaN(ms)) throw new UsageRangeError(`${field} must be an ISO 8601 date or date-time, e.g. 2026-12-01T00:00:00Z (got ${JSON.stringify(value)})`, field);
  return ms;
}

const iso = (ms: number) => new Date(ms).toISOString();
