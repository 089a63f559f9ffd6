/**
 * Chinese date and time expressions: 今天 / 明天 / 大后天, 下周一 / 这周五 / 本周末 / 周三,
 * 下个月 / 下个月5号, 3月5日 / 2025年3月5日 / 二〇二五年三月五日, 三天后 / 两周前,
 * 早上八点 / 下午3点半 / 晚上7:30 / 今晚 / 明早.
 *
 * Weeks start on Monday (Chinese usage and ISO 8601): 这周五 is the Friday of the current
 * week even when it has passed, 下周一 the Monday of the next one. A bare 周三 is the next
 * Wednesday on or after today. Dates without a year (3月5日) are the next such date on or
 * after today, as in Duckling: the product mostly hears about deliveries and plans.
 */
import { addDays, addMonths, daysInMonth, isoWeekday, isValidDate, nextMonthDay, weekStart, type CalDate } from './calendar';
import type { DateToken, Pod, ScanContext } from './datetime-types';
import { parseNumber } from './numbers';

const N = '[零〇一二两三四五六七八九十]{1,3}|\\d{1,2}';
const YEAR = '\\d{4}|[零〇一二三四五六七八九]{4}';

const REL_DAYS: Record<string, number> = {
  大前天: -3, 前天: -2, 昨天: -1, 昨日: -1, 昨儿: -1, 今天: 0, 今日: 0, 今儿: 0,
  明天: 1, 明日: 1, 明儿: 1, 后天: 2, 大后天: 3,
};
const REL_YEARS: Record<string, number> = { 前年: -2, 去年: -1, 今年: 0, 明年: 1, 后年: 2 };
const WEEK_SHIFT: Record<string, number> = {
  上上: -2, 上上个: -2, 上: -1, 上个: -1, 这: 0, 这个: 0, 本: 0, 下: 1, 下个: 1, 下下: 2, 下下个: 2,
};
const MONTH_SHIFT: Record<string, number> = {
  上上个月: -2, 上个月: -1, 上月: -1, 这个月: 0, 本月: 0, 下个月: 1, 下月: 1, 下下个月: 2,
};
const WEEKDAY: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };

/** Parts of the day; the compounds carry their own day (今晚 = today evening). */
const PODS: Record<string, { pod: Pod; dayOffset?: number }> = {
  今早: { pod: 'morning', dayOffset: 0 }, 今晨: { pod: 'morning', dayOffset: 0 },
  今晚: { pod: 'evening', dayOffset: 0 }, 今夜: { pod: 'night', dayOffset: 0 },
  明早: { pod: 'morning', dayOffset: 1 }, 明晨: { pod: 'morning', dayOffset: 1 },
  明晚: { pod: 'evening', dayOffset: 1 }, 昨晚: { pod: 'evening', dayOffset: -1 },
  昨夜: { pod: 'night', dayOffset: -1 }, 凌晨: { pod: 'early_morning' }, 早上: { pod: 'morning' },
  早晨: { pod: 'morning' }, 清晨: { pod: 'morning' }, 上午: { pod: 'morning' }, 中午: { pod: 'noon' },
  正午: { pod: 'noon' }, 下午: { pod: 'afternoon' }, 午后: { pod: 'afternoon' }, 傍晚: { pod: 'evening' },
  黄昏: { pod: 'evening' }, 晚上: { pod: 'evening' }, 晚间: { pod: 'evening' }, 夜里: { pod: 'night' },
  夜晚: { pod: 'night' }, 夜间: { pod: 'night' }, 半夜: { pod: 'night' }, 深夜: { pod: 'night' },
};

const alt = (o: Record<string, unknown>): string =>
  Object.keys(o)
    .sort((a, b) => b.length - a.length)
    .join('|');

