import type { NluTrainingData } from '../core/types';
import { problemsOf as problemsOfParse } from './problems-of.testing';
import { parseRasaYaml, readRasaYaml, toRasaYaml } from './rasa-yaml';
import { TrainingDataFormatError, formatProblem } from './validation';

const problemsOf = (source: string) => problemsOfParse(parseRasaYaml, source);

const sample: NluTrainingData = {
  examples: [
    { text: '明天上海会下雨吗', intent: 'weather_query', lang: 'zh', entities: [{ entity: 'date', start: 0, end: 2 }, { entity: 'city', start: 2, end: 4 }] },
    { text: '沪的天气', intent: 'weather_query', lang: 'zh', entities: [{ entity: 'city', start: 0, end: 1, value: 'Shanghai' }] },
    { text: 'fly to NYC [beta] C:\\x', intent: 'out_of_scope', lang: 'en', entities: [{ entity: 'city', start: 7, end: 10, value: 'New York', role: 'to' }] },
    { text: 'yes', intent: 'affirm', entities: [] },
    { text: '今天的天气怎么样？', intent: 'weather_query', lang: 'zh', entities: [{ entity: 'date', start: 0, end: 2 }] },
    { text: '《斗破苍穹》', intent: 'order_product', lang: 'zh', entities: [{ entity: 'book_title', start: 1, end: 5 }] },
    { text: 'true', intent: '查询天气', lang: 'other', entities: [] },
  ],
  lookups: [{ name: 'city', elements: ['上海', 'New York'] }, { name: 'city', elements: ['北京'] }],
  synonyms: [{ value: 'Shanghai', synonyms: ['上海', '沪'] }, { value: "children's book", synonyms: ['童书'] }, { value: 'yes', synonyms: ['1: one'] }],
  regexes: [{ name: 'order_id', pattern: '\\bORD-\\d{6}\\b' }, { name: 'order_id', pattern: '#\\d+' }, { name: 'zip', pattern: '\\d{6}' }],
};

describe('parseRasaYaml', () => {
  it('parses intents, entities, synonyms, lookups and regexes', () => {
    const data = parseRasaYaml(
      [
        'version: "3.1"',
        'nlu:',
        '- intent: weather_query',
        '  examples: |',
        '    - [明天](date)[上海](city)会下雨吗',
        '',
        '    - weather in [NYC](city:New York)',
        '- synonym: Shanghai',
        '  examples: |',
        '    - 沪',
        '- lookup: city',
        '  examples: |',
        '    - 北京',
        '- regex: order_id',
        '  examples: |',
        '    - ORD-\\d{6}',
        'stories: []',
      ].join('\n'),
      { lang: 'zh' },
    );
    expect(data).toEqual({
      examples: [
        { text: '明天上海会下雨吗', intent: 'weather_query', lang: 'zh', entities: [{ entity: 'date', start: 0, end: 2 }, { entity: 'city', start: 2, end: 4 }] },
        { text: 'weather in NYC', intent: 'weather_query', lang: 'zh', entities: [{ entity: 'city', start: 11, end: 14, value: 'New York' }] },
      ],
      synonyms: [{ value: 'Shanghai', synonyms: ['沪'] }],
      lookups: [{ name: 'city', elements: ['北京'] }],
      regexes: [{ name: 'order_id', pattern: 'ORD-\\d{6}' }],
    });
  });

  it('lets metadata.lang override the default lang', () => {
    const data = parseRasaYaml('nlu:\n- intent: greet\n  metadata:\n    lang: en\n  examples: |\n    - hi\n', { lang: 'zh' });
    expect(data.examples[0].lang).toBe('en');
  });

  it('accepts CRLF line endings', () => {
    const data = parseRasaYaml('nlu:\r\n- intent: greet\r\n  examples: |\r\n    - hi\r\n    - hello\r\n');
    expect(data.examples.map((e) => e.text)).toEqual(['hi', 'hello']);
  });
});

describe('round trip', () => {
  it('parseRasaYaml(toRasaYaml(x)) deep-equals x, entities sorted by start', () => {
    const yaml = toRasaYaml(sample);
    expect(parseRasaYaml(yaml)).toStrictEqual(sample);
    // Interleaved intents stay in their order: one item per run.
    expect(yaml.match(/^- intent: weather_query$/gm)).toHaveLength(2);
    // Values that YAML would read as something else are quoted.
    expect(yaml).toContain('- synonym: "yes"');
  });

  it('sorts entities by start, the only normalisation', () => {
    const x: NluTrainingData = {
      examples: [{ text: 'a b', intent: 'i', entities: [{ entity: 'y', start: 2, end: 3 }, { entity: 'x', start: 0, end: 1 }] }],
      lookups: [],
      synonyms: [],
      regexes: [],
    };
    expect(parseRasaYaml(toRasaYaml(x)).examples[0].entities.map((e) => e.entity)).toEqual(['x', 'y']);
  });

  it('refuses to export invalid data', () => {
    const bad: NluTrainingData = { examples: [{ text: 'x', intent: 'bad name', entities: [] }], lookups: [], synonyms: [], regexes: [] };
    expect(() => toRasaYaml(bad)).toThrow(TrainingDataFormatError);
  });
});

