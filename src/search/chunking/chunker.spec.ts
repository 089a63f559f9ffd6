import { wordTokens } from '../../common/text/segment';
import { chunkText, sentenceSpans, Span, Tokenize } from './chunker';

const words: Tokenize = (text) => [...text.matchAll(/[\p{L}\p{N}]+/gu)].map((m): Span => ({ start: m.index, end: m.index + m[0].length }));
const jiebaWords: Tokenize = (text) => wordTokens(text).filter((t) => t.kind !== 'punct');

describe('sentenceSpans', () => {
  it('cuts after Chinese and English terminators, keeps decimals and closing quotes', () => {
    const text = '今天天气很好。我们去公园吧！ Pi is 3.14 today. "Really?" he asked; yes';
    expect(sentenceSpans(text).map((s) => text.slice(s.start, s.end))).toEqual(['今天天气很好。', '我们去公园吧！', 'Pi is 3.14 today.', '"Really?"', 'he asked;', 'yes']);
  });

  it('a blank line ends a paragraph without punctuation', () => {
    const text = 'Title\n\nBody text';
    expect(sentenceSpans(text).map((s) => text.slice(s.start, s.end))).toEqual(['Title', 'Body text']);
  });
});

describe('chunkText', () => {
  it('packs whole sentences up to maxTokens and repeats the tail within overlapTokens', () => {
    const text = 'One two three. Four five. Six seven eight. Nine ten.';
    const chunks = chunkText(text, words, { maxTokens: 5, overlapTokens: 2 });
    expect(chunks.map((c) => c.text)).toEqual(['One two three. Four five.', 'Four five. Six seven eight.', 'Nine ten.']);
    for (const c of chunks) {
      expect(text.slice(c.start, c.end)).toBe(c.text);
      expect(c.tokens).toBeLessThanOrEqual(5);
    }
    expect(chunks.map((c) => c.seq)).toEqual([0, 1, 2]);
  });

  it('without overlap the chunks partition the sentences', () => {
    const text = 'a b. c d. e f.';
    expect(chunkText(text, words, { maxTokens: 4, overlapTokens: 0 }).map((c) => c.text)).toEqual(['a b. c d.', 'e f.']);
  });

  it('cuts a sentence longer than a chunk at token boundaries, windows overlapping', () => {
    const text = 'w1 w2 w3 w4 w5 w6 w7';
    const chunks = chunkText(text, words, { maxTokens: 3, overlapTokens: 1 });
    expect(chunks.map((c) => c.text)).toEqual(['w1 w2 w3', 'w3 w4 w5', 'w5 w6 w7']);
  });

  it('Chinese: counts jieba words, cuts at 。！？； and keeps offsets', () => {
    const text = '我想预订明天去北京的机票。请问有没有靠窗的座位？另外我需要一份素食餐；谢谢！';
    const chunks = chunkText(text, jiebaWords, { maxTokens: 10, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(text.slice(c.start, c.end)).toBe(c.text);
      expect(/[。！？；]$/u.test(c.text)).toBe(true);
      expect(c.tokens).toBeLessThanOrEqual(10);
    }
    expect(chunks.map((c) => c.text).join('')).toBe(text);
  });

  it('a short text is one chunk; punctuation-only text still gives one chunk', () => {
    expect(chunkText('  Hello world  ', words, { maxTokens: 10, overlapTokens: 2 })).toEqual([{ seq: 0, start: 2, end: 13, text: 'Hello world', tokens: 2 }]);
    expect(chunkText('!!!', words, { maxTokens: 10, overlapTokens: 2 }).map((c) => c.text)).toEqual(['!!!']);
  });

  it('refuses an overlap as large as the chunk', () => {
    expect(() => chunkText('a', words, { maxTokens: 2, overlapTokens: 2 })).toThrow(RangeError);
  });
});
