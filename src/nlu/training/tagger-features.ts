/**
 * Token features for the sequence tagger: words in a ±2 window and their pairs, shapes,
 * prefixes/suffixes, capitalization, the jieba word each Chinese character sits in (and
 * its position in it), and optional gazetteer matches. Features are strings; the tagger
 * maps the ones seen in training to weights.
 */
import { coarseTokens, getJieba, taggerTokens, Token } from './text';

export interface GazetteerMatch {
  start: number;
  end: number;
  type: string;
}

/** Finds dictionary entries (cities, products, ...) in a text; offsets are UTF-16, end exclusive. */
export type Gazetteer = (text: string) => GazetteerMatch[];

export interface TokenizedText {
  tokens: Token[];
  /** features[i] = feature strings of token i */
  features: string[][];
}

const LATIN_RE = /^[a-z]/i;

function shapeOf(t: Token): string {
  switch (t.kind) {
    case 'han':
      return 'H';
    case 'num':
      return 'D';
    case 'punct':
      return 'P';
    default:
      if (/\d/.test(t.text)) return 'A';
      return LATIN_RE.test(t.text) ? 'L' : 'W';
  }
}

/** Capitalization pattern of a word as written: 'Xx', 'XX', 'x' or '-' (not cased). */
function capsOf(s: string): string {
  const lower = s.toLowerCase();
  const upper = s.toUpperCase();
  if (lower === upper) return '-';
  if (s === upper) return 'XX';
  if (s[0] !== lower[0]) return 'Xx';
  return 'x';
}

function norm(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[0-9]/g, '0');
}

/** For each Han character offset: the jieba word containing it and the position B/M/E/S. */
function jiebaPositions(text: string): Map<number, { word: string; pos: string }> {
  const out = new Map<number, { word: string; pos: string }>();
  for (const run of coarseTokens(text)) {
    if (run.kind !== 'han') continue;
    let off = run.start;
    for (const w of getJieba().cut(run.text, true)) {
      const chars = [...w];
      let o = off;
      chars.forEach((ch, i) => {
        const pos = chars.length === 1 ? 'S' : i === 0 ? 'B' : i === chars.length - 1 ? 'E' : 'M';
        out.set(o, { word: w, pos });
        o += ch.length;
      });
      off += w.length;
    }
  }
  return out;
}

/** Gazetteer tag per token: 'B-type' / 'I-type' when the token lies inside a match, else ''. */
function gazetteerTags(tokens: Token[], matches: GazetteerMatch[]): string[] {
  const tags = tokens.map(() => '');
  // longest matches first so a longer entry wins over one nested inside it
  const sorted = [...matches].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  for (const m of sorted) {
    const inside = tokens.map((t, i) => (t.start >= m.start && t.end <= m.end ? i : -1)).filter((i) => i >= 0);
    if (inside.length === 0 || inside.some((i) => tags[i] !== '')) continue;
    if (tokens[inside[0]].start !== m.start || tokens[inside[inside.length - 1]].end !== m.end) continue; // not token-aligned
    inside.forEach((i, j) => (tags[i] = `${j === 0 ? 'B' : 'I'}-${m.type}`));
  }
  return tags;
}

export function tokenizeForTagger(text: string, gazetteer?: Gazetteer): TokenizedText {
  const tokens = taggerTokens(text);
  const n = tokens.length;
  const words = tokens.map((t) => norm(t.text));
  const shapes = tokens.map(shapeOf);
  const jieba = tokens.some((t) => t.kind === 'han') ? jiebaPositions(text) : new Map<number, { word: string; pos: string }>();
  const gaz = gazetteer ? gazetteerTags(tokens, gazetteer(text)) : null;
  const w = (i: number) => (i < 0 ? '<s>' : i >= n ? '</s>' : words[i]);
  const sh = (i: number) => (i < 0 || i >= n ? '_' : shapes[i]);

  const features = tokens.map((t, i) => {
    const f = [
      'b',
      `w=${w(i)}`,
      `w-1=${w(i - 1)}`,
      `w+1=${w(i + 1)}`,
      `w-2=${w(i - 2)}`,
      `w+2=${w(i + 2)}`,
      `w-1|w=${w(i - 1)}|${w(i)}`,
      `w|w+1=${w(i)}|${w(i + 1)}`,
      `w-1|w+1=${w(i - 1)}|${w(i + 1)}`,
      `w-1|w|w+1=${w(i - 1)}|${w(i)}|${w(i + 1)}`,
      `sh=${sh(i)}`,
      `sh3=${sh(i - 1)}${sh(i)}${sh(i + 1)}`,
    ];
    if (t.kind === 'word' || t.kind === 'num') {
      const s = words[i];
      for (let k = 1; k <= 3 && k < s.length; k++) f.push(`p${k}=${s.slice(0, k)}`, `s${k}=${s.slice(-k)}`);
      f.push(`cap=${capsOf(t.text)}`, `len=${Math.min(s.length, 8)}`);
    }
    const jw = jieba.get(t.start);
    if (jw) f.push(`jw=${jw.word}`, `jp=${jw.pos}`, `jp|jl=${jw.pos}|${Math.min([...jw.word].length, 4)}`);
    if (gaz) {
      const g = (j: number) => (j < 0 || j >= n ? '_' : gaz[j] || 'O');
      f.push(`gz=${g(i)}`, `gz-1|gz=${g(i - 1)}|${g(i)}`, `gz|gz+1=${g(i)}|${g(i + 1)}`);
    }
    return f;
  });
  return { tokens, features };
}
