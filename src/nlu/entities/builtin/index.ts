/**
 * All built-in extractors behind one call. They may overlap (100元 is also the number 100);
 * mergeEntities keeps the longest span, so callers normally merge this list with the others.
 */
import type { ExtractedEntity, Lang } from '../../core/types';
import { extractEmails, extractPhones, extractUrls } from './contact';
import { extractDateTimes } from './datetime';
import { extractPrices } from './money';
import { extractNumbers, findNumbers } from './numbers';
import { extractQuantities } from './quantity';
import { dropWordCuts } from './word-cuts';

export type BuiltinKind = 'number' | 'quantity' | 'price' | 'datetime' | 'phone' | 'email' | 'url';

export const BUILTIN_KINDS: readonly BuiltinKind[] = ['number', 'quantity', 'price', 'datetime', 'phone', 'email', 'url'];

export interface BuiltinOptions {
  /** which extractors run; all by default ('datetime' covers date, datetime and both ranges) */
  kinds?: readonly BuiltinKind[];
  now?: () => Date;
  /** IANA time zone for dates and times; defaults to the process's zone */
  timeZone?: string;
  lang?: Lang;
  /** drop matches that cut through a longer word (昆明天气 has no 明天, iPhone15 no 15); on by default, see word-cuts.ts */
  wordBoundaries?: boolean;
}

export function extractBuiltins(text: string, options: BuiltinOptions = {}): ExtractedEntity[] {
  const kinds = new Set(options.kinds ?? BUILTIN_KINDS);
  const out: ExtractedEntity[] = [];
  if (kinds.has('number') || kinds.has('quantity') || kinds.has('price')) {
    const numbers = findNumbers(text);
    if (kinds.has('number')) out.push(...extractNumbers(text, numbers));
    if (kinds.has('quantity')) out.push(...extractQuantities(text, numbers));
    if (kinds.has('price')) out.push(...extractPrices(text, numbers));
  }
  if (kinds.has('datetime')) {
    out.push(...extractDateTimes(text, { now: options.now, timeZone: options.timeZone, lang: options.lang }));
  }
  if (kinds.has('phone')) out.push(...extractPhones(text));
  if (kinds.has('email')) out.push(...extractEmails(text));
  if (kinds.has('url')) out.push(...extractUrls(text));
  return options.wordBoundaries === false ? out : dropWordCuts(text, out);
}

export type { DateRangeValue, DateTimeOptions } from './datetime';
export type { PriceValue } from './money';
export type { QuantityValue } from './quantity';
export { InvalidTimeZoneError } from './calendar';
export { chineseWords, codeTokens, dropWordCuts } from './word-cuts';
export { parseChineseNumber, parseEnglishNumber, parseNumber } from './numbers';
