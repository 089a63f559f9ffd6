import type { NluTrainingData } from '../core/types';
import { problemsOf as problemsOfParse } from './problems-of.testing';
import { jsonErrorOffset, parseJsonTrainingData, toJsonTrainingData } from './json-format';
import { TrainingDataProblem, formatProblem } from './validation';

const problemsOf = (input: unknown) => problemsOfParse(parseJsonTrainingData, input);

const sample: NluTrainingData = {
  examples: [
    { text: '我要订购一本小说', intent: 'order_product', lang: 'zh', entities: [{ entity: 'quantity', start: 4, end: 6 }, { entity: 'category', start: 6, end: 8, value: 'novel' }] },
    { text: 'fly to NYC', intent: 'out_of_scope', entities: [{ entity: 'city', start: 7, end: 10, value: 'New York', role: 'to' }] },
    { text: 'hi', intent: 'greet', lang: 'en', entities: [] },
  ],
  lookups: [{ name: 'city', elements: ['上海'] }],
  synonyms: [{ value: 'novel', synonyms: ['小说', 'novels'] }],
  regexes: [{ name: 'order_id', pattern: 'ORD-\\d{6}' }],
};

describe('parseJsonTrainingData', () => {
  it('round-trips the object form exactly', () => {
    const json = JSON.stringify(toJsonTrainingData(sample));
    expect(parseJsonTrainingData(json)).toStrictEqual(sample);
  });

  it('accepts a plain list of examples and an already-parsed value', () => {
    const list = [{ text: 'hi', intent: 'greet' }, { text: 'buy Dune', intent: 'order_product', entities: [{ entity: 'book_title', start: 4, end: 8 }] }];
    const expected = {
      examples: [
        { text: 'hi', intent: 'greet', entities: [], lang: 'en' },
        { text: 'buy Dune', intent: 'order_product', entities: [{ entity: 'book_title', start: 4, end: 8 }], lang: 'en' },
      ],
      lookups: [],
      synonyms: [],
      regexes: [],
    };
    expect(parseJsonTrainingData(JSON.stringify(list), { lang: 'en' })).toEqual(expected);
    expect(parseJsonTrainingData(list, { lang: 'en' })).toEqual(expected);
  });

  it('computes start/end for a value-only entity from its first occurrence', () => {
    const data = parseJsonTrainingData([{ text: 'Dune and Dune', intent: 'order_product', entities: [{ entity: 'book_title', value: 'Dune' }] }]);
    expect(data.examples[0].entities).toEqual([{ entity: 'book_title', start: 0, end: 4 }]);
  });

  it('names the 0-based entry and the field of each problem', () => {
    const problems = problemsOf([
      { text: 'ok', intent: 'greet' },
      { text: 'weather in Paris', intent: 'weather_query', entities: [{ entity: 'city', value: 'London' }] },
      { text: 'x', intent: 7 },
      { text: 'buy Dune', intent: 'order_product', entities: [{ entity: 'book_title', start: 4 }] },
      { text: 'buy Dune', intent: 'order_product', entites: [] },
      { text: 'buy it', intent: 'order_product', entities: [{ entity: 'x', start: 0, end: 40 }] },
      'not an object',
    ]);
    const find = (entry: number, field: string) => problems.find((p) => p.entry === entry && p.field === field);
    expect(find(1, '[1].entities[0].value')).toMatchObject({ message: expect.stringMatching(/does not occur in the text/), detail: '"London"' });
    expect(find(2, '[2].intent')?.message).toMatch(/intent must be a string, not a number/);
    expect(find(3, '[3].entities[0].end')?.message).toMatch(/start and end must be given together/);
    expect(find(4, '[4].entites')?.message).toMatch(/unknown field "entites"/);
    expect(find(5, '[5].entities[0]')?.message).toMatch(/not inside the text/);
    expect(find(6, '[6]')?.message).toMatch(/must be an object/);
    expect(problems.some((p) => p.entry === 0)).toBe(false);
    expect(formatProblem(find(2, '[2].intent') as TrainingDataProblem)).toMatch(/^entry 2 \(0-based\), field \[2\]\.intent: /);
  });

  it('checks the object form and its lists', () => {
    const problems = problemsOf({
      examples: [{ text: 'hi', intent: 'greet', lang: 'fr' }],
      lookups: [{ name: 'city' }],
      synonyms: 'nope',
      regexes: [{ name: 'r', pattern: '(' }],
      extra: 1,
    }).map(formatProblem);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/entry 0 \(0-based\), field examples\[0\]\.lang: lang must be one of zh, en, other/),
        expect.stringMatching(/field lookups\[0\]: needs name \(a string\) and elements/),
        expect.stringMatching(/field synonyms: synonyms must be a list/),
        expect.stringMatching(/field regexes\[0\]\.pattern: invalid regex/),
        expect.stringMatching(/field extra: unknown field "extra"/),
      ]),
    );
  });

  it('reports invalid JSON with its line', () => {
    const problems = problemsOf('[\n  {"text": "hi", "intent": "greet"},\n  oops\n]');
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/invalid JSON/);
    expect(problems[0].line).toBe(3);
  });

  it.each<[string, number]>([
    ['[1,]', 3],
    ['{"a" 1}', 5],
    ['[1', 2],
    ['{\n"a": tru}', 7],
    ['["x\u0001"]', 3],
    ['{"a": 1} x', 9],
    ['[{"a": [1, 2, {"b": null}]}, -0.5e3, "\\""]', -1],
  ])('locates the JSON syntax error in %j at %d', (source, offset) => {
    expect(jsonErrorOffset(source)).toBe(offset);
  });

  it('refuses a document that is neither a list nor an object', () => {
    expect(problemsOf('"text"')[0].message).toMatch(/expected a list of examples or an object/);
  });
});

describe('toJsonTrainingData', () => {
  it('omits empty entity lists and absent fields', () => {
    const doc = toJsonTrainingData(sample);
    expect(doc.examples[2]).toEqual({ text: 'hi', intent: 'greet', lang: 'en' });
    expect(Object.keys(doc.examples[1])).toEqual(['text', 'intent', 'entities']);
  });

  it('refuses to export invalid data', () => {
    const bad = { ...sample, examples: [{ text: 'ab', intent: 'x', entities: [{ entity: 'a', start: 0, end: 2 }, { entity: 'b', start: 1, end: 2 }] }] };
    expect(() => toJsonTrainingData(bad)).toThrow(/overlaps/);
  });
});
