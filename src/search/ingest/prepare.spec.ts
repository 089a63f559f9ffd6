import { searchTerms } from '../../common/text/segment';
import { contentHash, prepareChunks, queryTerms } from './prepare';

describe('prepare', () => {
  it('indexes jieba search-mode sub-words, so a word inside a longer word is found', () => {
    const [chunk] = prepareChunks('我想预订飞机票。', { maxTokens: 50, overlapTokens: 0 });
    expect(chunk.terms.split(' ')).toEqual(expect.arrayContaining(['预订', '飞机', '机票', '飞机票']));
    expect(queryTerms('机票')).toBe('机票');
  });

  it('terms are normalized (NFKC, lower case) and leave punctuation out', () => {
    expect(searchTerms('Ｈｅｌｌｏ, World! 你好。', 'query')).toEqual(['hello', 'world', '你好']);
  });

  it('content hash ignores key order and sees every change', () => {
    expect(contentHash('a', { x: 1, y: { b: 2, a: 1 } })).toBe(contentHash('a', { y: { a: 1, b: 2 }, x: 1 }));
    expect(contentHash('a', { x: 1 })).not.toBe(contentHash('a', { x: 2 }));
    expect(contentHash('a', {})).not.toBe(contentHash('b', {}));
  });
});
