/**
 * English and numeric date and time expressions: today, tomorrow, the day after tomorrow,
 * next Monday, this Friday, on Monday, March 5, 5th of March 2025, in 3 days, two weeks ago,
 * next week, this weekend, next month; at 5pm, 7:30 am, at 5, noon, half past 7, tonight,
 * tomorrow morning; and the numeric forms 2025-03-05, 3/5/2025 and 17:30 in any language.
 *
 * "next Monday" is the Monday of next week (ISO weeks, starting Monday), "last Monday" the
 * one of last week; "this Friday", "on Friday" and a bare "Friday" are the next Friday on or
 * after today. Dates without a year are the next such date on or after today.
 */
import { addDays, addMonths, daysInMonth, isoWeekday, isValidDate, nextMonthDay, weekStart, type CalDate } from './calendar';
import type { DateToken, Pod, ScanContext } from './datetime-types';
import { parseNumber } from './numbers';

const MONTHS: Record<string, number> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6,
  july: 7, jul: 7, august: 8, aug: 8, september: 9, sept: 9, sep: 9, october: 10, oct: 10,
  november: 11, nov: 11, december: 12, dec: 12,
};
const WEEKDAYS: Record<string, number> = {
  monday: 1, mon: 1, tuesday: 2, tues: 2, tue: 2, wednesday: 3, wed: 3, thursday: 4, thurs: 4,
  thur: 4, thu: 4, friday: 5, fri: 5, saturday: 6, sat: 6, sunday: 7, sun: 7,
};
/** Abbreviations that are also common words: only dates after on/next/this/last. */
const WORD_LIKE = new Set(['mon', 'sat', 'sun', 'wed']);
const REL_DAYS: Record<string, number> = {
  'the day before yesterday': -2, yesterday: -1, today: 0, tomorrow: 1, tmrw: 1, tmr: 1,
  'the day after tomorrow': 2,
};
const HOUR_WORDS = 'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve';
const COUNT = `\\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\\s+couple\\s+of|a\\s+few`;

const alt = (o: Record<string, unknown>): string =>
  Object.keys(o)
    .sort((a, b) => b.length - a.length)
    .map((k) => k.replace(/ /g, '\\s+'))
    .join('|');

