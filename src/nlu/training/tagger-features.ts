/**
 * Token features for the sequence tagger: words in a ±2 window and their pairs, shapes,
 * prefixes/suffixes, capitalization, the jieba word each Chinese character sits in (and
 * its position in it), optional gazetteer matches, and optionally what the built-in rule
 * extractors (dates, numbers, quantities, prices) found there. Features are strings; the
 * tagger maps the ones seen in training to weights.
 *
 * Why built-in matches as features: the rules find "next week", "tonight", "5 copies" but
 * name and bound them their own way (date_range, datetime_range, a quantity with its unit),
 * while the training data has its own conventions (every date expression is `date`, an
 * English quantity is the number alone). Seeing the rule's output, the tagger learns the
 * mapping (B-date_range -> B-date; "copies" inside a rule quantity -> O) from the
 * annotations instead of having to rediscover every date expression from words alone.
 */
import { extractBuiltins } from '../entities/builtin';
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

/** Built-in date/number/quantity/price spans; the clock and zone are fixed since only types and spans matter. */
const EPOCH = () => new Date(0);
function builtinMatches(text: string): GazetteerMatch[] {
  return extractBuiltins(text, { kinds: ['number', 'quantity', 'price', 'datetime'], now: EPOCH, timeZone: 'UTC' }).map((e) => ({ start: e.start, end: e.end, type: e.entity }));
}

export function tokenizeForTagger(text: string, gazetteer?: Gazetteer, builtins = false): TokenizedText {
  const tokens = taggerTokens(text);
  const n = tokens.length;
  const words = tokens.map((t) => norm(t.text));
  const shapes = tokens.map(shapeOf);
  const jieba = tokens.some((t) => t.kind === 'han') ? jiebaPositions(text) : new Map<number, { word: string; pos: string }>();
  const gaz = gazetteer ? gazetteerTags(tokens, gazetteer(text)) : null;
  const rules = builtins ? gazetteerTags(tokens, builtinMatches(text)) : null;
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
    // Only near a rule match: on plain tokens these would merely repeat the bias and the word
    // features, doubling the weight of words against the gazetteer (a 4-character city split in two).
    if (rules && (rules[i] || rules[i - 1] || rules[i + 1])) {
      const r = (j: number) => (j < 0 || j >= n ? '_' : rules[j] || 'O');
      f.push(`bi=${r(i)}`, `bi-1|bi=${r(i - 1)}|${r(i)}`, `bi|bi+1=${r(i)}|${r(i + 1)}`);
      if (rules[i]) f.push(`bi|w=${r(i)}|${w(i)}`);
    }
    return f;
  });
  return { tokens, features };
}
