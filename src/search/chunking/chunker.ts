/**
 * Splits a document into overlapping chunks of at most `maxTokens` tokens, cutting at
 * sentence ends (Chinese 。！？； and English .!?;, newlines between paragraphs) and keeping
 * each chunk's UTF-16 offsets into the document. A sentence longer than a chunk is cut at
 * token boundaries. Plain TypeScript: the tokenizer is passed in.
 */

export interface Span {
  start: number;
  end: number;
}

export interface ChunkSpan extends Span {
  seq: number;
  text: string;
  tokens: number;
}

export interface ChunkOptions {
  maxTokens: number;
  /** tokens of whole sentences repeated at the start of the next chunk (at most) */
  overlapTokens: number;
}

/** Offsets of the tokens that count towards a chunk's size (words, Han words; not punctuation). */
export type Tokenize = (text: string) => Span[];

// A sentence runs to a terminator (a full stop only before a space or the end, so 3.14 and
// e.g. "v1.2" stay whole), any closing quotes/brackets after it, or a blank line.
const SENTENCE_END = /[。！？；!?;]+["'”’」』）)\]]*|\.+(?=\s|$)["'”’)\]]*|\n\s*\n/gu;

/** Sentences as trimmed spans, in order; together they cover every non-space character. */
export function sentenceSpans(text: string): Span[] {
  const out: Span[] = [];
  let from = 0;
  const push = (start: number, end: number) => {
    while (start < end && /\s/u.test(text[start])) start++;
    while (end > start && /\s/u.test(text[end - 1])) end--;
    if (end > start) out.push({ start, end });
  };
  for (const m of text.matchAll(SENTENCE_END)) {
    const end = m.index + m[0].length;
    push(from, end);
    from = end;
  }
  push(from, text.length);
  return out;
}

interface Unit extends Span {
  /** indexes into the token list, end exclusive */
  t0: number;
  t1: number;
}

export function chunkText(text: string, tokenize: Tokenize, o: ChunkOptions): ChunkSpan[] {
  if (!(o.maxTokens >= 1) || o.overlapTokens < 0 || o.overlapTokens >= o.maxTokens) throw new RangeError('chunking needs maxTokens >= 1 and 0 <= overlapTokens < maxTokens');
  const tokens = tokenize(text);
  const units = sentenceUnits(text, tokens);
  const out: ChunkSpan[] = [];
  const emit = (start: number, end: number, n: number) => out.push({ seq: out.length, start, end, text: text.slice(start, end), tokens: n });
  const count = (a: number, b: number) => units.slice(a, b).reduce((s, u) => s + (u.t1 - u.t0), 0);
  let i = 0;
  while (i < units.length) {
    const first = units[i];
    if (first.t1 - first.t0 > o.maxTokens) {
      // one sentence longer than a chunk: windows of maxTokens tokens, overlapping by overlapTokens
      const stride = o.maxTokens - o.overlapTokens;
      for (let t = first.t0; t < first.t1; t += stride) {
        const last = Math.min(t + o.maxTokens, first.t1);
        emit(t === first.t0 ? first.start : tokens[t].start, last === first.t1 ? first.end : tokens[last - 1].end, last - t);
        if (last === first.t1) break;
      }
      i++;
      continue;
    }
    let j = i + 1;
    while (j < units.length && units[j].t1 - units[j].t0 <= o.maxTokens && count(i, j + 1) <= o.maxTokens) j++;
    emit(first.start, units[j - 1].end, count(i, j));
    if (j >= units.length) break;
    // the next chunk starts with the longest run of whole sentences (within overlapTokens) before j
    let next = j;
    while (next - 1 > i && count(next - 1, j) <= o.overlapTokens && o.overlapTokens > 0) next--;
    i = next;
  }
  return out;
}

/** Sentences with the range of tokens starting inside each. */
function sentenceUnits(text: string, tokens: Span[]): Unit[] {
  const units: Unit[] = [];
  let t = 0;
  for (const s of sentenceSpans(text)) {
    while (t < tokens.length && tokens[t].start < s.start) t++;
    const t0 = t;
    while (t < tokens.length && tokens[t].start < s.end) t++;
    units.push({ ...s, t0, t1: t });
  }
  return units;
}