const REL_DAY = new RegExp(`\\b(${alt(REL_DAYS)})\\b`, 'gi');
const WEEKDAY = new RegExp(`\\b(?:(on)\\s+)?(?:(next|this|last|coming|previous)\\s+)?(${alt(WEEKDAYS)})\\b\\.?`, 'gi');
const PERIOD = /\b(?:(next|this|last|the|on\s+the)\s+)(week|weekend|month|year)\b/gi;
const MONTH_DAY = new RegExp(
  `\\b(?:on\\s+)?(${alt(MONTHS)})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?`,
  'gi',
);
const DAY_MONTH = new RegExp(
  `\\b(?:on\\s+)?(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${alt(MONTHS)})\\b\\.?(?:,?\\s+(\\d{4})\\b)?`,
  'gi',
);
const MONTH_ONLY = new RegExp(`\\b(?:in\\s+(${alt(MONTHS)})|(${alt(MONTHS)})\\s+(\\d{4}))\\b`, 'gi');
const ORDINAL_DAY = /\bon\s+the\s+(\d{1,2})(?:st|nd|rd|th)\b/gi;
const RELATIVE = new RegExp(
  `\\b(?:in\\s+(${COUNT})\\s+(day|week|month|year)s?|(${COUNT})\\s+(day|week|month|year)s?\\s+(ago|from\\s+now|later))\\b`,
  'gi',
);
const RELATIVE_TIME = new RegExp(
  `\\b(?:in\\s+(${COUNT}|half\\s+an)\\s+(minute|min|hour|hr)s?|(${COUNT})\\s+(minute|min|hour|hr)s?\\s+(ago|from\\s+now|later))\\b`,
  'gi',
);
const ISO_DATE = /(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d])/g;
const SLASH_DATE = /(?<![\d/])(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})(?![\d/])/g;
const MERIDIEM_TIME = new RegExp(
  `\\b(?:at\\s+|@\\s*)?(\\d{1,2}|${HOUR_WORDS})(?::(\\d{2}))?\\s*(a\\.?m\\.?|p\\.?m\\.?)(?![A-Za-z])`,
  'gi',
);
const CLOCK_TIME = /(?:\bat\s+|@\s*)?(?<![\d:.])(\d{1,2})[:：](\d{2})(?![\d:])/gi;
// at 5 / 5 o'clock / 8 (in the evening): hours without am/pm, read later with the part of day if any.
const BARE_HOUR = new RegExp(
  `\\b(?:at\\s+(\\d{1,2}|${HOUR_WORDS})(?:\\s*o'?clock)?|(\\d{1,2}|${HOUR_WORDS})\\s*o'?clock|(\\d{1,2}|${HOUR_WORDS})(?=\\s+(?:in\\s+the\\s+(?:morning|afternoon|evening)|at\\s+night|tonight)))\\b(?![:.]?\\d)`,
  'gi',
);
const AFTER_BARE_HOUR = new Set([
  'tomorrow', 'today', 'tonight', 'on', 'in', 'this', 'next', 'and', 'or', 'then', 'sharp', 'please',
  'tmr', 'tmrw', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'at',
]);
const PAST_TO = new RegExp(`\\b(?:at\\s+)?(half|quarter)\\s+(past|to)\\s+(\\d{1,2}|${HOUR_WORDS})\\b(?:\\s*(am|pm)\\b)?`, 'gi');
const NOON = /\b(?:at\s+)?(noon|midday|midnight)\b/gi;
const PODS: Record<string, { pod: Pod; dayOffset?: number; weak?: boolean }> = {
  tonight: { pod: 'evening', dayOffset: 0 },
  'last night': { pod: 'night', dayOffset: -1 },
  'this morning': { pod: 'morning', dayOffset: 0 },
  'this afternoon': { pod: 'afternoon', dayOffset: 0 },
  'this evening': { pod: 'evening', dayOffset: 0 },
  'in the morning': { pod: 'morning' },
  'in the afternoon': { pod: 'afternoon' },
  'in the evening': { pod: 'evening' },
  'at night': { pod: 'night' },
  // Bare words count only beside a day or time (tomorrow morning); "good morning" never does.
  morning: { pod: 'morning', weak: true },
  afternoon: { pod: 'afternoon', weak: true },
  evening: { pod: 'evening', weak: true },
  night: { pod: 'night', weak: true },
};
const POD = new RegExp(`(?<!good\\s+)\\b(${alt(PODS)})\\b`, 'gi');

