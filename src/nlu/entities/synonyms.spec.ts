import type { ExtractedEntity } from '../core/types';
import { applySynonyms, SynonymMapper } from './synonyms';

const ent = (text: string, value: unknown = text): ExtractedEntity => ({
  entity: 'city',
  value,
  text,
  start: 0,
  end: text.length,
  confidence: 1,
  extractor: 'lookup',
});

describe('SynonymMapper', () => {
  const mapper = new SynonymMapper([
    { value: 'New York', synonyms: ['NYC', 'big apple', '纽约'] },
    { value: 'T恤', synonyms: ['t-shirt', 'T恤衫', 'tee'] },
  ]);

  it('maps synonyms to the canonical value, ignoring case and width', () => {
    expect(mapper.apply([ent('nyc'), ent('Big Apple'), ent('ＮＹＣ'), ent('纽约')]).map((e) => e.value)).toEqual([
      'New York',
      'New York',
      'New York',
      'New York',
    ]);
    expect(mapper.apply([ent('new york')])[0].value).toBe('New York');
    expect(mapper.apply([ent('T-SHIRT')])[0].value).toBe('T恤');
  });

  it('looks at the value first, then the text', () => {
    expect(mapper.apply([ent('那件衣服', 'tee')])[0].value).toBe('T恤');
    expect(mapper.apply([ent('tee', 'unknown')])[0].value).toBe('T恤');
  });

  it('leaves unknown and non-string values alone and does not mutate its input', () => {
    const input = [ent('Boston'), ent('100元', { amount: 100, currency: 'CNY' })];
    const out = mapper.apply(input);
    expect(out).toEqual(input);
    const mapped = [ent('nyc')];
    mapper.apply(mapped);
    expect(mapped[0].value).toBe('nyc');
  });

  it('lets later definitions win and rejects an empty canonical value', () => {
    expect(applySynonyms([ent('x')], [{ value: 'A', synonyms: ['x'] }, { value: 'B', synonyms: ['X'] }])[0].value).toBe('B');
    expect(() => new SynonymMapper([{ value: ' ', synonyms: ['a'] }])).toThrow(/non-empty/);
  });
});
