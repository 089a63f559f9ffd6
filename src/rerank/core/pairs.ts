/**
 * (query, document) pairs as a cross-encoder's tokenizer encodes them, with Hugging Face's
 * `longest_first` truncation. Plain TypeScript.
 *
 * The special tokens around and between the two sequences come from the tokenizer's own
 * pair encoding (its post-processor: BERT's `[CLS] A [SEP] B [SEP]`, XLM-R's
 * `<s> A </s></s> B </s>`, ...), learned once from a probe pair. Each side is tokenized
 * alone without specials, truncated, then put into that template: the same ids as the
 * tokenizer's pair encoding whenever no truncation is needed, and a well-formed pair (the
 * last separator kept) when it is, which transformers.js' own truncation does not give.
 */

export interface PairTemplate {
  prefix: number[];
  middle: number[];
  suffix: number[];
  prefixTypes: number[];
  middleTypes: number[];
  suffixTypes: number[];
  typeA: number;
  typeB: number;
}

export interface EncodedPair {
  ids: number[];
  types: number[];
}

const equalAt = (xs: number[], at: number, ys: number[]) => ys.every((y, i) => xs[at + i] === y);

/**
 * The template of a pair encoding `full` (ids and token types) of two texts that encode
 * alone (no specials) as `a` and `b`.
 */
export function learnPairTemplate(full: EncodedPair, a: number[], b: number[]): PairTemplate {
  if (!a.length || !b.length) throw new Error('probe texts must encode to at least one token each');
  const { ids, types } = full;
  for (let p = 0; p + a.length + b.length <= ids.length; p++) {
    if (!equalAt(ids, p, a)) continue;
    const afterA = p + a.length;
    for (let m = afterA; m + b.length <= ids.length; m++) {
      if (!equalAt(ids, m, b)) continue;
      const end = m + b.length;
      return {
        prefix: ids.slice(0, p),
        middle: ids.slice(afterA, m),
        suffix: ids.slice(end),
        prefixTypes: types.slice(0, p),
        middleTypes: types.slice(afterA, m),
        suffixTypes: types.slice(end),
        typeA: types[p] ?? 0,
        typeB: types[m] ?? 0,
      };
    }
  }
  throw new Error(`the tokenizer's pair encoding [${ids.join(', ')}] does not contain its two sequences [${a.join(', ')}] and [${b.join(', ')}]`);
}

export const specialCount = (t: PairTemplate) => t.prefix.length + t.middle.length + t.suffix.length;

/**
 * Hugging Face's `longest_first`: drop tokens from the end of the longer side (the
 * second on ties) until both fit in `budget` tokens together.
 */
export function truncateLongestFirst(a: number[], b: number[], budget: number): { a: number[]; b: number[]; truncated: boolean } {
  if (a.length + b.length <= budget) return { a, b, truncated: false };
  const keep = Math.max(0, budget);
  let na = a.length;
  let nb = b.length;
  // Shorten the longer side to the shorter one's length first, then both in turn.
  const excess = na + nb - keep;
  const gap = Math.abs(na - nb);
  const first = Math.min(excess, gap);
  if (na > nb) na -= first;
  else nb -= first;
  const rest = excess - first;
  nb -= Math.ceil(rest / 2);
  na -= Math.floor(rest / 2);
  return { a: a.slice(0, Math.max(0, na)), b: b.slice(0, Math.max(0, nb)), truncated: true };
}

/** One pair in the template, truncated to `maxLength` tokens in all. */
export function encodePair(t: PairTemplate, a: number[], b: number[], maxLength: number): EncodedPair & { truncated: boolean } {
  const cut = truncateLongestFirst(a, b, maxLength - specialCount(t));
  return {
    ids: [...t.prefix, ...cut.a, ...t.middle, ...cut.b, ...t.suffix],
    types: [...t.prefixTypes, ...cut.a.map(() => t.typeA), ...t.middleTypes, ...cut.b.map(() => t.typeB), ...t.suffixTypes],
    truncated: cut.truncated,
  };
}

export interface PairBatch {
  /** positions of the pairs in this batch, in row order */
  rows: number[];
  width: number;
  ids: BigInt64Array;
  mask: BigInt64Array;
  types: BigInt64Array;
}

/**
 * Groups pairs into right-padded batches of at most `maxRows` rows, shortest first, so
 * each batch pads to a similar length (as TEI sorts its queue by length).
 */
export function batchPairs(pairs: EncodedPair[], maxRows: number, padId: number): PairBatch[] {
  const order = pairs.map((_, i) => i).sort((x, y) => pairs[x].ids.length - pairs[y].ids.length || x - y);
  const out: PairBatch[] = [];
  for (let start = 0; start < order.length; start += maxRows) {
    const rows = order.slice(start, start + maxRows);
    const width = Math.max(...rows.map((r) => pairs[r].ids.length));
    const ids = new BigInt64Array(rows.length * width).fill(BigInt(padId));
    const mask = new BigInt64Array(rows.length * width);
    const types = new BigInt64Array(rows.length * width);
    rows.forEach((r, row) => {
      const p = pairs[r];
      for (let j = 0; j < p.ids.length; j++) {
        ids[row * width + j] = BigInt(p.ids[j]);
        mask[row * width + j] = 1n;
        types[row * width + j] = BigInt(p.types[j]);
      }
    });
    out.push({ rows, width, ids, mask, types });
  }
  return out;
}
