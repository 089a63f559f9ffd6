/**
 * Text -> hashed sparse bag of lexical features for the built-in `llmos-lexical` encoder.
 * Plain TypeScript, deterministic: the same text gives the same ids and values on every
 * machine (FNV-1a + fmix32 over UTF-16 code units, no Map iteration order in the output).
 *
 * Features, each kind in its own hash namespace:
 *  - words: the shared segmenter's word tokens (jieba for Han runs), common function words
 *    damped;
 *  - Han character n-grams (1-3) over each run of Han words, so "北京天气" and "天气 北京"
 *    share "天气" even where jieba cuts differently;
 *  - character trigrams of longer non-Han words (with boundary marks), so "weather" and
 *    "weathers" overlap.
 * Weights are summed per bucket and damped with a square root (a word said twice is not
 * twice as important). The ONNX graph (lexical-onnx.ts) projects the bag and normalizes.
 */
import { hashString } from './lexical-hash';
import { normalizeText, Token, wordTokens } from '../../nlu/training/text';

export interface LexicalFeatureConfig {
  /** hash buckets, a power of two */
  buckets: number;
  /** word tokens kept; longer texts are cut and reported as truncated */
  maxTokens: number;
}

export interface LexicalFeatures {
  indices: number[];
  values: number[];
  /** word tokens counted (after truncation) */
  tokens: number;
  truncated: boolean;
}

const NS = { word: 0x5bd1e995, han1: 0x1b873593, han2: 0xcc9e2d51, han3: 0x85ebca6b, tri: 0xc2b2ae35 } as const;
const W = { word: 1, stop: 0.25, han1: 0.4, han2: 1, han3: 0.6, tri: 0.3 } as const;

/** Function words that carry little meaning in a lexical bag (kept, but with a small weight). */
const STOP = new Set([
  ...'a an the of to in on at for and or is are was were be been am i you he she it we they me my your our this that these those do does did what how can with by from as'.split(' '),
  ...'的 了 吗 呢 吧 啊 是 在 和 与 我 你 他 她 它 我们 你们 这 那 这个 那个 一个 有 就 也 都 请 把 被 给'.split(' '),
]);

export function lexicalFeatures(text: string, config: LexicalFeatureConfig): LexicalFeatures {
  const all = wordTokens(normalizeText(text));
  let words = all.filter((t) => t.kind !== 'punct');
  if (words.length === 0) words = all; // "???" still gets a vector of its own
  const truncated = words.length > config.maxTokens;
  if (truncated) words = words.slice(0, config.maxTokens);
  const mask = config.buckets - 1;
  const acc = new Map<number, number>();
  const add = (s: string, ns: number, w: number) => {
    const b = hashString(s, ns) & mask;
    acc.set(b, (acc.get(b) ?? 0) + w);
  };
  for (const t of words) {
    add(t.text, NS.word, STOP.has(t.text) ? W.stop : W.word);
    if (t.kind === 'word' && t.text.length >= 4) {
      const s = `<${t.text}>`;
      for (let i = 0; i + 3 <= s.length; i++) add(s.slice(i, i + 3), NS.tri, W.tri);
    }
  }
  for (const run of hanRuns(words)) {
    const chars = [...run];
    for (let i = 0; i < chars.length; i++) {
      add(chars[i], NS.han1, W.han1);
      if (i + 1 < chars.length) add(chars[i] + chars[i + 1], NS.han2, W.han2);
      if (i + 2 < chars.length) add(chars[i] + chars[i + 1] + chars[i + 2], NS.han3, W.han3);
    }
  }
  const indices = [...acc.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((i) => Math.sqrt(acc.get(i)!)), tokens: words.length, truncated };
}

/** Consecutive Han word tokens (adjacent in the text) joined back into runs. */
export function hanRuns(words: Token[]): string[] {
  const runs: string[] = [];
  let cur = '';
  let end = -1;
  for (const t of words) {
    if (t.kind === 'han' && t.start === end) cur += t.text;
    else {
      if (cur) runs.push(cur);
      cur = t.kind === 'han' ? t.text : '';
    }
    end = t.kind === 'han' ? t.end : -1;
  }
  if (cur) runs.push(cur);
  return runs;
}
