import type { Lang } from '../domain/domain';

/**
 * A catalog title in the user's language: "T恤衫A (T-shirt A, white)" is 「T恤衫A」 to a Chinese
 * reader and "T-shirt A" to an English one; titles without a bracketed part stay as they are.
 */
export function displayTitle(title: string, lang: Lang): string {
  const m = /^(.*?)\s*\(([^)]*)\)\s*$/u.exec(title);
  if (!m) return title;
  return lang === 'zh' ? m[1] : m[2].split(',')[0].trim() || m[1];
}

/** 0.8 -> "8折" (zh) / "20% off" (en). */
export function discountText(factor: number, lang: Lang): string {
  if (lang === 'zh') return `${Number((factor * 10).toFixed(1))}折`;
  return `${Math.round((1 - factor) * 100)}% off`;
}

export const money = (n: number) => Number(n.toFixed(2));
