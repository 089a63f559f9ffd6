/**
 * Number recognition for Chinese and English text: arabic numerals (1,234.5), Chinese
 * numerals (三, 十二, 一百二十, 两千, 一万五, 二〇二五, 3万, 1.5亿) and English number words
 * (twenty-one, one hundred and five, a dozen).
 *
 * `findNumbers` returns every number span with its value; money, quantity and date
 * extractors build on those spans. `extractNumbers` turns the spans that stand on their
 * own into `number` entities, leaving out Chinese single-character numerals glued to a
 * following Han character (一些, 一起, 十分, 万一): those are words, not numbers.
 */
import type { ExtractedEntity } from '../../core/types';

export interface NumberSpan {
  start: number;
  end: number;
  value: number;
  /** which writing system produced it; decides how strict the context checks are */
  kind: 'arabic' | 'zh' | 'en';
}

const ZH_DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 三: 3, 叁: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};
const ZH_SMALL_UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };
const ZH_BIG_UNITS: Record<string, number> = { 万: 1e4, 亿: 1e8 };

/** Characters that can appear in a Chinese numeral run; exported for other builtin regexes. */
export const ZH_NUMERAL_CHARS = '零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿';
const ARABIC_SRC = '\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?';
/** A number run that contains at least one Chinese numeral character. */
const ZH_RUN = new RegExp(`(?:${ARABIC_SRC}|[${ZH_NUMERAL_CHARS}])+`, 'g');
// A minus sign counts only where it cannot be a hyphen inside a word or code (COVID-19).
const ZH_TOKEN = new RegExp(`${ARABIC_SRC}|.`, 'g');
const ARABIC_RE = new RegExp(`(?<![\\d.,])(?:(?<![\\w])-)?(?:${ARABIC_SRC})(?![\\d])`, 'g');

/** Floating-point products such as 3.3 * 1e4 come back as 33000.000000000004; trim that noise. */
function tidy(n: number): number {
  return Number(n.toPrecision(12));
}

