/**
 * Holidays and shopping festivals as days, in Chinese and English: 春节, 中秋, 国庆, 五一, 双十一,
 * 618, Christmas (Eve), Black Friday, Thanksgiving, Singles' Day, ... A holiday names the next
 * such day on or after today, like a date without a year (3月5日); 今年/明年/去年 (this/next/
 * last year) in front of a Chinese name picks the year. Multi-day holidays (国庆, 五一) name
 * their first day.
 *
 * Lunar holidays (春节, 除夕, 元宵节, 端午, 中秋) come from a table for 2024-2035: ICU's Chinese
 * calendar (Intl with ca-chinese) would need no table, but ICU 78 (in Node here) puts the 2027
 * and 2030 new years one day off (a new moon minutes before Beijing midnight; the Hong Kong
 * Observatory has 2027-02-06), which moves the whole first month. The table agrees with ICU
 * on the other 34 dates. 除夕 is the day before 春节, 元宵节 fourteen days after it. Past
 * 2035 a lunar holiday is not recognised until the table is extended.
 */
import { addDays, compareDates, isoWeekday, type CalDate } from './calendar';
import type { DateToken, ScanContext } from './datetime-types';

type Rule = { solar: [number, number] } | { lunar: [number, number]; shift?: number } | { nth: [month: number, weekday: number, n: number]; shift?: number };

