import { BadInputError } from '../../common/errors';
import { parseRerankBody, RerankBody } from './request';

function refusal(body: RerankBody, max = 3): { message: string; param: string } {
  try {
    parseRerankBody(body, max);
  } catch (err) {
    expect(err).toBeInstanceOf(BadInputError);
    return { message: (err as Error).message, param: ((err as BadInputError).details as { param: string }).param };
  }
  throw new Error('expected a refusal');
}

describe('parseRerankBody', () => {
  it('reads strings and { text } documents, top_n and return_documents', () => {
    expect(parseRerankBody({ model: 'm', query: '北京', documents: ['a', { text: '中文' }], top_n: 1, return_documents: true }, 3)).toEqual({
      model: 'm',
      query: '北京',
      documents: ['a', '中文'],
      topN: 1,
      returnDocuments: true,
    });
    expect(parseRerankBody({ query: 'q', documents: [''] }, 3)).toEqual({ model: undefined, query: 'q', documents: [''], topN: undefined, returnDocuments: false });
  });

  it('refuses bad input naming the field', () => {
    expect(refusal({ documents: ['a'] })).toEqual({ param: 'query', message: expect.stringMatching(/query must be a string/) });
    expect(refusal({ query: '  ', documents: ['a'] })).toEqual({ param: 'query', message: expect.stringMatching(/query is empty/) });
    expect(refusal({ query: 'q', documents: [] })).toEqual({ param: 'documents', message: expect.stringMatching(/documents is empty/) });
    expect(refusal({ query: 'q', documents: 'a' })).toMatchObject({ param: 'documents' });
    expect(refusal({ query: 'q', documents: ['a', 'b', 'c', 'd'] })).toEqual({ param: 'documents', message: expect.stringMatching(/4 entries; at most 3 .*RERANK_MAX_DOCUMENTS/) });
    expect(refusal({ query: 'q', documents: ['a', { txt: 'b' }] })).toEqual({ param: 'documents.1', message: expect.stringMatching(/documents\[1\] must be a string or an object/) });
    for (const top_n of [0, -1, 1.5, '2']) expect(refusal({ query: 'q', documents: ['a'], top_n })).toEqual({ param: 'top_n', message: expect.stringMatching(/top_n must be an integer of at least 1/) });
    expect(refusal({ query: 'q', documents: ['a'], model: '' })).toMatchObject({ param: 'model' });
    expect(refusal({ query: 'q', documents: ['a'], return_documents: 'yes' })).toMatchObject({ param: 'return_documents' });
  });
});