describe('errors name the line', () => {
  it('collects every problem of a broken file with its 1-based line', () => {
    const source = [
      'version: "3.1"', //  1
      'nlu:', //             2
      '- intent: greet', //  3
      '  examples: |', //    4
      '    - hi [there', //  5 unbalanced [
      '    -', //            6 empty example
      '    - ok](x)', //     7 unbalanced ]
      '    hello', //        8 no "- "
      '- intnt: foo', //     9 unknown key + no kind
      '  examples: |', //   10
      '    - a', //         11
      '- regex: r', //      12 no examples
      '  exmples: x', //    13 unknown key
      '- regex: r2', //     14
      '  examples: |', //   15
      '    - (?P<x>a)', //  16 invalid regex
      '- intent: greet me', // 17 bad intent name
      '  examples: |', //   18
      '    - [x]()', //     19 entity with no name
    ].join('\n');
    const problems = problemsOf(source);
    const at = (line: number) => problems.filter((p) => p.line === line).map(formatProblem).join(' | ');
    expect(at(5)).toMatch(/unbalanced "\[".*\(column 10\)/);
    expect(at(6)).toMatch(/empty example/);
    expect(at(7)).toMatch(/unbalanced "\]"/);
    expect(at(8)).toMatch(/must start with "- "/);
    expect(at(9)).toMatch(/unknown key "intnt"/);
    expect(at(12)).toMatch(/regex "r" has no examples/);
    expect(at(13)).toMatch(/unknown key "exmples"/);
    expect(at(16)).toMatch(/invalid regex/);
    expect(at(17)).toMatch(/intent name "greet me" is invalid/);
    expect(at(19)).toMatch(/entity with no name/);
    // Problems come back in file order.
    const lines = problems.map((p) => p.line ?? Infinity);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it.each<[string, string, number, RegExp]>([
    ['YAML syntax error', 'nlu:\n- intent: greet\n  examples: [a\n', 4, /YAML syntax/],
    ['tab indentation', 'nlu:\n- intent: greet\n\texamples: |\n', 3, /YAML syntax: tab/],
    ['unknown top-level key', 'version: "3.1"\nnul:\n- intent: greet\n', 2, /unknown top-level key "nul"/],
    ['nlu not a list', 'nlu: hello\n', 1, /nlu must be a list/],
    ['examples as a list', 'nlu:\n- intent: greet\n  examples:\n  - hi\n', 4, /examples must be a block string/],
    ['two kinds in one entry', 'nlu:\n- intent: greet\n  lookup: city\n  examples: |\n    - hi\n', 2, /has both intent and lookup/],
    ['empty intent name', 'nlu:\n- intent:\n  examples: |\n    - hi\n', 2, /intent name is empty/],
    ['duplicate key', 'nlu:\n- intent: greet\n  examples: |\n    - hi\n  examples: |\n    - hello\n', 5, /duplicate key "examples"/],
    ['bad metadata lang', 'nlu:\n- intent: greet\n  metadata:\n    lang: fr\n  examples: |\n    - hi\n', 4, /metadata lang/],
    ['overlap-free but bad entity name', 'nlu:\n- intent: greet\n  examples: |\n    - hi\n    - hi [Bob](a person)\n', 5, /entity name "a person"/],
    ['same text, two intents', 'nlu:\n- intent: greet\n  examples: |\n    - hi\n- intent: bye\n  examples: |\n    - hi\n', 7, /different intents \("hi" is bye here and greet at line 4\)/],
    ['synonym claimed twice', 'nlu:\n- synonym: a\n  examples: |\n    - x\n- synonym: b\n  examples: |\n    - y\n    - x\n', 8, /"x" is a synonym of both "a" and "b"/],
    ['alias as a key', 'x: &k a\n*k : 1\nnlu: []\n', 2, /keys must be plain strings/],
    ['empty examples block', 'nlu:\n- lookup: city\n  examples: |\n\n- intent: greet\n  examples: |\n    - hi\n', 3, /empty examples block/],
  ])('%s', (_name, source, line, message) => {
    const problems = problemsOf(source);
    expect(problems.find((p) => p.line === line && message.test(formatProblem(p)))).toBeDefined();
  });

  it('reports an empty file', () => {
    expect(problemsOf('# nothing here\n')[0]).toEqual({ line: 1, message: expect.stringMatching(/empty/) });
  });

  it('reports a repeated problem once, with its count and first places', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `    - bad ${i} ]`);
    const problems = problemsOf(`nlu:\n- intent: greet\n  examples: |\n${lines.join('\n')}\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 4, count: 300, message: expect.stringMatching(/unbalanced "\]"/) });
    expect(problems[0].places!.map((p) => p.line)).toEqual([4, 5, 6, 7, 8]);
  });

  it('stops listing after the cap of distinct problems', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `    - bad ${i} [x](bad name ${i})`);
    const problems = problemsOf(`nlu:\n- intent: greet\n  examples: |\n${lines.join('\n')}\n`);
    expect(problems).toHaveLength(101);
    expect(problems[0].line).toBe(4);
    expect(problems[100].message).toMatch(/stopped listing/);
  });

  it('merges repeated examples, refuses conflicting ones, and normalizes entity spans', () => {
    const play = 'nlu:\n- intent: play\n  examples: |\n    - play [ jazz ](genre)\n    - hi\n    - hi\n';
    const source = `${play}- intent: greet\n  examples: |\n    - hi\n`;
    const conflict = problemsOf(source);
    expect(conflict).toHaveLength(1);
    expect(conflict[0]).toMatchObject({ line: 9, message: expect.stringMatching(/different intents/) });
    const ok = readRasaYaml(play);
    expect(ok.stats).toEqual({ duplicatesMerged: 1, textsNormalized: 1 });
    expect(ok.data.examples.map((e) => [e.text, e.entities])).toEqual([['play  jazz', [{ entity: 'genre', start: 6, end: 10 }]], ['hi', []]]);
  });
});