const ABS_DATE = new RegExp(`(?:(${YEAR})\\s*年\\s*|(${alt(REL_YEARS)})\\s*)?(${N})\\s*月\\s*(${N})\\s*[日号]`, 'g');
const MONTH_DAY = new RegExp(`(${alt(MONTH_SHIFT)})\\s*(?:(${N})\\s*[日号])?`, 'g');
// A bare day of month: arabic 5日/5号, or Chinese numerals with 号 (一日 is "one day").
// 5号线 / 3号楼 are line and building numbers.
const BARE_DAY = /(?<![\d月])(?:(\d{1,2})\s*[日号]|([零〇一二三四五六七八九十]{1,3})\s*号)(?![线楼门房床店位窗口车码院])/g;
const MONTH_ONLY = new RegExp(`(?:(${YEAR})\\s*年\\s*|(${alt(REL_YEARS)})\\s*)?(${N})\\s*月份?`, 'g');
const YEAR_ONLY = new RegExp(`(${YEAR})\\s*年|(${alt(REL_YEARS)})`, 'g');
const REL_DAY = new RegExp(alt(REL_DAYS), 'g');
const WEEK = new RegExp(`(${alt(WEEK_SHIFT)})?\\s*(?:周|星期|礼拜)\\s*([一二三四五六日天末])`, 'g');
const WEEK_RANGE = new RegExp(`(${alt(WEEK_SHIFT)})\\s*(?:周|星期|礼拜)`, 'g');
const RELATIVE = new RegExp(`(${N}|半)\\s*(个)?\\s*(天|日|周|星期|礼拜|月|年)\\s*(?:以|之)?(后|前)`, 'g');
const RELATIVE_TIME = new RegExp(`(${N}|半)\\s*(个)?\\s*(半)?\\s*(小时|钟头|分钟)\\s*(?:以|之)?(后|前)`, 'g');
// 早上好 / 晚上好 are greetings and 下午茶 is a meal, not times.
const POD = new RegExp(`(${alt(PODS)})(?![好茶])`, 'g');
// Hours with 点/时 and optional minutes: 八点, 3点半, 两点一刻, 8点05分, 八点十五; or 7:30 after a part of day.
const TIME = new RegExp(
  `(?:(${alt(PODS)})\\s*)?(?:(${N})\\s*(点钟?|时)(?:\\s*(半|一刻|三刻|整|(?:零\\s*)?(?:${N})\\s*分?))?|(\\d{1,2})[:：](\\d{2}))`,
  'gd',
);

export function scanChinese(text: string, ctx: ScanContext): DateToken[] {
  if (!/[\u3400-\u9fff]/.test(text)) return [];
  const { clock } = ctx;
  const out: DateToken[] = [];
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : parseNumber(s));
  const day = (start: number, end: number, d: CalDate | undefined): void => {
    if (d) out.push({ kind: 'day', start, end, day: d });
  };
  const range = (start: number, end: number, from: CalDate, to: CalDate): void => {
    out.push({ kind: 'range', start, end, from, to });
  };

  // A full date that does not exist (2月30日) also hides its parts (2月) from the other patterns.
  const invalid: [number, number][] = [];
  for (const m of text.matchAll(ABS_DATE)) {
    const [mo, d] = [num(m[3]), num(m[4])];
    const y = m[1] !== undefined ? num(m[1]) : m[2] !== undefined ? clock.today.y + REL_YEARS[m[2]] : undefined;
    let resolved: CalDate | undefined;
    if (mo !== undefined && d !== undefined) {
      resolved = y === undefined ? nextMonthDay(clock.today, mo, d) : isValidDate(y, mo, d) ? { y, m: mo, d } : undefined;
    }
    if (resolved) day(m.index, m.index + m[0].length, resolved);
    else invalid.push([m.index, m.index + m[0].length]);
  }
  for (const m of text.matchAll(MONTH_ONLY)) {
    const mo = num(m[3]);
    if (mo === undefined || mo < 1 || mo > 12) continue;
    const t = clock.today;
    let y = m[1] !== undefined ? num(m[1]) : m[2] !== undefined ? t.y + REL_YEARS[m[2]] : undefined;
    y ??= mo >= t.m ? t.y : t.y + 1;
    if (y === undefined) continue;
    range(m.index, m.index + m[0].length, { y, m: mo, d: 1 }, { y, m: mo, d: daysInMonth(y, mo) });
  }
  for (const m of text.matchAll(YEAR_ONLY)) {
    const y = m[1] !== undefined ? num(m[1]) : clock.today.y + REL_YEARS[m[2]];
    if (y !== undefined) range(m.index, m.index + m[0].length, { y, m: 1, d: 1 }, { y, m: 12, d: 31 });
  }
  for (const m of text.matchAll(MONTH_DAY)) {
    const first = addMonths({ ...clock.today, d: 1 }, MONTH_SHIFT[m[1]]);
    const end = m.index + m[0].length;
    const d = num(m[2]);
    if (d === undefined) range(m.index, end, first, { ...first, d: daysInMonth(first.y, first.m) });
    else if (isValidDate(first.y, first.m, d)) day(m.index, end, { ...first, d });
  }
  for (const m of text.matchAll(BARE_DAY)) {
    const d = num(m[1] ?? m[2]);
    if (d === undefined || d < 1 || d > 31) continue;
    const t = clock.today;
    // This month when the day is still ahead (or today), else next month.
    const month = d >= t.d ? t : addMonths({ ...t, d: 1 }, 1);
    if (isValidDate(month.y, month.m, d)) day(m.index, m.index + m[0].length, { y: month.y, m: month.m, d });
  }
  for (const m of text.matchAll(REL_DAY)) day(m.index, m.index + m[0].length, clock.day(REL_DAYS[m[0]]));
  for (const m of text.matchAll(WEEK)) {
    const end = m.index + m[0].length;
    const shift = m[1] === undefined ? undefined : WEEK_SHIFT[m[1]];
    if (m[2] === '末') {
      const monday = weekStart(clock.today, shift ?? 0);
      range(m.index, end, addDays(monday, 5), addDays(monday, 6));
    } else if (shift === undefined) {
      // Bare 周三: the next Wednesday on or after today.
      const wd = WEEKDAY[m[2]];
      const ahead = (wd - isoWeekday(clock.today) + 7) % 7;
      day(m.index, end, clock.day(ahead));
    } else {
      day(m.index, end, addDays(weekStart(clock.today, shift), WEEKDAY[m[2]] - 1));
    }
  }
  for (const m of text.matchAll(WEEK_RANGE)) {
    const monday = weekStart(clock.today, WEEK_SHIFT[m[1]]);
    range(m.index, m.index + m[0].length, monday, addDays(monday, 6));
  }
  for (const m of text.matchAll(RELATIVE)) {
    const n = m[1] === '半' ? 0.5 : num(m[1]);
    if (n === undefined) continue;
    const sign = m[4] === '后' ? 1 : -1;
    const unit = m[3];
    let d: CalDate | undefined;
    if (unit === '天' || unit === '日') d = Number.isInteger(n) ? clock.day(sign * n) : undefined;
    else if (unit === '月') d = Number.isInteger(n) ? addMonths(clock.today, sign * n) : clock.day(sign * 15);
    else if (unit === '年') d = Number.isInteger(n) ? addMonths(clock.today, sign * n * 12) : addMonths(clock.today, sign * 6);
    else d = clock.day(sign * Math.round(n * 7));
    day(m.index, m.index + m[0].length, d);
  }
  for (const m of text.matchAll(RELATIVE_TIME)) {
    // 三小时后 / 半小时后 / 一个半小时后 / 20分钟前
    const n = m[1] === '半' ? 0.5 : num(m[1]);
    if (n === undefined) continue;
    const amount = n + (m[3] ? 0.5 : 0);
    const minutes = (m[4] === '分钟' ? amount : amount * 60) * (m[5] === '后' ? 1 : -1);
    out.push(clock.after(minutes, m.index, m.index + m[0].length));
  }
  for (const m of text.matchAll(POD)) {
    const p = PODS[m[1]];
    out.push({ kind: 'pod', start: m.index, end: m.index + m[1].length, pod: p.pod, dayOffset: p.dayOffset });
  }
  for (const m of text.matchAll(TIME)) scanTime(m, out);
  return invalid.length ? out.filter((t) => !invalid.some(([s, e]) => t.start < e && t.end > s)) : out;
}

