import type { TrainingExample } from '../core/types';
import { mergeDuplicateExamples, normalizeExample, normalizeText } from './normalize';
import { ItemLocation, ProblemList } from './validation';

describe('normalizeText', () => {
  it.each<[string, string]>([
    ['  hi  ', 'hi'],
    ['a\r\nb', 'a b'],
    ['a \n\t b', 'a b'],
    ['a  b', 'a  b'],
    ['a\u2028b', 'a b'],
    ['\n\n', ''],
    ['ok', 'ok'],
  ])('%j -> %j', (input, output) => {
    expect(normalizeText(input).text).toBe(output);
  });

  it('maps every old offset to its new one', () => {
    const { text, offsets } = normalizeText(' ab \n cd ');
    expect(text).toBe('ab cd');
    expect(offsets).toEqual([0, 0, 1, 2, 3, 3, 3, 4, 5, 5]);
  });
});

describe('normalizeExample', () => {
  const ex = (text: string, entities: TrainingExample['entities']): TrainingExample => ({ text, intent: 'x', entities });

  it('moves entity spans with the text and trims their own whitespace', () => {
    const out = normalizeExample(ex('\t book\r\n a  table ', [{ entity: 'what', start: 9, end: 18 }, { entity: 'verb', start: 2, end: 6 }]));
    expect(out.example.text).toBe('book a  table');
    expect(out.example.entities).toEqual([{ entity: 'what', start: 5, end: 13 }, { entity: 'verb', start: 0, end: 4 }]);
    expect(out).toMatchObject({ changed: true, emptied: [] });
  });

  it('reports an entity that covered only removed whitespace, and leaves bad spans for validation', () => {
    const out = normalizeExample(ex('jazz \n', [{ entity: 'a', start: 4, end: 6 }, { entity: 'b', start: 3, end: 99 }]));
    expect(out.emptied).toEqual([0]);
    expect(out.example.entities[1]).toEqual({ entity: 'b', start: 3, end: 99 });
  });

  it('keeps an example that needs nothing as it is', () => {
    const input = ex('play jazz', [{ entity: 'g', start: 5, end: 9 }]);
    expect(normalizeExample(input)).toEqual({ example: input, changed: false, emptied: [] });
  });
});

describe('mergeDuplicateExamples', () => {
  const run = (examples: TrainingExample[]) => {
    const locations: ItemLocation[] = examples.map((_, i) => ({ entry: i }));
    const problems = new ProblemList();
    const merged = mergeDuplicateExamples(examples, locations, problems);
    return { merged, examples, locations, problems };
  };

  it('keeps the first of identical repeats, with locations aligned', () => {
    const r = run([
      { text: 'a', intent: 'x', entities: [] },
      { text: 'b', intent: 'y', entities: [] },
      { text: 'a', intent: 'x', entities: [], lang: 'en' },
    ]);
    expect(r.merged).toBe(1);
    expect(r.examples).toEqual([{ text: 'a', intent: 'x', entities: [], lang: 'en' }, { text: 'b', intent: 'y', entities: [] }]);
    expect(r.locations).toEqual([{ entry: 0 }, { entry: 1 }]);
    expect(r.problems.items).toEqual([]);
  });

  it('lists a text with conflicting intents once, each intent with its first places', () => {
    const r = run([
      { text: 'a', intent: 'x', entities: [] },
      { text: 'a', intent: 'x', entities: [] },
      { text: 'a', intent: 'Y', entities: [] },
      { text: 'a', intent: 'x', entities: [] },
      { text: 'a', intent: 'Y', entities: [] },
    ]);
    expect(r.problems.conflicts).toEqual([{ text: 'a', intents: [{ intent: 'x', places: [{ entry: 0 }, { entry: 1 }, { entry: 3 }] }, { intent: 'Y', places: [{ entry: 2 }, { entry: 4 }] }] }]);
    expect(r.problems.items).toHaveLength(1);
    expect(r.problems.items[0]).toMatchObject({ entry: 2, count: 2, message: 'the same text is labelled with different intents' });
  });

  it('refuses the same text annotated differently', () => {
    const r = run([
      { text: 'a b', intent: 'x', entities: [{ entity: 'e', start: 0, end: 1 }] },
      { text: 'a b', intent: 'x', entities: [{ entity: 'e', start: 2, end: 3 }] },
    ]);
    expect(r.problems.items[0]).toMatchObject({ entry: 1, message: 'the same text is annotated with different entities' });
  });
});
