/**
 * Built-in matches that cut through a longer word lose to it.
 *
 * The rule scanners look at characters, not words, so 明天 is found inside 昆明天气
 * (昆明 + 天气), 下周一 inside 下周一起, and 15 inside iPhone15. Two checks drop those:
 *  - **Chinese words (dates and times).** The Han runs are segmented with jieba. A date or
 *    time whose start falls inside a word that began earlier (昆明|天 -> 明天) or whose end
 *    falls inside a word that starts within the match and runs past it (下周[一起]) cuts
 *    that word and is dropped. A match that begins a longer word is kept (今年 of 今年底).
 *    Numbers and quantities are not checked against jieba: its segmentation of numerals
 *    and measure words is unreliable (三|本书).
 *  - **Codes (every built-in but email, phone and url).** A run of Latin letters glued to
 *    digits (iPhone15, 5G, A4, MP3) or a letter-led chain joined by - or _ (SKU-2024-001,
 *    covid-19) is one token: a match that starts or ends strictly inside it is dropped.
 *    A match that covers it whole (5pm, 3kg) is kept.
 * Gazetteer entries (昆明 as a city) are checked in the pipeline, which has the gazetteer.
 */
import type { ExtractedEntity } from '../../core/types';
import { getJieba } from '../../training/text';

export interface Span {
  start: number;
  end: number;
}

const TIME_TYPES = new Set(['date', 'datetime', 'date_range', 'datetime_range']);
const CONTACT_TYPES = new Set(['email', 'phone', 'url']);

const HAN_RUN = /\p{Script=Han}+/gu;
const CODE = /[A-Za-z]+[A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)+|[A-Za-z0-9]*(?:[A-Za-z][0-9]|[0-9][A-Za-z])[A-Za-z0-9]*/g;

/** jieba words of two or more characters, with offsets into `text`. */
export function chineseWords(text: string): Span[] {
  const out: Span[] = [];
  for (const m of text.matchAll(HAN_RUN)) {
    let pos = m.index;
    for (const w of getJieba().cut(m[0], true)) {
      if (w.length >= 2) out.push({ start: pos, end: pos + w.length });
      pos += w.length;
    }
  }
  return out;
}

/** Letter+digit codes (iPhone15, SKU-2024-001); a code must contain a digit and a letter. */
export function codeTokens(text: string): Span[] {
  const out: Span[] = [];
  for (const m of text.matchAll(CODE)) {
    if (/[0-9]/.test(m[0]) && /[A-Za-z]/.test(m[0])) out.push({ start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** The match starts inside `w` (w began earlier) or ends inside a `w` that starts within the match. */
export function cutsWord(e: Span, w: Span): boolean {
  return (w.start < e.start && e.start < w.end) || (e.start < w.start && w.start < e.end && e.end < w.end);
}

/** A match that starts or ends strictly inside the token. */
function cutsToken(e: Span, w: Span): boolean {
  return (w.start < e.start && e.start < w.end) || (w.start < e.end && e.end < w.end);
}

/** Drops built-in entities that cut through a Chinese word (dates and times) or a letter+digit code. */
export function dropWordCuts(text: string, entities: readonly ExtractedEntity[]): ExtractedEntity[] {
  if (entities.length === 0) return [];
  const needsWords = entities.some((e) => TIME_TYPES.has(e.entity)) && /\p{Script=Han}/u.test(text);
  const words = needsWords ? chineseWords(text) : [];
  const codes = /[A-Za-z]/.test(text) && /[0-9]/.test(text) ? codeTokens(text) : [];
  if (words.length === 0 && codes.length === 0) return [...entities];
  return entities.filter((e) => {
    if (TIME_TYPES.has(e.entity) && words.some((w) => cutsWord(e, w))) return false;
    return CONTACT_TYPES.has(e.entity) || !codes.some((c) => cutsToken(e, c));
  });
}
