/**
 * Titles in Chinese title marks: 《斗破苍穹》, and the inner marks 〈〉 used for chapters or
 * articles. They name books, films, songs and articles, known to the catalog or not, so the
 * entity is the neutral `title` with the inner text (trimmed) as its value.
 *
 * The span covers the marks too (text 《斗破苍穹》, value 斗破苍穹): the marks are what makes
 * it a title, and the longer span lets the title win over anything found inside it, such as
 * 明天 in 《明天》 or 三 in 《三体》 (see merge.ts, longer span wins). A catalog lookup of
 * the same name is therefore superseded by the title; resolve the title's value against the
 * catalog downstream. 「」 and quotation marks are not titles: in Chinese text they mark
 * quotations and emphasis far more often than names.
 */
import type { ExtractedEntity } from '../core/types';

const TITLE = /《([^《》\n]{1,100})》|〈([^〈〉\n]{1,100})〉/g;

export const TITLE_CONFIDENCE = 0.9;

export function extractTitles(text: string): ExtractedEntity[] {
  if (!text.includes('《') && !text.includes('〈')) return [];
  const out: ExtractedEntity[] = [];
  for (const m of text.matchAll(TITLE)) {
    const value = (m[1] ?? m[2]).trim();
    if (value === '') continue;
    const end = m.index + m[0].length;
    out.push({
      entity: 'title',
      value,
      text: m[0],
      start: m.index,
      end,
      confidence: TITLE_CONFIDENCE,
      extractor: 'lookup',
    });
  }
  return out;
}
