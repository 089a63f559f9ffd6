/**
 * Phone numbers, e-mail addresses and URLs.
 *
 * `phone` values are E.164 ('+8613812345678'): Chinese mobiles (1[3-9] + 9 digits, with or
 * without +86 and 3-4-4 separators), Chinese landlines with an area code (010-12345678,
 * (0755)1234567), North American numbers written with separators ((415) 555-0100), and any
 * number written internationally with a leading + (+1 415 555 0100, +44 20 7946 0958).
 * `email` values are lower-cased; `url` values get http:// when written as www.example.com.
 */
import type { ExtractedEntity } from '../../core/types';

const CN_MOBILE = /(?<![\d+])(?:(?:\+|00)?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)/g;
const CN_LANDLINE = /(?<![\d+])(?:\((0\d{2,3})\)\s*|(0\d{2,3})[\s-])(\d{7,8})(?!\d)|(?<![\d+])(0(?:10|2\d))(\d{8})(?!\d)/g;
const NANP = /(?<![\d+])(?:1[\s.-])?(?:\((\d{3})\)\s?|(\d{3})[\s.-])(\d{3})[\s.-](\d{4})(?!\d)/g;
const INTERNATIONAL = /(?<![\w+])\+(\d{1,3})(?:[\s.-]?\(?\d{1,4}\)?){2,5}(?!\d)/g;
const EMAIL = /(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w-])/g;
// Stops at whitespace, quotes, brackets and CJK punctuation; trailing sentence punctuation is trimmed.
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"'`，。！？、；：）》」】\u3400-\u9fff]+/gi;

function entity(text: string, name: string, start: number, end: number, value: string, confidence: number): ExtractedEntity {
  return { entity: name, value, text: text.slice(start, end), start, end, confidence, extractor: 'builtin' };
}

export function extractPhones(text: string): ExtractedEntity[] {
  if (!/\d{3}/.test(text.replace(/[\s().-]/g, ''))) return [];
  const out: ExtractedEntity[] = [];
  for (const m of text.matchAll(CN_MOBILE)) {
    out.push(entity(text, 'phone', m.index, m.index + m[0].length, `+86${m[1]}${m[2]}${m[3]}`, 0.95));
  }
  for (const m of text.matchAll(CN_LANDLINE)) {
    const area = (m[1] ?? m[2] ?? m[4]).slice(1);
    out.push(entity(text, 'phone', m.index, m.index + m[0].length, `+86${area}${m[3] ?? m[5]}`, 0.9));
  }
  for (const m of text.matchAll(NANP)) {
    out.push(entity(text, 'phone', m.index, m.index + m[0].length, `+1${m[1] ?? m[2]}${m[3]}${m[4]}`, 0.85));
  }
  for (const m of text.matchAll(INTERNATIONAL)) {
    const digits = m[0].replace(/\D/g, '');
    // E.164 allows at most 15 digits; fewer than 8 is a code or an amount, not a phone.
    if (digits.length >= 8 && digits.length <= 15) {
      out.push(entity(text, 'phone', m.index, m.index + m[0].length, `+${digits}`, 0.9));
    }
  }
  return out;
}

export function extractEmails(text: string): ExtractedEntity[] {
  if (!text.includes('@')) return [];
  return [...text.matchAll(EMAIL)].map((m) =>
    entity(text, 'email', m.index, m.index + m[0].length, m[0].toLowerCase(), 0.99),
  );
}

export function extractUrls(text: string): ExtractedEntity[] {
  if (!/https?:|www\./i.test(text)) return [];
  const out: ExtractedEntity[] = [];
  for (const m of text.matchAll(URL_RE)) {
    const raw = m[0].replace(/[.,;:!?)\]]+$/, '');
    if (raw.length < 5) continue;
    const value = /^www\./i.test(raw) ? `http://${raw}` : raw;
    out.push(entity(text, 'url', m.index, m.index + raw.length, value, 0.99));
  }
  return out;
}
