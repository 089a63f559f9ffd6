/**
 * Prices: an amount with a currency before it (¥100, ￥100, $5, US$5, €3, USD 20, 人民币500)
 * or after it (100元, 99.9块, 三百块钱, 5美元, 5 dollars, twenty bucks, 20 USD), plus the
 * colloquial yuan-and-jiao forms 3块5 / 3元5角 / 十块五 (= 3.5, 3.5, 10.5) and 5毛 (= 0.5).
 * Entity `price`, value { amount, currency } with an ISO 4217 code. ¥ is read as CNY (the
 * product's market), not JPY; write 日元/JPY/yen for yen.
 */
import type { ExtractedEntity } from '../../core/types';
import { findNumbers, parseNumber, type NumberSpan } from './numbers';

export interface PriceValue {
  amount: number;
  currency: string;
}

const SUFFIX_CODES: Record<string, string> = {
  元: 'CNY', 块钱: 'CNY', 块: 'CNY', 圆: 'CNY', 人民币: 'CNY', rmb: 'CNY', cny: 'CNY', yuan: 'CNY',
  美元: 'USD', 美金: 'USD', 刀: 'USD', dollar: 'USD', dollars: 'USD', bucks: 'USD', usd: 'USD',
  'us dollars': 'USD', 欧元: 'EUR', euro: 'EUR', euros: 'EUR', eur: 'EUR', 日元: 'JPY', 日币: 'JPY',
  yen: 'JPY', jpy: 'JPY', 英镑: 'GBP', gbp: 'GBP', 'pounds sterling': 'GBP', 港币: 'HKD', 港元: 'HKD',
  hkd: 'HKD', 'hong kong dollars': 'HKD', 韩元: 'KRW', krw: 'KRW', 毛: 'CNY', 角: 'CNY',
};
const PREFIX_CODES: Record<string, string> = {
  '¥': 'CNY', '￥': 'CNY', $: 'USD', us$: 'USD', hk$: 'HKD', '€': 'EUR', '£': 'GBP', rmb: 'CNY',
  cny: 'CNY', usd: 'USD', eur: 'EUR', gbp: 'GBP', jpy: 'JPY', hkd: 'HKD', krw: 'KRW', 人民币: 'CNY',
};

const byLength = (o: Record<string, string>): string =>
  Object.keys(o)
    .sort((a, b) => b.length - a.length)
    .map((k) => k.replace(/[$]/g, '\\$').replace(/ /g, '\\s+'))
    .join('|');

// Latin currency words need a word boundary after them (5 euros, not 5 eurozone).
const SUFFIX_RE = new RegExp(`\\s*(${byLength(SUFFIX_CODES)})(?![A-Za-z])`, 'iy');
const PREFIX_RE = new RegExp(`(?<![A-Za-z])(${byLength(PREFIX_CODES)})\\s*$`, 'i');
/** 3块5 / 3元5角 / 十块五毛: one digit of jiao right after 元 or 块. */
const JIAO_RE = /([0-9]|[一二两三四五六七八九])(?:毛|角)?/y;
/** 块 is a measure word (三块蛋糕) when a noun follows; these characters keep it money. */
const KUAI_MONEY_NEXT = /[钱的了吗呢吧啊呀哦左以内上下多零〇一二两三四五六七八九十]|[^\u3400-\u9fff]|^$/;

export function extractPrices(text: string, numbers: NumberSpan[] = findNumbers(text)): ExtractedEntity[] {
  const out: ExtractedEntity[] = [];
  let covered = 0; // the end of the last price: its jiao digit (3块5) is no price of its own
  for (const n of numbers) {
    if (n.start < covered) continue;
    let start = n.start;
    let end = n.end;
    let amount = n.value;
    let currency: string | undefined;

    const before = PREFIX_RE.exec(text.slice(Math.max(0, n.start - 8), n.start));
    if (before) {
      currency = PREFIX_CODES[before[1].toLowerCase()];
      start = n.start - before[0].length;
    }
    const suffix = readSuffix(text, n);
    if (suffix && (!currency || currency === suffix.currency)) {
      currency = suffix.currency;
      end = suffix.end;
      amount = Number((amount * suffix.scale).toPrecision(12));
      if (suffix.jiao !== undefined) amount = Number((amount + suffix.jiao / 10).toFixed(2));
    }
    if (!currency) continue;
    const value: PriceValue = { amount, currency };
    covered = end;
    out.push({ entity: 'price', value, text: text.slice(start, end), start, end, confidence: 0.95, extractor: 'builtin' });
  }
  return out;
}

interface Suffix {
  currency: string;
  end: number;
  /** 0.1 for 毛/角 */
  scale: number;
  /** the trailing jiao digit of 3块5 */
  jiao?: number;
}

function readSuffix(text: string, n: NumberSpan): Suffix | undefined {
  SUFFIX_RE.lastIndex = n.end;
  const m = SUFFIX_RE.exec(text);
  if (!m) return undefined;
  const word = m[1].toLowerCase().replace(/\s+/g, ' ');
  const end = n.end + m[0].length;
  // 三块蛋糕 is a count of pieces (left to quantity.ts); 一刀 is a knife, 5刀 is slang for dollars.
  if (word === '块' && !KUAI_MONEY_NEXT.test(text[end] ?? '')) return undefined;
  if (word === '刀' && n.kind !== 'arabic') return undefined;
  const currency = SUFFIX_CODES[word];
  if (word === '毛' || word === '角') return { currency, end, scale: 0.1 };
  if (!/^(元|块|块钱)$/.test(word)) return { currency, end, scale: 1 };
  JIAO_RE.lastIndex = end;
  const jiao = JIAO_RE.exec(text);
  if (!jiao) return { currency, end, scale: 1 };
  // The jiao digit must end the amount (3块5, not 3块5斤 or 3元50) unless 毛/角 names it.
  const named = jiao[0].length === 2;
  const alone = !/[\d\u3400-\u9fff]/.test(text[end + jiao[0].length] ?? '');
  const digit = parseNumber(jiao[1]);
  if ((!named && !alone) || digit === undefined) return { currency, end, scale: 1 };
  return { currency, end: end + jiao[0].length, scale: 1, jiao: digit };
}