function scanTime(m: RegExpExecArray, out: DateToken[]): void {
  const start = m.index;
  const p = m[1] === undefined ? undefined : PODS[m[1]];
  const hourText = m[2] ?? m[5];
  const hour = parseNumber(hourText);
  if (hour === undefined || hour > 24) return;
  let minute = 0;
  let end = start + m[0].length;
  let hasMinutes = m[6] !== undefined;
  if (m[6] !== undefined) minute = Number(m[6]);
  else if (m[4] !== undefined) {
    const fixed: Record<string, number> = { 半: 30, 一刻: 15, 三刻: 45, 整: 0 };
    if (m[4] in fixed) {
      minute = fixed[m[4]];
      hasMinutes = true;
    } else {
      const digits = m[4].replace(/^零\s*/, '').replace(/\s*分$/, '');
      const v = parseNumber(digits);
      // 八点十五 / 8点05 / 8点5分 are minutes; a lone unmarked digit (3点5折) is not.
      const marked = m[4].endsWith('分') || m[4].startsWith('零') || /^\d\d$/.test(digits) || (v ?? 0) >= 10;
      if (v !== undefined && v <= 59 && marked) {
        minute = v;
        hasMinutes = true;
      } else {
        end = m.indices?.[3]?.[1] ?? end;
      }
    }
  }
  const zhHour = !/^\d/.test(hourText);
  // 一点 alone means "a little" (便宜一点) and 一时 "for a moment": trusted only beside a day.
  const weak = p === undefined && zhHour && (m[3] === '时' || (hour === 1 && !hasMinutes));
  out.push({
    kind: 'time',
    start,
    end,
    hour,
    minute,
    ambiguous: p === undefined && hour >= 1 && hour <= 12,
    pod: p?.pod,
    dayOffset: p?.dayOffset,
    weak,
  });
}
