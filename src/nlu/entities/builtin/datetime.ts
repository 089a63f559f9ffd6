/**
 * Dates and times resolved against a reference instant and an IANA time zone.
 *
 * Entities (values are wall-clock times in the chosen zone, without an offset):
 *  - `date`           'YYYY-MM-DD'                     今天, next Monday, 3月5日, 春节, Black Friday (holidays.ts)
 *  - `datetime`       'YYYY-MM-DDTHH:mm'               明天下午3点, at 5pm, 晚上7:30
 *  - `date_range`     { start, end } 'YYYY-MM-DD', both days included    本周末, next month, 2025年
 *  - `datetime_range` { start, end } 'YYYY-MM-DDTHH:mm', end excluded    今晚, tomorrow morning
 *
 * A time without a day is its next occurrence: "at 5" said at 10:00 is 17:00 today, 早上八点
 * said at 10:00 is 08:00 tomorrow. On an explicit later day an hour without am/pm or part of
 * day reads as business hours (明天3点 = 15:00; 1-6 are afternoon, 7-12 as written).
 */
import type { ExtractedEntity, Lang } from '../../core/types';
import { assertTimeZone, compareDates, formatDate, formatDateTime, systemTimeZone, type CalDate } from './calendar';
import { scanEnglish, scanNumeric } from './datetime-en';
import { applyPod, Clock, POD_HOURS, type DateToken, type PodToken, type TimeToken } from './datetime-types';
import { scanChinese } from './datetime-zh';
import { scanHolidays } from './holidays';

export interface DateRangeValue {
  start: string;
  end: string;
}

export interface DateTimeOptions {
  /** the reference instant; defaults to the current time */
  now?: () => Date;
  /** IANA zone the expressions are meant in; defaults to the process's zone */
  timeZone?: string;
  /** 'other' reads 5/3/2025 day-first; zh and en month-first */
  lang?: Lang;
}

// What may sit between a day and a time that belong together: 明天的下午3点, tomorrow at 5pm.
const JOINER = /^[\s,，]*(?:at|on|的|in\s+the)?[\s,，]*$/i;

export function extractDateTimes(text: string, options: DateTimeOptions = {}): ExtractedEntity[] {
  const timeZone = options.timeZone ?? systemTimeZone();
  assertTimeZone(timeZone);
  const clock = new Clock(options.now ?? (() => new Date()), timeZone);
  const ctx = { clock, dayFirst: options.lang === 'other' };
  const tokens = longestFirst([...scanChinese(text, ctx), ...scanEnglish(text, ctx), ...scanNumeric(text, ctx), ...scanHolidays(text, ctx)]);
  const out: ExtractedEntity[] = [];
  for (const group of groupTokens(text, tokens)) {
    const e = resolveGroup(text, group, clock);
    if (e) out.push(e);
  }
  return out;
}

/** Keep the longest of overlapping tokens (下午3点半 over 下午 and 3点), in text order. */
function longestFirst(tokens: DateToken[]): DateToken[] {
  const sorted = [...tokens].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: DateToken[] = [];
  for (const t of sorted) {
    if (kept.every((k) => t.end <= k.start || t.start >= k.end)) kept.push(t);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Neighbouring day, part-of-day and time tokens form one expression; ranges stand alone. */
function groupTokens(text: string, tokens: DateToken[]): DateToken[][] {
  const groups: DateToken[][] = [];
  let current: DateToken[] = [];
  for (const t of tokens) {
    const last = current[current.length - 1];
    const joins =
      last !== undefined &&
      t.kind !== 'range' &&
      last.kind !== 'range' &&
      !current.some((c) => c.kind === t.kind) &&
      JOINER.test(text.slice(last.end, t.start));
    if (joins) current.push(t);
    else {
      if (current.length) groups.push(current);
      current = [t];
    }
  }
  if (current.length) groups.push(current);
  return groups;
}

function resolveGroup(text: string, group: DateToken[], clock: Clock): ExtractedEntity | undefined {
  const start = group[0].start;
  const end = group[group.length - 1].end;
  const entity = (name: string, value: unknown, confidence: number): ExtractedEntity => ({
    entity: name,
    value,
    text: text.slice(start, end),
    start,
    end,
    confidence,
    extractor: 'builtin',
  });
  const first = group[0];
  if (first.kind === 'range') {
    const value: DateRangeValue = { start: formatDate(first.from), end: formatDate(first.to) };
    return entity('date_range', value, 0.9);
  }
  if (group.length === 1 && (first.kind === 'time' || first.kind === 'pod') && first.weak) return undefined;
  const day = group.find((t) => t.kind === 'day')?.day;
  const time = group.find((t): t is TimeToken => t.kind === 'time');
  const pod = group.find((t): t is PodToken => t.kind === 'pod');
  const offset = pod?.dayOffset ?? time?.dayOffset;
  const baseDay = day ?? (offset === undefined ? undefined : clock.day(offset));
  if (time) {
    const podName = time.pod ?? pod?.pod;
    const hour = podName && (time.ambiguous || time.pod) ? applyPod(podName, time.hour) : time.hour;
    const ambiguous = time.ambiguous && !podName;
    return entity('datetime', resolveTime(clock, baseDay, hour, time.minute, ambiguous), ambiguous ? 0.85 : 0.95);
  }
  if (pod) {
    const d = baseDay ?? clock.today;
    const [from, to] = POD_HOURS[pod.pod];
    const value: DateRangeValue = { start: formatDateTime(d, from, 0), end: formatDateTime(d, to, 0) };
    return entity('datetime_range', value, 0.9);
  }
  return day ? entity('date', formatDate(day), 0.95) : undefined;
}

function resolveTime(clock: Clock, baseDay: CalDate | undefined, hour: number, minute: number, ambiguous: boolean): string {
  const { date: today, hour: nowH, minute: nowM } = clock.ref;
  const nowMinutes = nowH * 60 + nowM;
  const readings = ambiguous && hour <= 12 ? [hour, hour + 12] : [hour];
  if (!baseDay) {
    // The next occurrence: today if still ahead, else tomorrow.
    for (const dayOffset of [0, 1]) {
      for (const h of readings) {
        if (dayOffset * 1440 + h * 60 + minute >= nowMinutes) return formatDateTime(clock.day(dayOffset), h, minute);
      }
    }
  }
  const d = baseDay ?? today;
  if (!ambiguous) return formatDateTime(d, hour, minute);
  if (compareDates(d, today) === 0) {
    const ahead = readings.find((h) => h * 60 + minute >= nowMinutes);
    return formatDateTime(d, ahead ?? readings[readings.length - 1], minute);
  }
  return formatDateTime(d, hour >= 1 && hour <= 6 ? hour + 12 : hour, minute);
}
