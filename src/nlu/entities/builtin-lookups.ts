/**
 * Built-in gazetteers shipped as data files in ./data:
 *  - `city`:     Chinese cities (provincial capitals, municipalities, SARs and major
 *                prefecture-level cities; each with and without 市, plus pinyin/English names)
 *                and world cities in English and Chinese (纽约 / New York / NYC);
 *  - `category`: product categories in Chinese and English (T恤 / T恤衫 / t-shirt, 小说 / novel).
 *
 * The value of a match is the entry's canonical name: the (first) Chinese name, because it is
 * unique where pinyin is not (苏州 and 宿州 are both "Suzhou") and the product speaks Chinese
 * first. "Beijing", "北京" and "北京市" all give "北京"; "New York" gives "纽约"; "t-shirt"
 * gives "T恤". Ambiguous English names are left out of the data (Suzhou stays with 苏州,
 * Taizhou belongs to neither 台州 nor 泰州).
 */
import categories from './data/categories.json';
import cnCities from './data/cn-cities.json';
import worldCities from './data/world-cities.json';
import type { Gazetteer } from './gazetteer';

export type BuiltinLookupType = 'city' | 'category';

export const BUILTIN_LOOKUP_TYPES: readonly BuiltinLookupType[] = ['city', 'category'];

/** One canonical value with the surface forms that mean it. */
export interface LookupEntry {
  canonical: string;
  forms: string[];
  /** forms that match only with their exact casing */
  caseSensitiveForms?: string[];
}

interface CnCity {
  zh: string;
  en?: string[];
  /** everyday words (白银 = silver): only the 市 form names the city */
  suffixOnly?: boolean;
}

interface WorldCity {
  en: string[];
  zh: string[];
  caseSensitive?: boolean;
}

interface Category {
  zh: string[];
  en: string[];
}

export function builtinLookupEntries(type: BuiltinLookupType): LookupEntry[] {
  if (type === 'category') {
    return (categories as Category[]).map((c) => ({ canonical: c.zh[0], forms: [...c.zh, ...c.en] }));
  }
  const cn = (cnCities as CnCity[]).map((c) => ({
    canonical: c.zh,
    forms: [...(c.suffixOnly ? [] : [c.zh]), c.zh.endsWith('市') ? c.zh : `${c.zh}市`, ...(c.en ?? [])],
  }));
  const world = (worldCities as WorldCity[]).map((c) =>
    c.caseSensitive
      ? { canonical: c.zh[0], forms: c.zh, caseSensitiveForms: c.en }
      : { canonical: c.zh[0], forms: [...c.zh, ...c.en] },
  );
  return [...cn, ...world];
}

/**
 * Adds the built-in tables to a gazetteer (before user tables, so user entries win ties),
 * each under `names[type]` when given (city -> location).
 */
export function registerBuiltinLookups(
  gazetteer: Gazetteer,
  types: readonly BuiltinLookupType[] = BUILTIN_LOOKUP_TYPES,
  names: Readonly<Record<string, string>> = {},
): void {
  for (const type of types) {
    const name = names[type] ?? type;
    for (const e of builtinLookupEntries(type)) {
      gazetteer.add(name, e.forms, { canonical: e.canonical });
      if (e.caseSensitiveForms) gazetteer.add(name, e.caseSensitiveForms, { canonical: e.canonical, caseSensitive: true });
    }
  }
}