function parseArabic(s: string): number | undefined {
  const n = Number(s.replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Parse a Chinese numeral string, optionally mixed with arabic digits (3万5千, 1.5亿).
 * Returns undefined for strings that are not well-formed numbers (万一, 十二三).
 */
export function parseChineseNumber(s: string): number | undefined {
  if (s.length === 0) return undefined;
  // Digit-by-digit form used for years and codes: 二〇二五 -> 2025.
  if (s.length > 1 && [...s].every((c) => c in ZH_DIGITS && c !== '两')) {
    return Number([...s].map((c) => ZH_DIGITS[c]).join(''));
  }
  const tokens = s.match(ZH_TOKEN) ?? [];
  let total = 0;
  let section = 0;
  let current: number | undefined;
  let lastUnit = 0; // the unit just applied, for the colloquial elision 一百五 = 150
  let sawZero = false;
  let sawDigit = false;
  let sectionCap = Infinity; // small units inside a section must descend: 千 > 百 > 十
  for (const t of tokens) {
    if (/^\d/.test(t)) {
      if (current !== undefined) return undefined;
      current = parseArabic(t);
      sawDigit = true;
    } else if (t in ZH_DIGITS) {
      if (current !== undefined) return undefined; // 十二三 is a range, not a number
      current = ZH_DIGITS[t];
      sawDigit = true;
      if (current === 0) {
        sawZero = true;
        current = undefined;
      }
    } else if (t in ZH_SMALL_UNITS) {
      const u = ZH_SMALL_UNITS[t];
      if (u >= sectionCap) return undefined;
      // 十 alone at the start of a section means 一十 (十二 = 12).
      const mult = current ?? (u === 10 ? 1 : undefined);
      if (mult === undefined) return undefined;
      section += mult * u;
      sectionCap = u;
      current = undefined;
      lastUnit = u;
      sawZero = false;
    } else if (t in ZH_BIG_UNITS) {
      const u = ZH_BIG_UNITS[t];
      section += current ?? 0;
      if (section === 0) return undefined; // 万 with nothing before it
      total = u === 1e8 ? (total + section) * u : total + section * u;
      section = 0;
      sectionCap = Infinity;
      current = undefined;
      lastUnit = u;
      sawZero = false;
    } else {
      return undefined;
    }
  }
  if (!sawDigit && lastUnit === 0) return undefined;
  if (current !== undefined) {
    // 一百五 / 两千三 / 一万五: a trailing digit right after a unit counts one unit lower.
    const elide = !sawZero && lastUnit >= 100 && current < 10 && Number.isInteger(current);
    section += elide ? current * (lastUnit / 10) : current;
  }
  return tidy(total + section);
}

const EN_SMALL: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16,
  seventeen: 17, eighteen: 18, nineteen: 19,
};
const EN_TENS: Record<string, number> = {
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const EN_SCALES: Record<string, number> = { hundred: 100, thousand: 1e3, million: 1e6, billion: 1e9 };

type WordKind = 'article' | 'small' | 'tens' | 'hundred' | 'scale' | 'dozen' | 'and';

function wordKind(w: string): WordKind | undefined {
  if (w === 'a' || w === 'an') return 'article';
  if (w in EN_SMALL) return 'small';
  if (w in EN_TENS) return 'tens';
  if (w === 'hundred') return 'hundred';
  if (w in EN_SCALES) return 'scale';
  if (w === 'dozen' || w === 'dozens') return 'dozen';
  if (w === 'and') return 'and';
  return undefined;
}

/** Which word kinds may follow a given kind inside one English number phrase. */
const FOLLOWS: Record<WordKind | 'start', WordKind[]> = {
  start: ['article', 'small', 'tens'],
  article: ['hundred', 'scale', 'dozen'],
  small: ['hundred', 'scale', 'dozen'],
  tens: ['small', 'hundred', 'scale', 'dozen'],
  hundred: ['small', 'tens', 'scale', 'and'],
  scale: ['small', 'tens', 'and'],
  dozen: [],
  and: ['small', 'tens'],
};

interface Word {
  w: string;
  start: number;
  end: number;
}

/** Split English number words into phrases, greedily, following the FOLLOWS grammar. */
function englishNumbers(text: string): NumberSpan[] {
  const out: NumberSpan[] = [];
  const words: Word[] = [];
  for (const m of text.matchAll(/[A-Za-z]+/g)) {
    words.push({ w: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length });
  }
  let i = 0;
  while (i < words.length) {
    let prev: WordKind | 'start' = 'start';
    let j = i;
    let lastGood = -1;
    let total = 0;
    let current = 0;
    let good = { total: 0, current: 0 };
    while (j < words.length) {
      const k = wordKind(words[j].w);
      // Words of one phrase are separated by spaces or a hyphen only (twenty-one).
      if (j > i && !/^[\s-]+$/.test(text.slice(words[j - 1].end, words[j].start))) break;
      if (!k || !FOLLOWS[prev].includes(k)) break;
      const w = words[j].w;
      if (k === 'article') current = 1;
      else if (k === 'small') current += EN_SMALL[w];
      else if (k === 'tens') current += EN_TENS[w];
      else if (k === 'hundred') current = (current || 1) * 100;
      else if (k === 'dozen') current = (current || 1) * 12;
      else if (k === 'scale') {
        total += (current || 1) * EN_SCALES[w];
        current = 0;
      }
      prev = k;
      j++;
      if (k !== 'and' && k !== 'article') {
        lastGood = j;
        good = { total, current };
      }
    }
    // A bare "one" is usually a pronoun (this one, which one): not reported.
    const single = lastGood === i + 1 && words[i].w === 'one';
    if (lastGood > i && !single) {
      out.push({ start: words[i].start, end: words[lastGood - 1].end, value: good.total + good.current, kind: 'en' });
      i = lastGood;
    } else {
      i++;
    }
  }
  return out;
}

/** Parse English number words ("twenty-one", "a dozen"); undefined unless the whole string is one number. */
export function parseEnglishNumber(s: string): number | undefined {
  const spans = englishNumbers(s);
  return spans.length === 1 && spans[0].start === 0 && spans[0].end === s.trim().length ? spans[0].value : undefined;
}

/** Parse any single number written in arabic digits, Chinese numerals or English words. */
export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (/^-?[\d,]+(?:\.\d+)?$/.test(t)) return parseArabic(t);
  if (/^[A-Za-z\s-]+$/.test(t)) return parseEnglishNumber(t);
  return parseChineseNumber(t);
}

/** All number spans in the text, longest first where they overlap (3万 beats 3). */
export function findNumbers(text: string): NumberSpan[] {
  const spans: NumberSpan[] = [];
  for (const m of text.matchAll(ARABIC_RE)) {
    const value = parseArabic(m[0]);
    if (value !== undefined) spans.push({ start: m.index, end: m.index + m[0].length, value, kind: 'arabic' });
  }
  if (/[零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿]/.test(text)) {
    for (const m of text.matchAll(ZH_RUN)) {
      if (/^[\d.,]+$/.test(m[0])) continue; // plain arabic run, handled above
      const span = zhRun(m[0], m.index);
      if (span) spans.push(span);
    }
  }
  if (/[A-Za-z]/.test(text)) spans.push(...englishNumbers(text));
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: NumberSpan[] = [];
  for (const s of spans) {
    const last = kept[kept.length - 1];
    if (last && s.start < last.end) continue;
    kept.push(s);
  }
  return kept;
}

const FINANCIAL = /[壹贰叁肆伍陆柒捌玖拾佰仟]/g;
const ALL_FINANCIAL = /^[壹贰叁肆伍陆柒捌玖拾佰仟零〇万亿\d.,]{2,}$/;

/** Parse a Chinese numeral run; when the full run is malformed, drop leading big units (万一 -> 一). */
function zhRun(run: string, offset: number): NumberSpan | undefined {
  let s = run;
  let start = offset;
  // Financial numerals (壹佰贰拾) only appear as whole amounts; alone or mixed in they are
  // ordinary words: 大陆 (陆 = 6), 队伍, 收拾三个. Keep what follows the last of them.
  if (s.search(FINANCIAL) >= 0 && !ALL_FINANCIAL.test(s)) {
    const cut = Math.max(...[...s.matchAll(FINANCIAL)].map((m) => m.index + 1));
    s = s.slice(cut);
    start += cut;
  }
  while (s.length > 0) {
    const value = parseChineseNumber(s);
    if (value !== undefined) return { start, end: start + s.length, value, kind: 'zh' };
    if (!/^[万亿十拾百佰千仟]/.test(s)) return undefined;
    s = s.slice(1);
    start++;
  }
  return undefined;
}

const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
/** Characters that make a following single numeral part of a word: 统一, 唯一, 万一, 之一, 再三. */
const WORD_FINAL_PREFIX = /[统唯万亿之专同单划逐不再合]/;

/**
 * Whether a number span reads as a number on its own. A single Chinese numeral followed by a
 * Han character is part of a word (一些, 一起, 十分, 万一); ordinals (第一) are not cardinals.
 * Quantities and prices are recognised separately, so 三本 still yields a quantity.
 */
export function standsAlone(text: string, span: NumberSpan): boolean {
  if (span.kind !== 'zh') return true;
  if (text[span.start - 1] === '第') return false;
  if (span.end - span.start !== 1) return true;
  if (HAN.test(text[span.end] ?? '')) return false;
  return !WORD_FINAL_PREFIX.test(text[span.start - 1] ?? '');
}

/** `number` entities: value is a JS number. */
export function extractNumbers(text: string, spans: NumberSpan[] = findNumbers(text)): ExtractedEntity[] {
  return spans
    .filter((s) => standsAlone(text, s))
    .map((s) => ({
      entity: 'number',
      value: s.value,
      text: text.slice(s.start, s.end),
      start: s.start,
      end: s.end,
      confidence: s.kind === 'arabic' ? 0.9 : 0.85,
      extractor: 'builtin',
    }));
}
