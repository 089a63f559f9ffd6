/**
 * Calendar arithmetic on wall-clock dates, and "now" in an IANA time zone without a library.
 *
 * Dates are resolved as wall-clock values in the chosen zone: 明天 is the day after the
 * zone's current date, whatever the UTC instant. All arithmetic runs on Date.UTC values,
 * which have no DST, so adding a day is always exactly one calendar day.
 */

export interface CalDate {
  y: number;
  /** 1-12 */
  m: number;
  d: number;
}

export interface ZonedNow {
  date: CalDate;
  hour: number;
  minute: number;
}

const DAY_MS = 86_400_000;

export class InvalidTimeZoneError extends Error {
  constructor(readonly timeZone: string) {
    super(`Unknown time zone "${timeZone}"; use an IANA name such as "Asia/Shanghai" or "UTC".`);
    this.name = 'InvalidTimeZoneError';
  }
}

/** The process's own zone, as Node reports it (TZ env or the system setting). */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
    } catch {
      throw new InvalidTimeZoneError(timeZone);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws InvalidTimeZoneError for a name the runtime does not know. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** The wall-clock date and time of an instant in a zone. */
export function zonedNow(now: Date, timeZone: string): ZonedNow {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(now)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { date: { y: parts.year, m: parts.month, d: parts.day }, hour: parts.hour % 24, minute: parts.minute };
}

function toUtc(c: CalDate): number {
  return Date.UTC(c.y, c.m - 1, c.d);
}

function fromUtc(ms: number): CalDate {
  const d = new Date(ms);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

export function addDays(c: CalDate, days: number): CalDate {
  return fromUtc(toUtc(c) + days * DAY_MS);
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Month arithmetic clamps the day: 1月31日 + 1 month = 2月28/29日. */
export function addMonths(c: CalDate, months: number): CalDate {
  const idx = c.y * 12 + (c.m - 1) + months;
  const y = Math.floor(idx / 12);
  const m = (idx % 12) + 1;
  return { y, m, d: Math.min(c.d, daysInMonth(y, m)) };
}

/** ISO weekday: Monday = 1 ... Sunday = 7. */
export function isoWeekday(c: CalDate): number {
  const w = new Date(toUtc(c)).getUTCDay();
  return w === 0 ? 7 : w;
}

/** Monday of the ISO week that contains c, shifted by whole weeks. */
export function weekStart(c: CalDate, weeksAhead = 0): CalDate {
  return addDays(c, 1 - isoWeekday(c) + 7 * weeksAhead);
}

export function compareDates(a: CalDate, b: CalDate): number {
  return toUtc(a) - toUtc(b);
}

export function isValidDate(y: number, m: number, d: number): boolean {
  return Number.isInteger(y) && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/**
 * The next date on or after `today` with the given month and day (3月5日 said in November means
 * next March). Impossible combinations such as 2月30日 give undefined.
 */
export function nextMonthDay(today: CalDate, m: number, d: number): CalDate | undefined {
  for (let y = today.y; y <= today.y + 4; y++) {
    if (!isValidDate(y, m, d)) continue; // 2月29日 waits for a leap year
    const c = { y, m, d };
    if (compareDates(c, today) >= 0) return c;
  }
  return undefined;
}

const pad = (n: number): string => String(n).padStart(2, '0');

export function formatDate(c: CalDate): string {
  return `${String(c.y).padStart(4, '0')}-${pad(c.m)}-${pad(c.d)}`;
}

/** Hours of 24 or more roll over into the following days (晚上12点 = next day 00:00). */
export function formatDateTime(c: CalDate, hour: number, minute: number): string {
  const day = addDays(c, Math.floor(hour / 24));
  return `${formatDate(day)}T${pad(hour % 24)}:${pad(minute)}`;
}
