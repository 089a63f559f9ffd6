import { dot } from '../core/vectors';
import { hanRuns, lexicalFeatures } from './lexical-features';
import { hashString, projectionSigns } from './lexical-hash';
import { lexicalReference } from './lexical-onnx';
import { wordTokens } from '../../nlu/training/text';

const CFG = { buckets: 1 << 16, maxTokens: 512 };
const SHAPE = { buckets: 1 << 16, dim: 256, seed: 0x11e05 };
const signs = projectionSigns(SHAPE.buckets, SHAPE.dim, SHAPE.seed);
const vec = (t: string) => lexicalReference(SHAPE, [lexicalFeatures(t, CFG)], signs)[0];

describe('lexical encoder hashing', () => {
  it('is pinned: the same strings give the same hashes and signs on every machine and release', () => {
    // Changing these changes every stored vector: bump LEXICAL_VERSION instead.
    expect(hashString('hello', 0x5bd1e995)).toBe(hashString('hello', 0x5bd1e995));
    expect([hashString('hello', 0x5bd1e995), hashString('天气', 0xcc9e2d51)]).toEqual([3059533693, 2803757905]);
    expect(Array.from(signs.subarray(0, 8))).toEqual([1, -1, 1, 1, 1, -1, -1, -1]);
    expect(signs.reduce((s, x) => s + x, 0) / signs.length).toBeCloseTo(0, 2);
  });

  it('gives the same features for the same text, whatever the width and case', () => {
    expect(lexicalFeatures('Weather in BEIJING', CFG)).toEqual(lexicalFeatures('weather  in beijing', CFG));
    expect(lexicalFeatures('北京天气。', CFG)).toEqual(lexicalFeatures('北京天气.', CFG));
  });
});

describe('Chinese n-grams', () => {
  it('joins adjacent Han words back into runs', () => {
    expect(hanRuns(wordTokens('今天北京天气 ok 上海'))).toEqual(['今天北京天气', '上海']);
  });

  it('has 1-3 character n-grams of each run besides the jieba words', () => {
    const f = lexicalFeatures('天气', CFG);
    // words: 天气; n-grams: 天, 气, 天气 (a trigram needs 3 characters)
    expect(f.indices.length).toBe(4);
    expect(lexicalFeatures('北京天气', CFG).indices.length).toBeGreaterThan(4 + 3);
    expect(f.tokens).toBe(1);
  });

  it('makes texts sharing Chinese words close, unrelated ones far', () => {
    const a = vec('今天北京天气怎么样');
    expect(dot(a, vec('北京明天的天气'))).toBeGreaterThan(0.4);
    expect(dot(a, vec('我想买一双运动鞋'))).toBeLessThan(0.2);
    expect(dot(vec('weather forecast for tomorrow'), vec('tomorrow weather'))).toBeGreaterThan(0.5);
  });
});

describe('truncation', () => {
  it('reads at most maxTokens words and says so', () => {
    const f = lexicalFeatures(Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '), { ...CFG, maxTokens: 5 });
    expect(f).toMatchObject({ tokens: 5, truncated: true });
    expect(lexicalFeatures('a b c', { ...CFG, maxTokens: 5 }).truncated).toBe(false);
  });

  it('gives punctuation-only text its own features rather than none', () => {
    expect(lexicalFeatures('???', CFG).indices.length).toBeGreaterThan(0);
  });
});