export function scanEnglish(text: string, ctx: ScanContext): DateToken[] {
  if (!/[A-Za-z]/.test(text)) return [];
  const { clock } = ctx;
  const out: DateToken[] = [];
  const day = (m: RegExpExecArray, d: CalDate | undefined): void => {
    if (d) out.push({ kind: 'day', start: m.index, end: m.index + m[0].length, day: d });
  };
  const range = (m: RegExpExecArray, from: CalDate, to: CalDate): void => {
    out.push({ kind: 'range', start: m.index, end: m.index + m[0].length, from, to });
  };
  const year = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  const monthDay = (m: RegExpExecArray, mo: number, d: number, y: number | undefined): void =>
    day(m, y === undefined ? nextMonthDay(clock.today, mo, d) : isValidDate(y, mo, d) ? { y, m: mo, d } : undefined);

  for (const m of text.matchAll(REL_DAY)) day(m, clock.day(REL_DAYS[m[1].toLowerCase().replace(/\s+/g, ' ')]));
  for (const m of text.matchAll(WEEKDAY)) {
    const name = m[3].toLowerCase();
    const mod = m[2]?.toLowerCase();
    if (WORD_LIKE.has(name) && !m[1] && !mod) continue;
    const wd = WEEKDAYS[name];
    const today = clock.today;
    if (mod === 'next') day(m, addDays(weekStart(today, 1), wd - 1));
    else if (mod === 'last' || mod === 'previous') day(m, addDays(weekStart(today, -1), wd - 1));
    else {
      let ahead = (wd - isoWeekday(today) + 7) % 7;
      if (mod === 'coming' && ahead === 0) ahead = 7;
      day(m, clock.day(ahead));
    }
  }
  for (const m of text.matchAll(PERIOD)) {
    const mod = m[1].toLowerCase().replace(/\s+/g, ' ');
    const unit = m[2].toLowerCase();
    const shift = mod === 'next' ? 1 : mod === 'last' ? -1 : 0;
    if (shift === 0 && mod !== 'this' && unit !== 'weekend') continue; // "the week" is no date
    const today = clock.today;
    if (unit === 'week' || unit === 'weekend') {
      const monday = weekStart(today, shift);
      if (unit === 'week') range(m, monday, addDays(monday, 6));
      else range(m, addDays(monday, 5), addDays(monday, 6));
    } else if (unit === 'month') {
      const first = addMonths({ ...today, d: 1 }, shift);
      range(m, first, { ...first, d: daysInMonth(first.y, first.m) });
    } else {
      const y = today.y + shift;
      range(m, { y, m: 1, d: 1 }, { y, m: 12, d: 31 });
    }
  }
  for (const m of text.matchAll(MONTH_DAY)) monthDay(m, MONTHS[m[1].toLowerCase()], Number(m[2]), year(m[3]));
  for (const m of text.matchAll(DAY_MONTH)) {
    // "3 may be enough": May after a plain number needs "of" or an ordinal to be a month.
    if (m[2].toLowerCase() === 'may' && !/\d(?:st|nd|rd|th)|\bof\b/i.test(m[0])) continue;
    monthDay(m, MONTHS[m[2].toLowerCase()], Number(m[1]), year(m[3]));
  }
  for (const m of text.matchAll(MONTH_ONLY)) {
    const mo = MONTHS[(m[1] ?? m[2]).toLowerCase()];
    const y = year(m[3]) ?? (mo >= clock.today.m ? clock.today.y : clock.today.y + 1);
    range(m, { y, m: mo, d: 1 }, { y, m: mo, d: daysInMonth(y, mo) });
  }
  for (const m of text.matchAll(ORDINAL_DAY)) {
    const d = Number(m[1]);
    const t = clock.today;
    const month = d >= t.d ? t : addMonths({ ...t, d: 1 }, 1);
    day(m, isValidDate(month.y, month.m, d) ? { y: month.y, m: month.m, d } : undefined);
  }
  for (const m of text.matchAll(RELATIVE)) {
    const n = count(m[1] ?? m[3]);
    if (n === undefined) continue;
    const unit = (m[2] ?? m[4]).toLowerCase();
    const sign = m[5] !== undefined && m[5].toLowerCase() === 'ago' ? -1 : 1;
    const t = clock.today;
    if (unit === 'day') day(m, clock.day(sign * n));
    else if (unit === 'week') day(m, clock.day(sign * 7 * n));
    else day(m, addMonths(t, sign * n * (unit === 'year' ? 12 : 1)));
  }
  for (const m of text.matchAll(RELATIVE_TIME)) {
    const raw = (m[1] ?? m[3]).toLowerCase();
    const n = /^half/.test(raw) ? 0.5 : count(raw);
    if (n === undefined) continue;
    const unit = (m[2] ?? m[4]).toLowerCase();
    const sign = m[5] !== undefined && m[5].toLowerCase() === 'ago' ? -1 : 1;
    out.push(clock.after(sign * n * (unit.startsWith('h') ? 60 : 1), m.index, m.index + m[0].length));
  }
  scanTimes(text, out);
  for (const m of text.matchAll(POD)) {
    const p = PODS[m[1].toLowerCase().replace(/\s+/g, ' ')];
    out.push({ kind: 'pod', start: m.index, end: m.index + m[0].length, ...p });
  }
  return out;
}