/** Names (longest first when matching) -> how to find the day in a Gregorian year. */
const ZH: [string[], Rule][] = [
  [['元旦'], { solar: [1, 1] }],
  [['除夕', '大年三十'], { lunar: [1, 1], shift: -1 }],
  [['春节', '大年初一', '过年'], { lunar: [1, 1] }],
  [['元宵节'], { lunar: [1, 1], shift: 14 }], // a bare 元宵 is as often the dumpling as the day
  [['情人节'], { solar: [2, 14] }],
  [['妇女节', '三八节'], { solar: [3, 8] }],
  [['劳动节', '五一'], { solar: [5, 1] }],
  [['母亲节'], { nth: [5, 7, 2] }],
  [['儿童节', '六一'], { solar: [6, 1] }],
  [['618'], { solar: [6, 18] }],
  [['端午节', '端午'], { lunar: [5, 5] }],
  [['父亲节'], { nth: [6, 7, 3] }],
  [['教师节'], { solar: [9, 10] }],
  [['中秋节', '中秋'], { lunar: [8, 15] }],
  [['国庆节', '国庆', '十一长假', '十一假期'], { solar: [10, 1] }],
  [['万圣节'], { solar: [10, 31] }],
  [['双十一', '双11', '光棍节'], { solar: [11, 11] }],
  [['感恩节'], { nth: [11, 4, 4] }],
  [['黑色星期五', '黑五'], { nth: [11, 4, 4], shift: 1 }],
  [['双十二', '双12'], { solar: [12, 12] }],
  [['平安夜'], { solar: [12, 24] }],
  [['圣诞节', '圣诞'], { solar: [12, 25] }],
];
const EN: [string[], Rule][] = [
  [["new year's day", 'new years day'], { solar: [1, 1] }],
  [["new year's eve", 'new years eve'], { solar: [12, 31] }],
  [['chinese new year', 'lunar new year', 'spring festival'], { lunar: [1, 1] }],
  [['lantern festival'], { lunar: [1, 1], shift: 14 }],
  [["valentine's day", 'valentines day', "valentine's"], { solar: [2, 14] }],
  [["mother's day", 'mothers day'], { nth: [5, 7, 2] }],
  [['dragon boat festival'], { lunar: [5, 5] }],
  [["father's day", 'fathers day'], { nth: [6, 7, 3] }],
  [['mid-autumn festival', 'mid autumn festival', 'moon festival'], { lunar: [8, 15] }],
  [['halloween'], { solar: [10, 31] }],
  [["singles' day", 'singles day'], { solar: [11, 11] }],
  [['thanksgiving day', 'thanksgiving'], { nth: [11, 4, 4] }],
  [['black friday'], { nth: [11, 4, 4], shift: 1 }],
  [['cyber monday'], { nth: [11, 4, 4], shift: 4 }],
  [['christmas eve', 'xmas eve'], { solar: [12, 24] }],
  [['christmas day', 'christmas', 'xmas'], { solar: [12, 25] }],
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const byLength = (a: string, b: string) => b.length - a.length;
const zhNames = new Map(ZH.flatMap(([names, rule]) => names.map((n) => [n, rule] as const)));
const enNames = new Map(EN.flatMap(([names, rule]) => names.map((n) => [n, rule] as const)));
// 五一路 / 六一广场 are streets and squares, 0618 or 6180 other numbers, 五一 after another numeral part of one.
const ZH_RE = new RegExp(`(今年|明年|去年)?(?<![0-9零〇一二两三四五六七八九十])(${[...zhNames.keys()].sort(byLength).map(escape).join('|')})(?![0-9]|路|街|广场|大道|村|桥|号)`, 'g');
const EN_RE = new RegExp(`\\b(${[...enNames.keys()].sort(byLength).map((n) => escape(n).replace(/'/g, "['’]")).join('|')})\\b`, 'gi');
// A bare 618 / 五一 / 六一 is a holiday only in shopping or holiday words around it.
const NEEDS_CONTEXT = new Set(['618', '五一', '六一']);
const CONTEXT = /(大促|活动|购物节|优惠|期间|当天|那天|放假|假期|节|促销|打折|狂欢|快乐|前后|之前|以后|的时候|出游|旅游|天气)/;

/** [month, day] of 春节 (lunar 1/1), 端午 (5/5) and 中秋 (8/15) for 2024, 2025, ... */
const LUNAR_TABLE_FROM = 2024;
const LUNAR: Record<string, [number, number][]> = {
  '1-1': [[2, 10], [1, 29], [2, 17], [2, 6], [1, 26], [2, 13], [2, 3], [1, 23], [2, 11], [1, 31], [2, 19], [2, 8]],
  '5-5': [[6, 10], [5, 31], [6, 19], [6, 9], [5, 28], [6, 16], [6, 5], [6, 24], [6, 12], [6, 1], [6, 20], [6, 10]],
  '8-15': [[9, 17], [10, 6], [9, 25], [9, 15], [10, 3], [9, 22], [9, 12], [10, 1], [9, 19], [9, 8], [9, 27], [9, 16]],
};

function lunarDay(y: number, month: number, day: number): CalDate | undefined {
  const md = LUNAR[`${month}-${day}`]?.[y - LUNAR_TABLE_FROM];
  return md && { y, m: md[0], d: md[1] };
}

function dayIn(rule: Rule, y: number): CalDate | undefined {
  if ('solar' in rule) return { y, m: rule.solar[0], d: rule.solar[1] };
  if ('lunar' in rule) {
    const d = lunarDay(y, rule.lunar[0], rule.lunar[1]);
    return d && addDays(d, rule.shift ?? 0);
  }
  const [m, weekday, n] = rule.nth;
  const first: CalDate = { y, m, d: 1 };
  const offset = (weekday - isoWeekday(first) + 7) % 7;
  return addDays(first, offset + 7 * (n - 1) + (rule.shift ?? 0));
}

/** This year's day if it is still ahead (or today), else next year's. */
function nextDay(rule: Rule, today: CalDate): CalDate | undefined {
  const thisYear = dayIn(rule, today.y);
  if (thisYear && compareDates(thisYear, today) >= 0) return thisYear;
  return dayIn(rule, today.y + 1);
}

const YEAR_SHIFT: Record<string, number> = { 去年: -1, 今年: 0, 明年: 1 };

export function scanHolidays(text: string, ctx: ScanContext): DateToken[] {
  const out: DateToken[] = [];
  if (/[\u3400-\u9fff]|618/.test(text)) {
    for (const m of text.matchAll(ZH_RE)) {
      const name = m[2];
      const start = m.index + (m[1]?.length ?? 0);
      const end = start + name.length;
      if (NEEDS_CONTEXT.has(name) && !m[1] && !CONTEXT.test(text.slice(end, end + 4))) continue;
      const rule = zhNames.get(name) as Rule;
      const day = m[1] ? dayIn(rule, ctx.clock.today.y + YEAR_SHIFT[m[1]]) : nextDay(rule, ctx.clock.today);
      if (day) out.push({ kind: 'day', start: m[1] ? m.index : start, end, day });
    }
  }
  for (const m of text.matchAll(EN_RE)) {
    const rule = enNames.get(m[1].toLowerCase().replace(/’/g, "'")) as Rule;
    const day = nextDay(rule, ctx.clock.today);
    if (day) out.push({ kind: 'day', start: m.index, end: m.index + m[0].length, day });
  }
  return out;
}
