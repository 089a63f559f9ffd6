/**
 * Quantities: a number followed by a measure word (三本, 两件, 5 pieces, two pairs, 3 kg).
 * Value { amount, unit }: Chinese units as written (本, 件, 公斤), English units lower-cased
 * and singular (pieces -> piece, pcs -> piece, kilos -> kg).
 */
import type { ExtractedEntity } from '../../core/types';
import { findNumbers, type NumberSpan } from './numbers';

export interface QuantityValue {
  amount: number;
  unit: string;
}

// Longest first so 公斤 wins over 斤. 块 is here for 三块蛋糕; money.ts decides when 块 means yuan.
// 个 before 月/小时/星期/礼拜/钟 is a duration (三个月), not a count.
const ZH_UNITS =
  '公斤|千克|厘米|毫米|毫升|公里|平方米|个(?![月小星礼钟])|本|件|条|只|双|台|部|瓶|盒|包|箱|袋|杯|张|支|把|套|位|名|次|份|辆|颗|粒|片|根|棵|间|层|种|款|册|枚|对|副|顶|罐|听|卷|组|串|束|朵|头|匹|架|艘|座|栋|篇|首|幅|扇|斤|克|米|升|块';
const ZH_UNIT_RE = new RegExp(`\\s*(${ZH_UNITS})`, 'y');

const EN_UNITS: Record<string, string> = {
  piece: 'piece', pieces: 'piece', pcs: 'piece', pc: 'piece', item: 'item', items: 'item',
  unit: 'unit', units: 'unit', pair: 'pair', pairs: 'pair', box: 'box', boxes: 'box',
  bottle: 'bottle', bottles: 'bottle', pack: 'pack', packs: 'pack', packet: 'packet', packets: 'packet',
  bag: 'bag', bags: 'bag', copy: 'copy', copies: 'copy', book: 'book', books: 'book', cup: 'cup',
  cups: 'cup', can: 'can', cans: 'can', jar: 'jar', jars: 'jar', set: 'set', sets: 'set',
  kg: 'kg', kgs: 'kg', kilogram: 'kg', kilograms: 'kg', kilo: 'kg', kilos: 'kg', gram: 'g',
  grams: 'g', lb: 'lb', lbs: 'lb', oz: 'oz', ounce: 'oz', ounces: 'oz', liter: 'l', liters: 'l',
  litre: 'l', litres: 'l', ml: 'ml', meter: 'm', meters: 'm', metre: 'm', metres: 'm', cm: 'cm',
  mm: 'mm', km: 'km', inch: 'inch', inches: 'inch', foot: 'ft', feet: 'ft',
};
// Single letters (5g, 5m, 5l) are left out on purpose: 5G and 5M mean other things.
const EN_UNIT_RE = new RegExp(`\\s*(${Object.keys(EN_UNITS).sort((a, b) => b.length - a.length).join('|')})\\b`, 'iy');

export function extractQuantities(text: string, numbers: NumberSpan[] = findNumbers(text)): ExtractedEntity[] {
  const out: ExtractedEntity[] = [];
  for (const n of numbers) {
    const m = matchAt(ZH_UNIT_RE, text, n.end) ?? matchAt(EN_UNIT_RE, text, n.end);
    if (!m) continue;
    const raw = m[1];
    const unit = EN_UNITS[raw.toLowerCase()] ?? raw;
    const end = n.end + m[0].length;
    const value: QuantityValue = { amount: n.value, unit };
    out.push({
      entity: 'quantity',
      value,
      text: text.slice(n.start, end),
      start: n.start,
      end,
      confidence: 0.92,
      extractor: 'builtin',
    });
  }
  return out;
}

function matchAt(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}