function count(s: string): number | undefined {
  const t = s.toLowerCase().replace(/\s+/g, ' ');
  if (t === 'a' || t === 'an') return 1;
  if (t === 'a couple of') return 2;
  if (t === 'a few') return 3;
  return parseNumber(t);
}

function scanTimes(text: string, out: DateToken[]): void {
  const time = (m: RegExpExecArray, hour: number | undefined, minute: number, ambiguous: boolean): void => {
    if (hour === undefined || hour > 24 || minute > 59) return;
    out.push({ kind: 'time', start: m.index, end: m.index + m[0].length, hour, minute, ambiguous });
  };
  for (const m of text.matchAll(MERIDIEM_TIME)) {
    const h = parseNumber(m[1]);
    if (h === undefined || h < 1 || h > 12) continue;
    const pm = m[3].toLowerCase().startsWith('p');
    time(m, (h % 12) + (pm ? 12 : 0), m[2] === undefined ? 0 : Number(m[2]), false);
  }
  for (const m of text.matchAll(BARE_HOUR)) {
    // "at 3 options" is no time: after a bare "at 3" only time-ish words may follow.
    const next = /^\s*([A-Za-z']+)/.exec(text.slice(m.index + m[0].length));
    if (m[1] !== undefined && !/o'?clock/i.test(m[0]) && next && !AFTER_BARE_HOUR.has(next[1].toLowerCase())) continue;
    const h = parseNumber(m[1] ?? m[2] ?? m[3]);
    if (h !== undefined && h <= 12) time(m, h, 0, h >= 1);
  }
  for (const m of text.matchAll(PAST_TO)) {
    let h = parseNumber(m[3]);
    if (h === undefined || h < 1 || h > 12) continue;
    let minute = m[1].toLowerCase() === 'half' ? 30 : 15;
    if (m[2].toLowerCase() === 'to') {
      minute = 60 - minute;
      h = h === 1 ? 12 : h - 1;
    }
    const mer = m[4]?.toLowerCase();
    time(m, mer ? (h % 12) + (mer === 'pm' ? 12 : 0) : h, minute, !mer);
  }
  for (const m of text.matchAll(NOON)) time(m, m[1].toLowerCase() === 'midnight' ? 24 : 12, 0, false);
}

/** 17:30, 7:30 and ISO / slash dates: written the same way in every language. */
export function scanNumeric(text: string, ctx: ScanContext): DateToken[] {
  if (!/\d/.test(text)) return [];
  const out: DateToken[] = [];
  for (const m of text.matchAll(CLOCK_TIME)) {
    const [h, min] = [Number(m[1]), Number(m[2])];
    if (h > 24 || min > 59) continue;
    out.push({ kind: 'time', start: m.index, end: m.index + m[0].length, hour: h, minute: min, ambiguous: h >= 1 && h <= 12 });
  }
  const push = (m: RegExpExecArray, y: number, mo: number, d: number): void => {
    if (isValidDate(y, mo, d)) out.push({ kind: 'day', start: m.index, end: m.index + m[0].length, day: { y, m: mo, d } });
  };
  for (const m of text.matchAll(ISO_DATE)) push(m, Number(m[1]), Number(m[2]), Number(m[3]));
  for (const m of text.matchAll(SLASH_DATE)) {
    let [a, b] = [Number(m[1]), Number(m[2])];
    const y = m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    // M/D/Y unless the text is in a day-first language or the first part cannot be a month.
    if (ctx.dayFirst || a > 12) [a, b] = [b, a];
    push(m, y, a, b);
  }
  return out;
}
