import type { ExtractedEntity } from '../core/types';
import { mergeEntities } from './merge';

const e = (entity: string, start: number, end: number, extractor: string, confidence = 0.9): ExtractedEntity => ({
  entity,
  value: entity,
  text: 'x'.repeat(end - start),
  start,
  end,
  confidence,
  extractor,
});
const names = (es: ExtractedEntity[]): string[] => es.map((x) => x.entity);

describe('mergeEntities', () => {
  it('keeps the longer of overlapping spans whatever the extractor', () => {
    expect(names(mergeEntities([[e('number', 0, 3, 'regex')], [e('quantity', 0, 4, 'model')]]))).toEqual(['quantity']);
  });

  it('breaks equal-length ties by extractor priority, then confidence', () => {
    const lists = [[e('m', 2, 5, 'bert-ner', 0.99)], [e('t', 2, 5, 'tagger', 0.5)], [e('l', 2, 5, 'lookup', 0.1)]];
    expect(names(mergeEntities(lists))).toEqual(['l']);
    expect(names(mergeEntities([...lists, [e('b', 2, 5, 'builtin', 0.1)]]))).toEqual(['b']);
    expect(names(mergeEntities([...lists, [e('r', 2, 5, 'regex', 0.1)], [e('b', 2, 5, 'builtin')]]))).toEqual(['r']);
    expect(names(mergeEntities([[e('number', 0, 4, 'builtin', 0.9), e('price', 0, 4, 'builtin', 0.95)]]))).toEqual(['price']);
  });

  it('takes a custom priority', () => {
    const lists = [[e('l', 0, 2, 'lookup')], [e('m', 0, 2, 'bert-ner')]];
    expect(names(mergeEntities(lists, ['bert-ner', 'lookup']))).toEqual(['m']);
  });

  it('falls back to list order for full ties', () => {
    expect(names(mergeEntities([[e('first', 0, 2, 'lookup')], [e('second', 0, 2, 'lookup')]]))).toEqual(['first']);
  });

  it('keeps touching and separate spans, sorted by start, and drops empty ones', () => {
    const out = mergeEntities([[e('c', 8, 10, 'lookup'), e('a', 0, 3, 'regex')], [e('b', 3, 5, 'builtin'), e('empty', 6, 6, 'model')]]);
    expect(names(out)).toEqual(['a', 'b', 'c']);
  });

  it('lets a long span remove several short ones but keeps what it does not cover', () => {
    const out = mergeEntities([[e('s1', 0, 2, 'regex'), e('s2', 2, 4, 'regex'), e('s3', 5, 7, 'regex')], [e('long', 1, 5, 'model')]]);
    expect(names(out)).toEqual(['long', 's3']);
  });
});
