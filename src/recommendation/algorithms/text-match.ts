/**
 * Catalog words in a free-text request, without NLU: category names, full titles and title
 * words ("T恤衫" of "T恤衫A (T-shirt A)", "shirt" of "T-shirt"). Han text has no spaces, so
 * Han words are the longest title substrings (2-8 characters, a Latin letter glued to them
 * allowed: "t恤衫") that occur in the request; Latin words are whole words, a plural "s"
 * folded. Plain TypeScript: the query service runs it when the NLU cannot (no model).
 */

export interface MatchableItem {
  id: string;
  title: string;
  category: string | null;
  subCategories: string[];
}

export type MatchKind = 'category' | 'product' | 'title-word';

export interface WordMatch {
  /** the word as the request wrote it */
  text: string;
  kind: MatchKind;
  /** the catalog category (kind category) */
  category?: string;
  /** the items it names (product, title-word) */
  items: string[];
}

const STOP = new Set(['the', 'and', 'for', 'with', 'some', 'like', 'any', 'recommend', 'please', 'show', 'want', 'looking', 'browsing', 'buy', 'get', 'find', 'similar', 'more', 'other', 'new', 'best', 'good', 'one', 'ones', 'this', 'that', 'what', 'are', 'you', 'can', 'give']);
const HAN = /\p{Script=Han}/u;
/** runs of Han characters and ASCII letters/digits with at least one Han character: "t恤衫a" */
const RUN = /[a-z0-9\p{Script=Han}]*\p{Script=Han}[a-z0-9\p{Script=Han}]*/gu;
const LATIN = /[a-z0-9]+(?:[-'][a-z0-9]+)*/g;
const MAX_HAN = 8;

export function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\u2010-\u2015]/g, '-');
}

/** Latin words, stemmed by a trailing s (t-shirts = t-shirt, books = book). */
export function latinWords(folded: string): string[] {
  return (folded.match(LATIN) ?? []).map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

function hasSequence(haystack: string[], needle: string[]): boolean {
  if (!needle.length) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Does a name (category, title) occur in the request as a whole: Han by substring, Latin word by word. */
export function namesIn(name: string, folded: string, words: string[]): boolean {
  const n = fold(name).trim();
  if (n.length < 2) return false;
  if (HAN.test(n)) return folded.includes(n);
  return hasSequence(words, latinWords(n));
}

/** Han substrings of a run that contain a Han character, 2..MAX_HAN long. */
function hanSubstrings(run: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < run.length; i++) {
    for (let len = 2; len <= MAX_HAN && i + len <= run.length; len++) {
      const s = run.slice(i, i + len);
      if (HAN.test(s)) out.push(s);
    }
  }
  return out;
}

/** An index of a catalog's title words, built once per catalog snapshot. */
export class TitleWordIndex {
  private readonly han = new Map<string, Set<string>>();
  private readonly latin = new Map<string, Set<string>>();
  readonly size: number;

  constructor(items: MatchableItem[]) {
    this.size = items.length;
    for (const it of items) {
      const t = fold(it.title);
      for (const run of t.match(RUN) ?? []) for (const s of hanSubstrings(run)) add(this.han, s, it.id);
      for (const w of latinWords(t)) if (w.length >= 3 && !STOP.has(w) && !/^\d+$/.test(w)) add(this.latin, w, it.id);
    }
  }

  /**
   * The title words of a request: Han matches longest first, never overlapping; a word shared
   * by more than half of a catalog of more than four items tells nothing and is left out.
   */
  match(text: string): WordMatch[] {
    const folded = fold(text);
    const out: WordMatch[] = [];
    const taken: [number, number][] = [];
    const candidates: { s: string; at: number }[] = [];
    for (const m of folded.matchAll(RUN)) for (let i = 0; i < m[0].length; i++) {
      for (let len = Math.min(MAX_HAN, m[0].length - i); len >= 2; len--) {
        const s = m[0].slice(i, i + len);
        if (HAN.test(s) && this.han.has(s)) candidates.push({ s, at: m.index! + i });
      }
    }
    candidates.sort((a, b) => b.s.length - a.s.length || a.at - b.at);
    for (const c of candidates) {
      const end = c.at + c.s.length;
      if (taken.some(([a, b]) => c.at < b && end > a)) continue;
      taken.push([c.at, end]);
      this.push(out, c.s, this.han.get(c.s)!);
    }
    for (const w of new Set(latinWords(folded))) {
      const items = this.latin.get(w);
      if (items) this.push(out, w, items);
    }
    return out;
  }

  private push(out: WordMatch[], text: string, items: Set<string>): void {
    if (this.size > 4 && items.size > this.size / 2) return;
    out.push({ text, kind: 'title-word', items: [...items].sort() });
  }
}

function add(index: Map<string, Set<string>>, key: string, id: string): void {
  const set = index.get(key) ?? new Set<string>();
  set.add(id);
  index.set(key, set);
}

/** Categories (category or sub-category names) and full titles of the catalog the request names. */
export function namedInText(text: string, items: MatchableItem[]): WordMatch[] {
  const folded = fold(text);
  const words = latinWords(folded);
  const out: WordMatch[] = [];
  const categories = new Set<string>();
  for (const it of items) for (const c of [it.category, ...it.subCategories]) if (c) categories.add(c);
  for (const c of [...categories].sort()) if (namesIn(c, folded, words)) out.push({ text: c, kind: 'category', category: c, items: [] });
  for (const it of items) if (namesIn(it.title, folded, words)) out.push({ text: it.title, kind: 'product', items: [it.id] });
  return out;
}
