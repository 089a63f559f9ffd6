/**
 * Text normalization and tokenization shared by NLU (featurizer, sequence tagger) and
 * search (chunking, keyword terms).
 * Plain TypeScript; Chinese word segmentation comes from @node-rs/jieba (native, ~200 ms
 * to load its dictionary, so it is loaded once and only when Chinese text shows up).
 */

export type TokenKind = 'han' | 'word' | 'num' | 'punct';

export interface Token {
  text: string;
  /** UTF-16 offsets into the original string, end exclusive */
  start: number;
  end: number;
  kind: TokenKind;
}

/**
 * Ideographic punctuation that NFKC leaves alone (it only folds the FF00 block), mapped
 * to ASCII so "你好。" and "你好." give the same features.
 */
const PUNCT_FOLD: Record<string, string> = {
  '。': '.', '、': ',', '，': ',', '｡': '.', '「': '"', '」': '"', '『': '"', '』': '"',
  '“': '"', '”': '"', '‘': "'", '’': "'", '《': '<', '》': '>', '〈': '<', '〉': '>',
  '【': '[', '】': ']', '〔': '[', '〕': ']', '…': '...', '—': '-', '–': '-', '·': '.', '・': '.',
};
const PUNCT_RE = new RegExp(`[${Object.keys(PUNCT_FOLD).join('')}]`, 'g');

/** NFKC, lower case, ideographic punctuation -> ASCII, whitespace collapsed. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(PUNCT_RE, (c) => PUNCT_FOLD[c])
    .replace(/\s+/gu, ' ')
    .trim();
}

// Han runs, then runs of other letters/marks/digits (with inner apostrophes: "don't"),
// then any other single non-space code point (punctuation, symbols, emoji).
// (Han characters are letters too: the lookahead keeps "5日" from becoming one word.)
const NOT_HAN = '(?!\\p{Script=Han})';
const TOKEN_RE = new RegExp(`(\\p{Script=Han}+)|((?:${NOT_HAN}[\\p{L}\\p{M}\\p{N}_])+(?:['’](?:${NOT_HAN}[\\p{L}\\p{M}])+)*)|(\\S)`, 'gu');
const NUM_RE = /^\p{N}+$/u;

interface JiebaLike {
  cut(sentence: string, hmm?: boolean | null): string[];
  cutForSearch(sentence: string, hmm?: boolean | null): string[];
}
let jieba: JiebaLike | null = null;

/** The shared jieba segmenter, loaded on first use. */
export function getJieba(): JiebaLike {
  if (!jieba) {
    // require() rather than import: the dictionary is ~5 MB and only needed for Chinese.
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Uint8Array): JiebaLike } };
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
  }
  return jieba;
}

/**
 * Coarse tokens with offsets: a whole Han run is one 'han' token (callers split it into
 * characters or jieba words), other letters/digits form words, everything else is a
 * one-code-point 'punct' token.
 */
export function coarseTokens(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const start = m.index;
    const s = m[0];
    const kind: TokenKind = m[1] ? 'han' : m[2] ? (NUM_RE.test(s) ? 'num' : 'word') : 'punct';
    out.push({ text: s, start, end: start + s.length, kind });
  }
  return out;
}

/** Words: jieba segments of Han runs plus the other tokens, offsets preserved. */
export function wordTokens(text: string): Token[] {
  const out: Token[] = [];
  for (const t of coarseTokens(text)) {
    if (t.kind !== 'han') {
      out.push(t);
      continue;
    }
    let pos = t.start;
    for (const w of getJieba().cut(t.text, true)) {
      out.push({ text: w, start: pos, end: pos + w.length, kind: 'han' });
      pos += w.length;
    }
  }
  return out;
}

/**
 * Tagger units: one token per Han character (Chinese entities rarely align with jieba's
 * segmentation: jieba may merge an entity with a neighbouring character), words split
 * before an apostrophe ("Paris's" -> "Paris", "'s") so an entity can end there, other
 * tokens whole.
 */
export function taggerTokens(text: string): Token[] {
  const out: Token[] = [];
  for (const t of coarseTokens(text)) {
    if (t.kind === 'word') {
      let pos = t.start;
      for (const part of t.text.split(/(?=['’])/u)) {
        out.push({ text: part, start: pos, end: pos + part.length, kind: 'word' });
        pos += part.length;
      }
      continue;
    }
    if (t.kind !== 'han') {
      out.push(t);
      continue;
    }
    let pos = t.start;
    for (const ch of t.text) {
      out.push({ text: ch, start: pos, end: pos + ch.length, kind: 'han' });
      pos += ch.length;
    }
  }
  return out;
}

/**
 * Full-text search terms of a text: normalized words, Han runs cut by jieba. `index` terms
 * add jieba's search-mode sub-words ("飞机票" -> 飞机, 机票, 飞机票), so a query word found
 * inside a longer word of the document still matches; queries use the plain cut.
 */
export function searchTerms(text: string, mode: 'index' | 'query'): string[] {
  const out: string[] = [];
  for (const t of coarseTokens(normalizeText(text))) {
    if (t.kind === 'punct') continue;
    if (t.kind !== 'han') out.push(t.text);
    else out.push(...(mode === 'index' ? getJieba().cutForSearch(t.text, true) : getJieba().cut(t.text, true)));
  }
  return out;
}
