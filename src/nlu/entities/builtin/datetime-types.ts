/**
 * Building blocks shared by the Chinese, English and numeric date/time scanners: the tokens
 * they emit, parts of the day, and a lazily read reference clock.
 *
 * Scanners emit small tokens (a day, a date range, a clock time, a part of the day);
 * datetime.ts joins neighbours (明天 + 下午3点, next Monday + at 7:30 am) into one entity.
 */
import { addDays, zonedNow, type CalDate, type ZonedNow } from './calendar';

export type Pod = 'early_morning' | 'morning' | 'noon' | 'afternoon' | 'evening' | 'night';

/** Half-open hour ranges of each part of the day; hours past 24 run into the next day. */
export const POD_HOURS: Record<Pod, [number, number]> = {
  early_morning: [0, 6],
  morning: [6, 12],
  noon: [11, 13],
  afternoon: [12, 18],
  evening: [18, 24],
  night: [21, 29],
};

/** The 24-hour clock hour that a 12-hour reading means within a part of the day. */
export function applyPod(pod: Pod, h: number): number {
  switch (pod) {
    case 'early_morning':
      return h === 12 ? 0 : h;
    case 'morning':
      return h;
    case 'noon':
      return h <= 4 ? h + 12 : h;
    case 'afternoon':
      return h < 12 ? h + 12 : h;
    case 'evening':
    case 'night':
      // 晚上1点 / 半夜2点 are the small hours after midnight; 晚上12点 is midnight.
      if (h <= 4) return h + 24;
      return h < 12 ? h + 12 : h === 12 ? 24 : h;
  }
}

interface Span {
  start: number;
  end: number;
}

/** One calendar day (明天, next Monday, 3月5日). */
export interface DayToken extends Span {
  kind: 'day';
  day: CalDate;
}

/** A span of whole days (本周末, next month, 2025年); never joined with a time. */
export interface RangeToken extends Span {
  kind: 'range';
  from: CalDate;
  to: CalDate;
}

/** A clock time (下午3点半, 7:30 am, at 5). */
export interface TimeToken extends Span {
  kind: 'time';
  hour: number;
  minute: number;
  /** no am/pm and no part of day: 3点 may be 03:00 or 15:00 */
  ambiguous: boolean;
  /** the part of the day written with it (晚上7:30); its day offset when it names one (今晚8点) */
  pod?: Pod;
  dayOffset?: number;
  /** only counts next to a day (一点 alone is usually "a little") */
  weak?: boolean;
}

/** A part of the day (下午, tonight, 明早), optionally carrying its own day. */
export interface PodToken extends Span {
  kind: 'pod';
  pod: Pod;
  dayOffset?: number;
  /** only counts next to a day or time (bare English "morning") */
  weak?: boolean;
}

export type DateToken = DayToken | RangeToken | TimeToken | PodToken;

/** Reads "now" once, and only when a scanner first needs it. */
export class Clock {
  private cached?: ZonedNow;

  constructor(
    private readonly now: () => Date,
    readonly timeZone: string,
  ) {}

  get ref(): ZonedNow {
    this.cached ??= zonedNow(this.now(), this.timeZone);
    return this.cached;
  }

  get today(): CalDate {
    return this.ref.date;
  }

  day(offset: number): CalDate {
    return addDays(this.today, offset);
  }

  /** A time token for now plus some minutes (三小时后, in 20 minutes), as day offset + clock time. */
  after(minutes: number, start: number, end: number): TimeToken {
    const total = this.ref.hour * 60 + this.ref.minute + Math.round(minutes);
    const dayOffset = Math.floor(total / 1440);
    const inDay = total - dayOffset * 1440;
    return { kind: 'time', start, end, hour: Math.floor(inDay / 60), minute: inDay % 60, ambiguous: false, dayOffset };
  }
}

/** Context a scanner needs besides the text. */
export interface ScanContext {
  clock: Clock;
  /** D/M/Y instead of M/D/Y for 5/3/2025 (languages other than en and zh) */
  dayFirst: boolean;
}
